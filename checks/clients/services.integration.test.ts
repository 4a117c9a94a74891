import { expect, it } from 'vitest';
import { EnvironmentError } from '#core/errors.js';
import { checkContext } from '#workshop/dev/testing/fixtures.js';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

describeWithStack('services: what a check or a solve meets from Kafka', (stack) => {
  it('a request the broker answers with an error is an environment error naming Kafka, not a bug in the kit', async () => {
    const { services } = checkContext(stack());
    const attempt = services.withKafkaAdmin((admin) => admin.fetchTopicOffsets(`no-such-topic-${Date.now()}`));
    await expect(attempt).rejects.toBeInstanceOf(EnvironmentError);
    await expect(attempt).rejects.toThrow(/^Kafka: /);
  });
});

/** Topics as solve and reset see them: deleting some, and telling whether records keep arriving in one. */

import { topicOffsets } from '#checks/clients/kafka-read.js';
import type { Services } from '#checks/clients/services.js';
import { EnvironmentError, TimeoutError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';

/** How long Kafka may take to finish deleting a topic before reset calls it the platform's trouble. */
export const topicGoneTimeoutMs = 30_000;

/**
 * Deletes topics, and returns once Kafka no longer lists them: a topic still being deleted would make the next
 * command (a solve right after a reset) meet it half-gone.
 */
export async function deleteTopics(services: Services, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await services.withKafkaAdmin(async (admin) => {
    try {
      await admin.deleteTopics({ topics: names, timeout: 10_000 });
    } catch (error) {
      // A topic listed a moment ago was deleted meanwhile (by ksqlDB dropping a stream, say): delete what is left.
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      const left = (await admin.listTopics()).filter((t) => names.includes(t));
      if (left.length > 0) await admin.deleteTopics({ topics: left, timeout: 10_000 });
    }
  });
  await topicsGone(services, names);
}

/** Waits until Kafka lists none of the topics (deleted by the kit, or by ksqlDB dropping a stream with its topic). */
export async function topicsGone(services: Services, names: string[]): Promise<void> {
  if (names.length === 0) return;
  let left = names;
  try {
    await waitFor({
      what: `Kafka to finish deleting ${names.map((n) => `"${n}"`).join(', ')}`,
      timeoutMs: topicGoneTimeoutMs,
      intervalMs: 200,
      probe: async () => {
        left = (await services.withKafkaAdmin((admin) => admin.listTopics())).filter((t) => names.includes(t));
        return left.length === 0 ? true : new NotYet(`still listed: ${left.join(', ')}`);
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new EnvironmentError(
      `Kafka still lists ${left.map((t) => `"${t}"`).join(', ')} ${topicGoneTimeoutMs / 1000} s after the topics were deleted`,
      'the broker is slow or stuck: npm run logs -- kafka, then run the same reset again',
    );
  }
}

export const sumOfOffsets = (offsets: { high: bigint }[]) => offsets.reduce((total, o) => total + o.high, 0n);

/**
 * Whether records keep arriving in a topic: its end offsets grow within the window. A topic that does not exist
 * receives nothing.
 */
export async function topicIsReceiving(services: Services, topic: string, windowMs: number): Promise<boolean> {
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (!topics.includes(topic)) return false;
  const before = sumOfOffsets(await topicOffsets(services, topic));
  try {
    await waitFor({
      what: `new records in "${topic}"`,
      timeoutMs: windowMs,
      intervalMs: 250,
      probe: async () => (sumOfOffsets(await topicOffsets(services, topic)) > before ? true : new NotYet('none')),
    });
    return true;
  } catch (error) {
    if (error instanceof TimeoutError) return false;
    throw error;
  }
}

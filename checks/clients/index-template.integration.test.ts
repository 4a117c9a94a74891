import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { ensureTimestampTemplate, timestampTemplateName } from './index-template.js';

describeWithStack('the timestamp index template on a real Elasticsearch 8.19', (stack) => {
  let client: Client;
  const index = 'ratings_with_customer_data_template_test';

  beforeAll(() => {
    client = new Client({ node: stack().elasticsearch.url });
  });
  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.indices.deleteIndexTemplate({ name: timestampTemplateName }).catch(() => undefined);
    await client.close();
  });

  it('is accepted, twice, and maps the time fields of a document the sink would write as dates', async () => {
    await ensureTimestampTemplate(stack().elasticsearch.url);
    await ensureTimestampTemplate(stack().elasticsearch.url);
    await client.index({
      index,
      refresh: true,
      document: {
        RATING_ID: 1,
        STARS: 1,
        RATING_TIME: 1_763_600_000_000,
        EXTRACT_TS: 1_763_600_000_500,
        CREATE_TS: '2026-11-20T09:14:03Z',
        update_ts: '2026-11-20 09:14:03',
        MESSAGE: 'worst. flight. ever.',
      },
    });
    const mapping = await client.indices.getMapping({ index });
    const properties = mapping[index]?.mappings.properties ?? {};
    const type = (field: string) => (properties[field] as { type?: string } | undefined)?.type;
    expect(type('RATING_TIME')).toBe('date');
    expect(type('EXTRACT_TS')).toBe('date');
    expect(type('CREATE_TS')).toBe('date');
    expect(type('update_ts')).toBe('date');
    expect(type('STARS')).toBe('long');
    expect(type('MESSAGE')).toBe('text');
  });
});

import { Client } from '@elastic/elasticsearch';
import { expect, it } from 'vitest';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';

describeWithStack('@elastic/elasticsearch against the real Elasticsearch node', (stack) => {
  it('creates an index with a mapping, indexes a document and finds it', async () => {
    const client = new Client({ node: stack().elasticsearch.url, requestTimeout: 10_000, maxRetries: 0 });
    const index = `foundation-${Date.now()}`;
    try {
      await client.indices.create({
        index,
        mappings: {
          properties: { rating_time: { type: 'date' }, message: { type: 'text' }, stars: { type: 'integer' } },
        },
      });
      await client.index({
        index,
        id: '1',
        document: { rating_time: Date.now(), message: 'worst. flight. ever. #neveragain', stars: 1 },
        refresh: 'wait_for',
      });
      const found = await client.search<{ stars: number; message: string }>({
        index,
        query: { match: { message: 'flight' } },
      });
      expect(found.hits.hits).toHaveLength(1);
      expect(found.hits.hits[0]?._source).toMatchObject({ stars: 1 });
      const mapping = await client.indices.getMapping({ index });
      expect(mapping[index]?.mappings.properties?.rating_time).toEqual({ type: 'date' });
    } finally {
      await client.indices.delete({ index, ignore_unavailable: true });
      await client.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '#core/errors.js';
import { freePort } from '#workshop/dev/stack/ports.js';
import { fakeClock } from '#workshop/dev/testing/fake-clock.js';
import {
  ensureTimestampTemplate,
  pipelineIndexPatterns,
  timestampFields,
  timestampIndexTemplate,
  timestampTemplateName,
} from './index-template.js';

/** Elasticsearch's simple wildcard match, as dynamic templates' `match` and index patterns use it. */
const matches = (pattern: string, name: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(name);
const isTimestamp = (field: string) => timestampFields.some(([, pattern]) => matches(pattern, field));

describe('the index template for the pipeline’s timestamps', () => {
  it('is a composable template (index_patterns and template.mappings), not a legacy one', () => {
    const template = timestampIndexTemplate();
    expect(template.name).toBe(timestampTemplateName);
    expect(template.index_patterns).toEqual(pipelineIndexPatterns);
    expect(template.priority).toBeGreaterThan(100);
    const names = template.template.mappings.dynamic_templates.map((entry) => Object.keys(entry)[0]);
    expect(new Set(names).size).toBe(timestampFields.length);
    for (const entry of template.template.mappings.dynamic_templates) {
      expect(Object.values(entry)[0]?.mapping.type).toBe('date');
    }
  });

  it('covers the indexes the sink writes for the pipeline’s topics', () => {
    for (const topic of [
      'RATINGS_WITH_CUSTOMER_DATA',
      'UNHAPPY_PLATINUM_CUSTOMERS',
      'RATINGS_BY_CLUB_STATUS_1MIN',
      'POOR_RATINGS',
      'ratings',
    ]) {
      expect(
        pipelineIndexPatterns.some((pattern) => matches(pattern, topic.toLowerCase())),
        topic,
      ).toBe(true);
    }
    expect(pipelineIndexPatterns.some((pattern) => matches(pattern, '.kibana_8.19.4'))).toBe(false);
  });

  it('maps the pipeline’s time fields as dates and leaves the others alone', () => {
    for (const field of [
      'RATING_TIME',
      'rating_time',
      'EXTRACT_TS',
      'CREATE_TS',
      'create_ts',
      'update_ts',
      'WINDOWSTART',
      'WINDOWEND',
    ]) {
      expect(isTimestamp(field), field).toBe(true);
    }
    for (const field of ['STARS', 'MESSAGE', 'CLUB_STATUS', 'user_id', 'CHANNEL', 'RATING_COUNT']) {
      expect(isTimestamp(field), field).toBe(false);
    }
  });

  it('gives up with an environment error naming Elasticsearch when it does not answer', async () => {
    const clock = fakeClock();
    const url = `http://127.0.0.1:${await freePort()}`;
    const failure = await ensureTimestampTemplate(url, { timeoutMs: 3_000, clock }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect((failure as EnvironmentError).message).toContain(
      `waiting for Elasticsearch at ${url} to accept the index template "workshop-timestamps"`,
    );
    expect((failure as EnvironmentError).hint).toContain('npm run logs -- elasticsearch');
  });
});

import { describe, expect, it } from 'vitest';
import { configCures, keyProblem, rowShapeProblem } from './table-in-topic.js';

const fixed: Record<string, string> = {
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
  transforms: 'unwrap, extractKey',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  'transforms.extractKey.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
  'transforms.extractKey.field': 'id',
};

describe('the shape of a change-data-capture record', () => {
  it('names each wrong shape, and passes a flat row with its id as the key', () => {
    expect(rowShapeProblem(undefined, 'id')?.problem).toBe('not-json');
    expect(rowShapeProblem({ schema: {}, payload: {} }, 'id')?.problem).toBe('wrapped');
    expect(rowShapeProblem({ before: null, after: { id: 1 }, op: 'c' }, 'id')?.problem).toBe('envelope');
    expect(rowShapeProblem({ name: 'x' }, 'id')?.found).toBe('rows without a "id" field: {"name":"x"}');
    expect(rowShapeProblem({ id: 1, name: 'x' }, 'id')).toBeUndefined();
    expect(keyProblem('{"id":1}', { id: 1 }, 'id')?.problem).toBe('key');
    expect(keyProblem('1', { id: 1 }, 'id')).toBeUndefined();
  });
});

describe('configCures: does the connector, as configured now, still write the problem?', () => {
  it('says the fixed config cures every problem', () => {
    for (const problem of ['not-json', 'wrapped', 'envelope', 'key'] as const) {
      expect(configCures(problem, fixed, 'id'), problem).toBe(true);
    }
  });

  it('says a config still missing the fix does not', () => {
    const without = (...keys: string[]) => Object.fromEntries(Object.entries(fixed).filter(([k]) => !keys.includes(k)));
    expect(configCures('not-json', without('value.converter'), 'id')).toBe(false);
    expect(configCures('wrapped', { ...fixed, 'value.converter.schemas.enable': 'true' }, 'id')).toBe(false);
    expect(configCures('envelope', { ...fixed, transforms: 'extractKey' }, 'id')).toBe(false);
    // A transform defined but not listed in "transforms" does nothing.
    expect(configCures('key', { ...fixed, transforms: 'unwrap' }, 'id')).toBe(false);
    expect(configCures('key', { ...fixed, 'transforms.extractKey.field': 'name' }, 'id')).toBe(false);
    // A key converter on the connector with its schemas left on wraps the key again.
    const keyConverter = 'org.apache.kafka.connect.json.JsonConverter';
    expect(configCures('key', { ...fixed, 'key.converter': keyConverter }, 'id')).toBe(false);
    expect(
      configCures('key', { ...fixed, 'key.converter': keyConverter, 'key.converter.schemas.enable': 'false' }, 'id'),
    ).toBe(true);
  });
});

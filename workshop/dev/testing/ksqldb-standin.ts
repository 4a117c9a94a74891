/**
 * A scripted ksqlDB for tests where no real one is installed: it answers the statements and queries the kit sends
 * (LIST, SHOW QUERIES, DESCRIBE … EXTENDED, EXPLAIN, TERMINATE, DROP, pull queries) from a list of sources, with the
 * shapes of ksqldb-shapes.ts (recorded from a real server). The data the checks judge stays in real Kafka.
 */
import { ksqldbStandIn, type StandIn } from '#workshop/dev/stack/standins.js';
import {
  commandStatus,
  listSources,
  notFound,
  pullAnswer,
  queryDescription,
  type SourceSpec,
  showQueries,
  sourceDescription,
  statementError,
} from './ksqldb-shapes.js';

export interface KsqlScript {
  sources: SourceSpec[];
  /** Answers a pull query: its columns and rows, or ksqlDB's refusal. */
  pull?: (sql: string) => { columnNames: string[]; columnTypes: string[]; rows: unknown[][] } | { error: string };
  /** Answers to give /ksql before the real ones (an error code and message), one per request. */
  refusals?: { status: number; body: unknown }[];
  /** Every statement received, for tests to look at. */
  received?: string[];
}

export function scriptedKsqlDb(script: KsqlScript): Promise<StandIn> {
  return ksqldbStandIn({ starting: false }, (request, body) => {
    const parsed = JSON.parse(body || '{}') as { ksql?: string; sql?: string };
    if (request.method === 'POST' && request.url === '/query-stream') {
      const answer = script.pull?.(parsed.sql ?? '') ?? { error: 'no pull query scripted' };
      if ('error' in answer) return { status: 400, body: statementError(parsed.sql ?? '', answer.error) };
      return { status: 200, body: pullAnswer(answer.columnNames, answer.columnTypes, answer.rows) };
    }
    if (request.method !== 'POST' || request.url !== '/ksql') return undefined;
    const refusal = script.refusals?.shift();
    if (refusal) return refusal;
    const entities: unknown[] = [];
    for (const raw of String(parsed.ksql ?? '').split(';')) {
      const text = raw.trim();
      if (text === '') continue;
      script.received?.push(`${text};`);
      const answer = answerStatement(script, text);
      if ('error' in answer) return { status: 400, body: answer.error };
      entities.push(answer.entity);
    }
    return { status: 200, body: entities };
  });
}

function answerStatement(script: KsqlScript, text: string): { entity: unknown } | { error: unknown } {
  const find = (name: string) => script.sources.find((s) => s.name === name.replace(/`/g, ''));
  let match = /^LIST\s+(STREAMS|TABLES)$/i.exec(text);
  if (match) return { entity: listSources(match[1]?.toUpperCase() === 'STREAMS' ? 'STREAM' : 'TABLE', script.sources) };
  if (/^SHOW\s+QUERIES$/i.test(text)) return { entity: showQueries(script.sources) };
  match = /^DESCRIBE\s+(\S+)(\s+EXTENDED)?$/i.exec(text);
  if (match) {
    const source = find(match[1] ?? '');
    return source ? { entity: sourceDescription(source, script.sources) } : { error: notFound(match[1] ?? '') };
  }
  match = /^EXPLAIN\s+(\S+)$/i.exec(text);
  if (match) {
    const source = script.sources.find((s) => s.writer?.id === match?.[1]);
    return source
      ? { entity: queryDescription(source) }
      : { error: statementError(`${text};`, `Could not find query with id ${match[1]}`) };
  }
  match = /^TERMINATE\s+(\S+)$/i.exec(text);
  if (match) {
    for (const source of script.sources) if (source.writer?.id === match[1]) source.writer = undefined;
    return { entity: commandStatus(`${text};`, 'Query terminated.') };
  }
  match = /^DROP\s+(STREAM|TABLE)\s+(?:IF\s+EXISTS\s+)?(\S+)/i.exec(text);
  if (match) {
    const source = find(match[2] ?? '');
    if (source) script.sources.splice(script.sources.indexOf(source), 1);
    return { entity: commandStatus(`${text};`, `Source \`${match[2]}\` was dropped.`) };
  }
  return { error: statementError(`${text};`, `the stand-in does not answer "${text}"`) };
}

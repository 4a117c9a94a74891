import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '#core/errors.js';
import { CourseError, loadConcepts, loadCourse, selectStep, stepsDir } from './course.js';
import { bareCommentLines, normaliseStatement, splitStatements } from './ksql-file.js';
import { splitSql } from './sql-text.js';

const course = loadCourse();
/** The steps that have a Flink SQL variant, as a Flink room runs them. */
const flinkVariants = loadCourse(undefined, 'flink').filter((step) => step.engine === 'flink');
/** Every step as some room runs it: each engine's variant is a guide, a check and a solution of its own. */
const everyVariant = [...course, ...flinkVariants];

describe('the course checks itself', () => {
  it('lists every step folder once, in order, and no folder is left out', () => {
    const folders = readdirSync(stepsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(course.map((step) => path.basename(step.folder)).sort()).toEqual(folders);
    expect(course.map((step) => step.id)).toEqual(course.map((_, i) => `step-${i + 1}`));
    expect(new Set(course.map((step) => step.id)).size).toBe(course.length);
  });

  it('has Flink SQL variants of the stream-processing steps, 4 to 7, and of the optional anomaly detection, 12', () => {
    expect(flinkVariants.map((step) => step.id)).toEqual(['step-4', 'step-5', 'step-6', 'step-7', 'step-12']);
    for (const step of flinkVariants) {
      expect(step.guidePath).toMatch(/\/flink\/guide\.md$/);
      expect(step.solution.every((r) => r.kind === 'flink')).toBe(true);
      expect(step.variants).toEqual(['ksqldb', 'flink']);
    }
    // A step without a variant is the same step in a Flink room.
    expect(loadCourse(undefined, 'flink').find((s) => s.id === 'step-8')).toMatchObject({
      engine: 'ksqldb',
      variants: ['ksqldb'],
    });
  });

  it.each(everyVariant.map((step) => [`${step.id} (${step.engine})`, step] as const))(
    '%s has a guide, a check, hints and a solution',
    (_, step) => {
      expect(existsSync(path.join(path.dirname(stepsDir), step.guidePath))).toBe(true);
      const guide = readFileSync(path.join(path.dirname(stepsDir), step.guidePath), 'utf8');
      if (step.checkSection) expect(guide).toContain(`## ${step.checkSection}`);
      expect(guide).toContain(`npm run check ${step.id}`);
      expect(step.expectations.length).toBeGreaterThan(0);
      for (const expectation of step.expectations) expect(expectation.hint.length).toBeGreaterThan(10);
      expect(step.hints.length).toBeGreaterThan(0);
      // Every step either has something solve applies or says why it has not.
      expect(step.solution.length > 0 || step.solveNote !== undefined).toBe(true);
    },
  );

  it('every file in a solution folder is used by its step', () => {
    for (const step of everyVariant) {
      const dir = path.join(step.folder, step.engine === 'flink' ? 'flink/solution' : 'solution');
      if (!existsSync(dir)) continue;
      const used = step.solution.flatMap((r) =>
        [r.kind === 'mysql' ? r.undo : undefined, 'file' in r ? r.file : undefined].flatMap((file) =>
          file !== undefined && path.dirname(file) === dir ? [path.basename(file)] : [],
        ),
      );
      expect(readdirSync(dir).sort(), step.id).toEqual(used.sort());
    }
  });

  // Every .sql file of a step: statements that ksqlDB's lexer reads as written.
  const sqlFiles = course.flatMap((step) =>
    ['solution', 'queries']
      .map((sub) => path.join(step.folder, sub))
      .filter((dir) => existsSync(dir))
      .flatMap((dir) =>
        readdirSync(dir)
          .filter((f) => f.endsWith('.sql'))
          .map((f) => [step.id, path.join(dir, f)] as const),
      ),
  );

  it('names the ideas of the talk it teaches, and teaches each one somewhere', () => {
    const concepts = loadConcepts();
    expect(concepts.length).toBeGreaterThanOrEqual(7);
    const taught = new Set(course.flatMap((step) => step.concepts));
    expect(concepts.map((c) => c.id).filter((id) => !taught.has(id))).toEqual([]);
    for (const concept of concepts) expect(concept.summary.length, concept.id).toBeGreaterThan(100);
  });

  it('has ksqlDB files', () => {
    expect(sqlFiles.length).toBeGreaterThanOrEqual(8);
  });

  it.each(sqlFiles)('%s: %s ends every statement with ";" and has no bare "--" line', (_, file) => {
    const text = readFileSync(file, 'utf8');
    expect(bareCommentLines(text)).toEqual([]);
    expect(splitStatements(text, file).length).toBeGreaterThan(0);
  });

  it('names output topics in lower case: they become Elasticsearch indexes', () => {
    // The topic a CREATE … AS SELECT writes; a declaration over a topic (Debezium's mysql.demo.CUSTOMERS) names it
    // as it is.
    for (const [, file] of sqlFiles) {
      for (const statement of splitStatements(readFileSync(file, 'utf8'), file)) {
        if (!/\bAS\s+SELECT\b/i.test(statement.text)) continue;
        const topic = /KAFKA_TOPIC\s*=\s*'([^']+)'/i.exec(statement.text)?.[1];
        if (topic) expect(topic, `${file}, line ${statement.line}`).toBe(topic.toLowerCase());
      }
    }
  });
});

describe('step 15’s headless file', () => {
  it('is steps 4-7’s statements as their solutions have them, only their output topics named headless_…', () => {
    const statementsOf = (file: string) =>
      splitStatements(readFileSync(path.join(stepsDir, file), 'utf8'), file).map((s) => normaliseStatement(s.text));
    const development = [
      '04-filter-poor-ratings/solution/ratings.sql',
      '04-filter-poor-ratings/solution/poor-ratings.sql',
      '05-join-ratings-to-customers/solution/customers.sql',
      '05-join-ratings-to-customers/solution/ratings-with-customer-data.sql',
      '06-unhappy-platinum-customers/solution/unhappy-platinum-customers.sql',
      '07-ratings-per-minute/solution/ratings-by-club-status.sql',
    ].flatMap(statementsOf);
    const headless = statementsOf('15-headless-ksqldb/solution/queries.sql');
    expect(headless.filter((s) => /AS SELECT/i.test(s)).every((s) => s.includes("KAFKA_TOPIC='headless_"))).toBe(true);
    expect(headless.map((s) => s.replace("KAFKA_TOPIC='headless_", "KAFKA_TOPIC='"))).toEqual(development);
  });
});

describe('selectStep', () => {
  it('takes step-N or N', () => {
    expect(selectStep(course, 'step-2').id).toBe('step-2');
    expect(selectStep(course, '3').id).toBe('step-3');
  });

  it('lists the valid steps for an unknown one', () => {
    expect(() => selectStep(course, 'step-42')).toThrow(UsageError);
    expect(() => selectStep(course, 'step-42')).toThrow(
      /unknown step "step-42". The steps are:\n {2}step-1 {2}Start the platform/,
    );
  });
});

describe('a step file with a mistake is refused with where and what', () => {
  function courseWith(stepYaml: string): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'course-test-'));
    mkdirSync(path.join(root, '01-x'));
    writeFileSync(path.join(root, 'course.yaml'), 'steps: [01-x]\n');
    writeFileSync(
      path.join(root, 'concepts.yaml'),
      'concepts:\n  the-log: { title: The log, slides: 3-4, summary: s }\n',
    );
    writeFileSync(path.join(root, '01-x', 'guide.md'), '# x\n');
    writeFileSync(path.join(root, '01-x', 'step.yaml'), stepYaml);
    return root;
  }
  const base = 'id: step-1\ntitle: X\nguide: guide.md\nhints: [h]\nsolveNote: none\n';

  it.each([
    [
      `${base}expectations:\n  - kind: topic-recrods\n    topic: t\n    hint: a hint long enough\n`,
      /expectation 1: unknown kind "topic-recrods"/,
    ],
    [
      `${base}expectations:\n  - kind: connector-running\n    name: c\n`,
      /expectation 1: every expectation needs a hint/,
    ],
    [
      `${base}expectations:\n  - kind: connector-running\n    nmae: c\n    hint: a hint long enough\n`,
      /unknown parameter "nmae"/,
    ],
    [
      `${base}expectations:\n  - kind: service-ready\n    service: zookeeper\n    hint: a hint long enough\n`,
      /"service" must be one of kafka/,
    ],
    ['id: step-2\ntitle: X\nguide: guide.md\nexpectations: []\n', /id must be "step-1"/],
    [
      `${base}concepts: [the-lgo]\nexpectations:\n  - kind: connector-running\n    name: c\n    hint: a hint long enough\n`,
      /concept "the-lgo" is not in steps\/concepts.yaml \(known: the-log\)/,
    ],
    [`${base}expectations: []\n`, /a step needs at least one expectation/],
  ])('%#', (yaml, message) => {
    expect(() => loadCourse(courseWith(yaml))).toThrow(CourseError);
    expect(() => loadCourse(courseWith(yaml))).toThrow(message);
  });
});

describe('the guides show the code the kit runs', () => {
  // A code block whose fence says `from=path` must appear, exactly, in that file of the repository: the page and the
  // tested code cannot drift apart (the site shows a step's own file whole, from the file itself).
  const root = path.dirname(stepsDir);
  const blocks = everyVariant.flatMap((step) => {
    const guide = readFileSync(path.join(root, step.guidePath), 'utf8');
    return [...guide.matchAll(/```[a-z]*[ \t]+from=(\S+)\n([\s\S]*?)```/g)].map(
      (m) => [step.id, m[1] ?? '', m[2] ?? ''] as const,
    );
  });

  it('has such blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks)('%s: the block from %s is in that file', (_, file, block) => {
    expect(readFileSync(path.join(root, file), 'utf8')).toContain(block);
  });
});

describe('the Flink SQL files', () => {
  const files = flinkVariants.flatMap((step) =>
    ['flink/solution', 'flink/queries']
      .map((sub) => path.join(step.folder, sub))
      .filter((dir) => existsSync(dir))
      .flatMap((dir) => readdirSync(dir).map((f) => [step.id, path.join(dir, f)] as const)),
  );

  it.each(files)('%s: %s ends every statement with ";"', (_, file) => {
    expect(file).toMatch(/\.sql$/);
    expect(splitSql(readFileSync(file, 'utf8'), file, 'Flink').length).toBeGreaterThan(0);
  });

  it('write the topics steps 8 to 10 read with the columns ksqlDB gives them', () => {
    // The ksqlDB solution's column names of each output topic, against the Flink table over the same topic.
    const flinkColumns = (file: string, table: string) => {
      const text = readFileSync(file, 'utf8');
      const body = new RegExp(`CREATE TABLE ${table} \\(([\\s\\S]*?)\\n\\) WITH`).exec(text)?.[1] ?? '';
      return body
        .split('\n')
        .map((line) => /^\s*([A-Z_]+) [A-Z]/.exec(line)?.[1])
        .filter((c): c is string => c !== undefined && c !== 'WATERMARK' && c !== 'RATING_TS');
    };
    const enriched = flinkColumns(
      path.join(stepsDir, '05-join-ratings-to-customers/flink/solution/ratings-with-customer-data.sql'),
      'ratings_with_customer_data',
    );
    expect(enriched).toEqual([
      'ID',
      'RATING_ID',
      'STARS',
      'ROUTE_ID',
      'RATING_TIME',
      'CHANNEL',
      'MESSAGE',
      'FULL_NAME',
      'CLUB_STATUS',
      'EMAIL',
    ]);
    expect(
      flinkColumns(
        path.join(stepsDir, '06-unhappy-platinum-customers/flink/solution/unhappy-platinum-customers.sql'),
        'unhappy_platinum_customers',
      ),
    ).toEqual(enriched);
    expect(
      flinkColumns(
        path.join(stepsDir, '07-ratings-per-minute/flink/solution/ratings-by-club-status.sql'),
        'ratings_by_club_status_1min',
      ),
    ).toEqual(['CLUB_STATUS', 'RATING_COUNT', 'STATUS', 'WINDOW_START_TS', 'WINDOW_ID']);
    // ksqlDB's own: the AS names of its SELECT (the join's) and the counts' columns.
    const ksqlJoin = readFileSync(
      path.join(stepsDir, '05-join-ratings-to-customers/solution/ratings-with-customer-data.sql'),
      'utf8',
    );
    expect([...ksqlJoin.matchAll(/ AS ([A-Z_]+),?\n/g)].map((m) => m[1])).toEqual(enriched);
  });

  it('write Kafka’s address as the compose platform’s Flink reaches it', () => {
    for (const [, file] of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/'properties\.bootstrap\.servers' = '([^']+)'/g)) {
        expect(m[1], file).toBe('kafka:29092');
      }
    }
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '#core/errors.js';
import { CourseError, loadConcepts, loadCourse, selectStep, stepsDir } from './course.js';
import { bareCommentLines, normaliseStatement, splitStatements } from './ksql-file.js';

const course = loadCourse();

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

  it.each(course.map((step) => [step.id, step] as const))(
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
    for (const step of course) {
      const dir = path.join(step.folder, 'solution');
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
  const blocks = course.flatMap((step) => {
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

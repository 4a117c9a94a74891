import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCourse } from '#checks/course.js';
import { loadConfig } from '#core/config.js';
import { repoRoot } from '#core/state-dir.js';
import { addressChanges, guideBlocks, hasFirstRow, planBlocks, withAddresses } from './walkthrough.js';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

describe('the walkthrough’s plan of a guide', () => {
  const guide = [
    '# A step',
    '',
    '```sh walk=skip',
    'npm run up',
    '```',
    '',
    '```json walk=save:my.json',
    '{"name": "x"}',
    '```',
    '',
    '```sh walk=background',
    'npm run datagen -- ratings',
    '```',
    '',
    '```sql from=steps/04-filter-poor-ratings/queries/ratings-push.sql',
    'SELECT 1;',
    '```',
    '',
    '```sh',
    'npm run ksql -- -f steps/04-filter-poor-ratings/queries/ratings-push.sql',
    '```',
    '',
    '```powershell',
    "npm run ksql '--' -f steps/04-filter-poor-ratings/queries/ratings-push.sql",
    '```',
    '',
    '```sql',
    "SET 'auto.offset.reset' = 'earliest';",
    'SELECT * FROM CUSTOMERS WHERE ID = 1 EMIT CHANGES;',
    '```',
    '',
    '```',
    '✓ step-4 (pass)',
    '```',
  ].join('\n');
  const blocks = guideBlocks('steps/x/guide.md', guide);

  it('reads each fence with its line, language and note', () => {
    expect(blocks.map((b) => [b.line, b.language, b.meta])).toEqual([
      [3, 'sh', 'walk=skip'],
      [7, 'json', 'walk=save:my.json'],
      [11, 'sh', 'walk=background'],
      [15, 'sql', 'from=steps/04-filter-poor-ratings/queries/ratings-push.sql'],
      [19, 'sh', ''],
      [23, 'powershell', ''],
      [27, 'sql', ''],
      [32, '', ''],
    ]);
  });

  it('obeys the notes, runs shell and SQL, and never runs what is only shown', () => {
    expect(planBlocks(blocks, read)).toEqual([
      { kind: 'skip', why: 'marked walk=skip' },
      { kind: 'save', file: 'my.json', text: '{"name": "x"}\n' },
      { kind: 'background', text: 'npm run datagen -- ratings\n' },
      // The page shows the file itself; the shell block after it runs it with -f.
      { kind: 'skip', why: 'run by the shell block beside it (-f)' },
      { kind: 'shell', text: 'npm run ksql -- -f steps/04-filter-poor-ratings/queries/ratings-push.sql\n' },
      { kind: 'skip', why: 'the PowerShell variant of the block before' },
      {
        kind: 'ksql',
        text: "SET 'auto.offset.reset' = 'earliest';\nSELECT * FROM CUSTOMERS WHERE ID = 1 EMIT CHANGES;\n",
        endAfterFirstRow: true,
      },
      { kind: 'skip', why: 'shown, not run' },
    ]);
  });

  it('ends only a push query without LIMIT after its first row, not a persistent query', () => {
    const sql = (body: string) => planBlocks(guideBlocks('g.md', `\`\`\`sql\n${body}\n\`\`\`\n`), read)[0];
    expect(sql('SELECT * FROM R EMIT CHANGES;')).toMatchObject({ endAfterFirstRow: true });
    expect(sql('SELECT * FROM R EMIT CHANGES LIMIT 3;')).toMatchObject({ endAfterFirstRow: false });
    expect(sql("SET 'a' = 'b';\n-- a comment\nCREATE STREAM P AS SELECT * FROM R EMIT CHANGES;")).toMatchObject({
      endAfterFirstRow: false,
    });
  });

  it('refuses a note it does not know, naming the guide and line', () => {
    const bad = guideBlocks('steps/x/guide.md', '```sh walk=later\nls\n```\n');
    expect(() => planBlocks(bad, read)).toThrow('steps/x/guide.md, line 1: unknown walk=later');
  });

  it('plans every guide of the course without a guess: each block is run, saved, started or skipped for a reason', () => {
    for (const step of loadCourse()) {
      const plan = planBlocks(guideBlocks(step.guidePath, read(step.guidePath)), read);
      expect(plan.length, step.id).toBeGreaterThan(0);
      // Every step's guide ends with its check, run as the learner types it.
      expect(
        plan.some((a) => a.kind === 'shell' && a.text.includes(`npm run check ${step.id}`)),
        step.id,
      ).toBe(true);
      // Compose-only commands are not in the walkthrough's path.
      for (const action of plan) {
        if (action.kind === 'shell' || action.kind === 'background')
          expect(action.text, step.id).not.toMatch(/docker compose/);
      }
    }
  });
});

describe('the platform’s addresses in the guides’ commands', () => {
  it('are the learners’ own on the compose platform: nothing changes', () => {
    expect(addressChanges(loadConfig({}))).toEqual([]);
  });

  it('become the configured ones on the local stack, for 127.0.0.1 and localhost alike', () => {
    const changes = addressChanges(
      loadConfig({
        WORKSHOP_CONNECT_URL: 'http://127.0.0.1:40083',
        WORKSHOP_ELASTICSEARCH_URL: 'http://127.0.0.1:40200',
      }),
    );
    expect(changes).toEqual([
      { from: '127.0.0.1:8083', to: '127.0.0.1:40083' },
      { from: '127.0.0.1:9200', to: '127.0.0.1:40200' },
    ]);
    expect(withAddresses('curl http://127.0.0.1:8083/connectors; curl -s localhost:9200/_cat/indices', changes)).toBe(
      'curl http://127.0.0.1:40083/connectors; curl -s 127.0.0.1:40200/_cat/indices',
    );
    // A port inside a longer number is not an address.
    expect(withAddresses('echo 127.0.0.1:80830', changes)).toBe('echo 127.0.0.1:80830');
  });
});

describe('a push query’s first row', () => {
  it('is a line after the rule under its header', () => {
    expect(hasFirstRow('ID | NAME\n---+-----\n1  | Ada\n')).toBe(true);
    expect(hasFirstRow('ID | NAME\n---+-----\n')).toBe(false);
    expect(hasFirstRow('Press Ctrl-C to stop\n')).toBe(false);
  });
});

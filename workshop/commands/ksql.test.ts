/** npm run ksql against stand-ins: what a person can get wrong gets a clear message and the right exit code. */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '#workshop/dev/stack/ports.js';
import type { StandIn } from '#workshop/dev/stack/standins.js';
import { statementError } from '#workshop/dev/testing/ksqldb-shapes.js';
import { scriptedKsqlDb } from '#workshop/dev/testing/ksqldb-standin.js';
import { runCli } from '#workshop/dev/testing/run-cli.js';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

describe('npm run ksql', () => {
  it('prints a table of what ksqlDB answers, and adds a forgotten semicolon to a single statement', async () => {
    standIn = await scriptedKsqlDb({
      sources: [
        { name: 'RATINGS', type: 'STREAM', topic: 'ratings', keyFormat: 'JSON', valueFormat: 'JSON', fields: [] },
      ],
    });
    const run = await runCli(['ksql', 'LIST STREAMS'], { WORKSHOP_KSQLDB_URL: standIn.url });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      'name    | topic   | key format | value format | windowed\n--------+---------+------------+--------------+---------\nRATINGS | ratings | JSON       | JSON         | false\n',
    );
  });

  it('a statement ksqlDB refuses: its message, the file and line, exit 1', async () => {
    standIn = await scriptedKsqlDb({
      sources: [],
      refusals: [
        { status: 400, body: statementError('CRATE STREAM X;', "line 1:1: Syntax Error\nUnknown statement 'CRATE'") },
      ],
    });
    const file = path.join(os.tmpdir(), `ksql-command-${Date.now()}.sql`);
    writeFileSync(file, '-- a comment\n\nCRATE STREAM X;\n');
    const run = await runCli(['ksql', '-f', file], { WORKSHOP_KSQLDB_URL: standIn.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: ksqlDB refused "CRATE STREAM X;": ${file}, line 3: line 1:1: Syntax Error`);
  });

  it.each([
    [[], 2, /give the statements in quotes or a file with -f, one of the two/],
    [['--file'], 2, /Option '-f, --file <value>' argument missing/],
    [['SHOW TOPICS;', '--timeout', 'soon'], 2, /--timeout must be a whole number of seconds, found "soon"/],
    [['-f', '/no/such/file.sql'], 2, /cannot read \/no\/such\/file\.sql: ENOENT/],
    [['SHOW TOPICS; SHOW STREAMS'], 2, /the statement starting on line 1 does not end with ";" \(SHOW STREAMS\)/],
  ])('refuses %j with exit %i', async (args, code, message) => {
    const run = await runCli(['ksql', ...(args as string[])]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('a ksqlDB that does not answer is an environment error, exit 3', async () => {
    const port = await freePort();
    const run = await runCli(['ksql', 'SHOW STREAMS;'], { WORKSHOP_KSQLDB_URL: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/ksqlDB at http:\/\/127\.0\.0\.1:\d+ is not reachable \(connection refused/);
  });

  it('warns about a bare "--" line, which makes ksqlDB skip the line after it', async () => {
    standIn = await scriptedKsqlDb({ sources: [] });
    const file = path.join(os.tmpdir(), `ksql-bare-${Date.now()}.sql`);
    writeFileSync(file, '--\nSHOW QUERIES;\n');
    const run = await runCli(['ksql', '-f', file], { WORKSHOP_KSQLDB_URL: standIn.url });
    expect(run.stderr).toContain(
      `${file}, line 1: a bare "--" makes ksqlDB skip the next line too; write "-- text" instead`,
    );
    expect(run.stdout).toContain('(none)');
  });
});

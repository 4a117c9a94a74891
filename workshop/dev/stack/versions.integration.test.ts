import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { describeWithStack } from '#workshop/dev/testing/stack-context.js';
import { stackVersions } from './artifacts.js';

describeWithStack('the local stack runs the pinned versions', (stack) => {
  const pinned = stackVersions();

  it(`Kafka Connect reports Kafka ${pinned.kafka}`, async () => {
    const response = await fetch(`${stack().connect.url}/`, { signal: AbortSignal.timeout(5_000) });
    const info = (await response.json()) as { version: string };
    expect(info.version).toBe(pinned.kafka);
  });

  it(`Elasticsearch reports ${pinned.elasticsearch}`, async () => {
    // The minimal distribution has no root endpoint (GET / is the rest-root module's); the node info says the same.
    const response = await fetch(`${stack().elasticsearch.url}/_nodes/_local?filter_path=nodes.*.version`, {
      signal: AbortSignal.timeout(5_000),
    });
    const info = (await response.json()) as { nodes: Record<string, { version: string }> };
    expect(Object.values(info.nodes).map((node) => node.version)).toEqual([pinned.elasticsearch]);
  });

  it('MariaDB writes a row-based, full-image binary log with a server id', async () => {
    const { host, port, user, password } = stack().mariadb;
    const connection = await mysql.createConnection({ host, port, user, password, connectTimeout: 5_000 });
    try {
      const [rows] = await connection.query(
        "SHOW VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image', 'server_id', 'version')",
      );
      const variables = Object.fromEntries(
        (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
      );
      expect(variables).toMatchObject({
        log_bin: 'ON',
        binlog_format: 'ROW',
        binlog_row_image: 'FULL',
        server_id: String(stack().mariadb.serverId),
      });
      expect(variables.version).toMatch(/MariaDB/);
    } finally {
      await connection.end();
    }
  });
});

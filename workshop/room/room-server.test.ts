import { mkdtempSync } from 'node:fs';
import { get, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lanAddresses } from './room-command.js';
import { type RoomServer, startRoomServer } from './room-server.js';
import { newRoom, readRoom } from './room-state.js';

const steps = [
  { id: 'step-1', title: 'Start the platform' },
  { id: 'step-2', title: 'Produce ratings' },
];
const code = 'K7QFM2XD';
const learner = (n: number) => `learner-${String(n).padStart(12, '0')}`;
const report = (over: Record<string, unknown> = {}) => ({
  code: 'k7qf-m2xd',
  learnerId: learner(1),
  name: 'Ada',
  step: 'step-2',
  outcome: 'fail',
  failing: [{ object: 'topic "ratings"', message: 'expected records, found none' }],
  ...over,
});

let open: RoomServer[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function start(host = '127.0.0.1', file = path.join(mkdtempSync(path.join(os.tmpdir(), 'room-')), 'room.json')) {
  const server = await startRoomServer({
    data: readRoom(file) ?? newRoom(Date.now(), code),
    steps,
    file,
    host,
    port: 0,
  });
  open.push(server);
  return { server, file, base: `http://127.0.0.1:${server.port}` };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: (await response.json()) as { error?: string; ok?: boolean } };
}

describe('the room server', () => {
  it('takes a report with the right code, keeps it on disk before saying ok, and shows it', async () => {
    const { server, base, file } = await start();
    const answer = await post(`${base}/api/report`, report());
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    expect(readRoom(file)?.learners.map((l) => [l.name, l.step, l.outcome])).toEqual([['Ada', 'step-2', 'fail']]);
    const room = (await (await fetch(`${base}/api/room`)).json()) as { steps: { learners: number }[] };
    expect(room.steps.map((s) => s.learners)).toEqual([0, 1]);
    expect(server.room.data.received).toBe(1);
  });

  it.each([
    ['a wrong code', report({ code: 'AAAA-AAAA' }), {}, 403, /wrong join code/],
    ['no code', { ...report(), code: undefined }, {}, 400, /join code is missing/],
    ['a body that is not JSON', '{"code":', {}, 400, /not JSON/],
    ['a body sent as a form', 'code=x', { 'content-type': 'application/x-www-form-urlencoded' }, 400, /json/],
    ['a field a report does not hold', report({ env: { HOME: '/home/ada' } }), {}, 400, /does not hold: env/],
    ['an unknown step', report({ step: 'step-9' }), {}, 400, /not a step/],
    ['a name with an escape code', report({ name: 'x\u001b]0;pwned\u0007' }), {}, 400, /control characters/],
    ['an oversized body', report({ name: 'x'.repeat(20_000) }), {}, 413, /at most 16384 bytes/],
  ])('refuses %s and changes nothing', async (_what, body, headers, status, message) => {
    const { server, base, file } = await start();
    const before = JSON.stringify(readRoom(file));
    const answer = await post(`${base}/api/report`, body, headers);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(message);
    expect(JSON.stringify(readRoom(file))).toBe(before);
    expect(server.room.size).toBe(0);
    expect(server.room.data.received).toBe(0);
  });

  it('refuses a body that streams past the limit without declaring its length', async () => {
    const { base, server } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${base}/api/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('error', (error) => (server.room.size === 0 ? resolve(413) : reject(error)));
      request.write(`{"name":"${'x'.repeat(40_000)}`);
      request.end('"}');
    });
    expect(status).toBe(413);
    expect(server.room.size).toBe(0);
  });

  it('limits each learner to a burst of 5, then one report a second', async () => {
    const { base } = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await post(`${base}/api/report`, report())).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect((await post(`${base}/api/report`, report({ learnerId: learner(2) }))).status).toBe(200);
  });

  it('lets a hello in on the same terms as a report: not removed, and at most one a second', async () => {
    const { base } = await start();
    const hello = { code, learnerId: learner(4), name: 'Di' };
    const answers: { status: number; body: { error?: string } }[] = [];
    for (let i = 0; i < 6; i++) answers.push(await post(`${base}/api/hello`, hello));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[5]?.body.error).toBe('too many requests: at most one a second');
    for (let i = 0; i < 5; i++) await post(`${base}/api/report`, report());
    expect((await post(`${base}/api/report`, report())).body.error).toBe('too many reports: at most one a second');
    expect((await post(`${base}/api/admin/kick`, { learnerId: learner(4) })).status).toBe(200);
    expect(await post(`${base}/api/hello`, hello)).toEqual({
      status: 403,
      body: { error: 'the instructor removed you from this room' },
    });
  });

  it('stops answering wrong codes from an address after 10, so the code cannot be guessed', async () => {
    const { base } = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await post(`${base}/api/hello`, { ...report(), code: `X${i}` })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Out of tries, even the right code is refused the same way: a guess tells nothing.
    expect((await post(`${base}/api/hello`, { ...report(), code })).status).toBe(429);
  });

  it('shows the join code and the names only on the instructor’s own machine', async () => {
    const { base } = await start();
    expect((await post(`${base}/api/report`, report())).status).toBe(200);
    const mine = (await (await fetch(`${base}/api/room`)).json()) as { join?: string; learners: { name: string }[] };
    expect(mine.join).toContain(code.slice(0, 4));
    expect(mine.learners.map((l) => l.name)).toEqual(['Ada']);
    // The page as a laptop elsewhere on the network opens it (another Host than 127.0.0.1).
    // (fetch keeps its own Host header: node:http sends the one given.)
    const text = await new Promise<string>((resolve, reject) => {
      const request = get(`${base}/api/room`, { headers: { host: '192.168.1.23:8090' }, timeout: 5_000 }, (answer) => {
        let body = '';
        answer.on('data', (chunk) => {
          body += chunk;
        });
        answer.on('end', () => resolve(body));
      });
      request.on('error', reject);
    });
    const theirs = JSON.parse(text) as { join?: string; learners: { name: string }[] };
    expect(theirs.join).toBeUndefined();
    expect(JSON.stringify(theirs)).not.toContain(code.slice(0, 4));
    expect(theirs.learners.map((l) => l.name)).not.toContain('Ada');
  });

  it('lets a learner join before any check, listed without a step', async () => {
    const { base, server } = await start();
    expect((await post(`${base}/api/hello`, { code, learnerId: learner(3), name: 'Cy' })).status).toBe(200);
    expect(server.room.snapshot(0, { admin: false, projector: false }).learners).toMatchObject([{ name: 'Cy' }]);
  });

  it('lets only the instructor’s own machine remove a learner or reset, and not a page of another site', async () => {
    const { base, server } = await start();
    await post(`${base}/api/report`, report());
    const evil = await post(`${base}/api/admin/reset`, {}, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 (fetch will not set Host: node:http).
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${base}/api/admin/reset`, {
        method: 'POST',
        headers: { host: `evil.example:${server.port}`, 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end('{}');
    });
    expect(rebound).toBe(403);
    expect(server.room.size).toBe(1);
    const kick = await post(`${base}/api/admin/kick`, { learnerId: learner(1) }, { origin: base });
    expect(kick.status).toBe(200);
    expect(server.room.size).toBe(0);
    expect((await post(`${base}/api/report`, report())).body.error).toMatch(/removed you/);
    const reset = await post(`${base}/api/admin/reset`, {});
    expect(reset.status).toBe(200);
    expect(server.room.code).not.toBe(code);
    expect((await post(`${base}/api/report`, report())).status).toBe(403);
  });

  const lan = lanAddresses()[0];
  it.skipIf(!lan)('refuses removing and resetting from another machine (a LAN address)', async () => {
    const { server } = await start('0.0.0.0');
    const remote = `http://${lan?.address}:${server.port}`;
    expect((await post(`${remote}/api/report`, report())).status).toBe(200);
    const kick = await post(`${remote}/api/admin/kick`, { learnerId: learner(1) });
    expect(kick).toEqual({ status: 403, body: { error: "only the instructor's own machine (127.0.0.1) can do that" } });
    expect((await post(`${remote}/api/admin/reset`, {})).status).toBe(403);
    expect(server.room.size).toBe(1);
    // Viewers elsewhere never see learner ids.
    const room = (await (await fetch(`${remote}/api/room`)).json()) as { learners: { id?: string }[] };
    expect(room.learners[0]?.id).toBeUndefined();
  });

  it('serves a page that may load only its own script and style, and nothing for unknown paths', async () => {
    const { base } = await start();
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="/room.js" defer></script>');
    expect((await fetch(`${base}/room.js`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${base}/../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/api/report`)).status).toBe(405);
  });

  it('pushes the room to open pages after a report', async () => {
    const { base } = await start();
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events`, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const frames: string[] = [];
    const nextFrame = async () => {
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      frames.push(text);
    };
    await nextFrame();
    await post(`${base}/api/report`, report());
    await nextFrame();
    controller.abort();
    expect(frames[0]).toContain('"received":0');
    expect(frames[1]).toContain('"received":1');
    expect(frames[1]).toContain('"name":"Ada"');
  });

  it('reopens as it was: the same code, the same learners', async () => {
    const first = await start();
    await post(`${first.base}/api/report`, report());
    await first.server.close();
    open = [];
    const again = await start('127.0.0.1', first.file);
    expect(again.server.room.code).toBe(code);
    expect(again.server.room.size).toBe(1);
    expect((await post(`${again.base}/api/report`, report({ outcome: 'pass', failing: [] }))).status).toBe(200);
    expect(readRoom(first.file)?.received).toBe(2);
  });
});

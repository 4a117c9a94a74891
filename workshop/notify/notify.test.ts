import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '#workshop/dev/testing/fake-clock.js';
import { notificationText, readNotification, slackPayload } from './notification.js';
import { backoffMs, RateLimit } from './notifier.js';
import { parseNotifyArgs } from './notify-command.js';
import { postToWebhook, redact, retryAfterMs } from './webhook.js';

const row = {
  ID: 7,
  RATING_ID: 42,
  STARS: 1,
  ROUTE_ID: 3,
  RATING_TIME: 1_700_000_000_000,
  CHANNEL: 'ios',
  MESSAGE: 'the <seat> was broken & dirty',
  FULL_NAME: 'Ada Lovelace',
  CLUB_STATUS: 'platinum',
  EMAIL: 'ada@example.com',
};

describe('a record of UNHAPPY_PLATINUM_CUSTOMERS', () => {
  it('becomes a notification with email, message, name and stars', () => {
    const n = readNotification(JSON.stringify(row));
    expect(n).toEqual({
      ratingId: 42,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      stars: 1,
      message: 'the <seat> was broken & dirty',
    });
    if ('problem' in n) throw new Error(n.problem);
    expect(notificationText(n)).toBe(
      'ada@example.com just left a bad review: the <seat> was broken & dirty (Ada Lovelace, 1 star)',
    );
    // Slack's control characters are escaped, so a message cannot ping a channel or make a link.
    expect(slackPayload(n).text).toContain('the &lt;seat&gt; was broken &amp; dirty');
    expect(slackPayload(n).text.startsWith('ada@example.com just left a bad review: ')).toBe(true);
  });

  it.each([
    [null, 'no value (a tombstone)'],
    ['not json', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    [JSON.stringify({ ID: 1 }), 'lacks RATING_ID, EMAIL, MESSAGE, STARS'],
    [JSON.stringify({ ...row, STARS: 'one' }), 'must be numbers'],
    [JSON.stringify({ ...row, EMAIL: null }), 'must be text'],
  ])('%j is unreadable: %s', (value, problem) => {
    const n = readNotification(value);
    expect('problem' in n && n.problem).toContain(problem);
  });
});

describe('command line', () => {
  it('defaults to one post a second on the unhappy platinum customers, from the end of the topic', () => {
    expect(parseNotifyArgs([])).toEqual({
      rate: 1,
      fromBeginning: false,
      topic: 'unhappy_platinum_customers',
      group: 'workshop-notify',
      quiet: false,
    });
    expect(parseNotifyArgs(['--rate', 'off', '--from-beginning']).rate).toBe('off');
  });

  it.each([
    [['--rate', '0'], '--rate 0 is not above 0'],
    [['--rate', 'fast'], '--rate fast is not a number'],
    [['--group', 'a b'], 'is not a consumer group name'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], 'unexpected argument "extra"'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseNotifyArgs(args)).toThrow(message);
  });
});

describe('rate limit and backoff', () => {
  it('spaces posts 1/rate seconds apart and waits nothing when off', async () => {
    const clock = fakeClock(1_000);
    const notifyClock = { now: clock.now, sleep: (ms: number) => clock.sleep(ms) };
    const limit = new RateLimit(4, notifyClock);
    const signal = new AbortController().signal;
    const starts: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await limit.take(signal);
      starts.push(clock.now());
    }
    expect(starts).toEqual([1_000, 1_250, 1_500, 1_750, 2_000]);
    const off = new RateLimit('off', notifyClock);
    const before = clock.slept.length;
    for (let i = 0; i < 5; i += 1) await off.take(signal);
    expect(clock.slept.length).toBe(before);
  });

  it('a stopped limit hands out no slot', async () => {
    const clock = fakeClock();
    const limit = new RateLimit(1, { now: clock.now, sleep: (ms) => clock.sleep(ms) });
    const stop = new AbortController();
    expect(await limit.take(stop.signal)).toBe(true);
    stop.abort();
    expect(await limit.take(stop.signal)).toBe(false);
  });

  it('doubles up to the cap, and Retry-After wins', () => {
    const backoff = { firstMs: 500, maxMs: 4_000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, undefined, backoff))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000, 4_000,
    ]);
    expect(backoffMs(3, 7_000, backoff)).toBe(7_000);
    expect(backoffMs(3, 0, backoff)).toBe(500);
    expect(backoffMs(3, 10_000_000, backoff)).toBe(300_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('posting to a webhook', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  /** A receiver that answers every post with the given status, headers and body. */
  async function receiver(status: number, body: string, headers: Record<string, string> = {}) {
    const received: string[] = [];
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        received.push(text);
        response.writeHead(status, headers);
        response.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/services/T000/B000/s3cr3tT0ken`, received };
  }

  it('delivers on 200 ok, with the JSON body Slack takes', async () => {
    const { url, received } = await receiver(200, 'ok');
    expect(await postToWebhook(url, { text: 'hello' })).toEqual({ kind: 'delivered', status: 200 });
    expect(JSON.parse(received[0] ?? '')).toEqual({ text: 'hello' });
  });

  it('retries 429 after Retry-After, and 5xx', async () => {
    const limited = await receiver(429, 'rate_limited', { 'retry-after': '2' });
    expect(await postToWebhook(limited.url, {})).toMatchObject({ kind: 'retry', afterMs: 2_000 });
    server?.close();
    const failing = await receiver(503, 'upstream down');
    expect(await postToWebhook(failing.url, {})).toMatchObject({
      kind: 'retry',
      reason: expect.stringContaining('503'),
    });
  });

  it('refuses for good on a revoked URL (404 no_service), without the URL in the reason', async () => {
    const { url } = await receiver(404, `no_service for ${'/services/T000/B000/s3cr3tT0ken'}`);
    const outcome = await postToWebhook(url, {});
    expect(outcome).toMatchObject({ kind: 'refused', status: 404 });
    expect(JSON.stringify(outcome)).not.toContain('s3cr3tT0ken');
    expect(JSON.stringify(outcome)).toContain('no_service');
  });

  it('retries when nothing listens, naming the socket error but not the URL', async () => {
    const { url } = await receiver(200, 'ok');
    server?.closeAllConnections();
    server?.close();
    await once(server as Server, 'close');
    const outcome = await postToWebhook(url, {});
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
    expect(JSON.stringify(outcome)).not.toContain('s3cr3tT0ken');
  });

  it('redacts the URL and its path from any text', () => {
    const url = 'https://hooks.example.com/services/T1/B2/abc';
    expect(redact(`failed: ${url} and /services/T1/B2/abc`, url)).toBe('failed: <hidden> and <hidden>');
    const slack = 'https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX';
    for (const echo of [slack.replaceAll('/', '\\/'), encodeURIComponent(slack), 'token XXXXXXXXXXXXXXXXXXXXXXXX']) {
      expect(redact(`said: ${echo}`, slack)).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
    }
  });
});

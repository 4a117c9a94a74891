/**
 * Posting to a Slack-compatible incoming webhook, and what each answer means for a message that must not be lost.
 *
 * Slack's answers (https://api.slack.com/messaging/webhooks#handling_errors): 200 with the body "ok"; 400
 * invalid_payload, 403 action_prohibited, 404 no_service or channel_not_found, 410 channel_is_archived — the URL or
 * the message is wrong, and posting again cannot help; 429 with Retry-After in seconds when the app posts too fast
 * (https://api.slack.com/apis/rate-limits); 5xx when Slack itself fails, which passes. A post that times out may
 * have arrived: posting it again can make a duplicate, which at-least-once delivery accepts.
 *
 * The URL is a secret (whoever has it can post to the channel): nothing here puts it, or any part of it, in a message.
 */

export type PostOutcome =
  | { kind: 'delivered'; status: number }
  /** Worth another try: after `afterMs` when the receiver said so (Retry-After). */
  | { kind: 'retry'; reason: string; afterMs?: number }
  /** The receiver refused this URL or message for good. */
  | { kind: 'refused'; status: number; reason: string };

/** A receiver's answer, shortened to what helps a person, with the URL taken out should it echo it. */
function excerpt(body: string, url: string): string {
  const oneLine = redact(body, url).replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
}

/**
 * Takes the URL out of a text, and its secret parts (a Slack webhook's path): as written, JSON-escaped and
 * percent-encoded, and each long path segment on its own, since a receiver may echo any of these.
 */
export function redact(text: string, url: string): string {
  const secrets = [url, url.replaceAll('/', '\\/'), encodeURIComponent(url)];
  try {
    const { pathname, search } = new URL(url);
    if (pathname.length > 1) secrets.push(pathname, pathname.replaceAll('/', '\\/'), encodeURIComponent(pathname));
    if (search.length > 1) secrets.push(search);
    secrets.push(...pathname.split('/').filter((segment) => segment.length >= 8));
  } catch {
    // not a URL: the whole text is replaced below
  }
  let out = text;
  for (const secret of secrets.sort((a, b) => b.length - a.length)) out = out.split(secret).join('<hidden>');
  return out;
}

/** Retry-After is a number of seconds or an HTTP date (RFC 9110, section 10.2.3). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Why a request got no answer, without the URL: the error code of the socket, or a timeout. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000} s (the post may have arrived; a retry can repeat it)`;
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ? `could not reach the webhook's server (${cause.code})` : "could not reach the webhook's server";
}

export async function postToWebhook(url: string, body: unknown, timeoutMs = 10_000): Promise<PostOutcome> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      // A webhook that redirects is not one: refused below, rather than followed with the message.
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    // fetch refuses some URLs outright (credentials in them, say): a TypeError without a socket cause. No retry helps.
    if (error instanceof TypeError && !(error as { cause?: unknown }).cause) {
      return { kind: 'refused', status: 0, reason: 'the webhook URL cannot be posted to' };
    }
    return { kind: 'retry', reason: networkReason(error, timeoutMs) };
  }
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status };
  const said = excerpt(text, url);
  const answer = `${response.status}${said ? ` ${said}` : ''}`;
  if (response.status === 429) {
    return {
      kind: 'retry',
      reason: `the webhook answered ${answer}: posting too fast`,
      afterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
  if (response.status >= 500) {
    return {
      kind: 'retry',
      reason: `the webhook answered ${answer}`,
      afterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
  // 408 (the receiver timed out reading the request) is the one 4xx that passes.
  if (response.status === 408) return { kind: 'retry', reason: `the webhook answered ${answer}` };
  return { kind: 'refused', status: response.status, reason: `the webhook answered ${answer}` };
}

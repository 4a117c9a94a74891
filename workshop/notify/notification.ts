/**
 * One notification per unhappy platinum customer: read from a record of the UNHAPPY_PLATINUM_CUSTOMERS stream (step 6
 * writes it as JSON with ksqlDB's upper-case column names) and written as a Slack message.
 */

export interface Notification {
  ratingId: number;
  email: string;
  name: string;
  stars: number;
  message: string;
}

/** A record that is not a notification: why, in words a person can act on. */
export interface Unreadable {
  problem: string;
}

const preview = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

export function readNotification(value: string | null): Notification | Unreadable {
  if (value === null) return { problem: 'the record has no value (a tombstone)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { problem: `the value is not JSON: ${JSON.stringify(preview(value))}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: `the value is not a JSON object: ${JSON.stringify(preview(value))}` };
  }
  const row = parsed as Record<string, unknown>;
  const missing = ['RATING_ID', 'EMAIL', 'MESSAGE', 'STARS'].filter((column) => row[column] === undefined);
  if (missing.length > 0) {
    return {
      problem: `the value lacks ${missing.join(', ')} (it has ${Object.keys(row).join(', ') || 'no columns'}): is this the UNHAPPY_PLATINUM_CUSTOMERS stream of step 6?`,
    };
  }
  const { RATING_ID, EMAIL, MESSAGE, STARS, FULL_NAME } = row;
  if (typeof RATING_ID !== 'number' || typeof STARS !== 'number') {
    return { problem: `RATING_ID and STARS must be numbers, found ${JSON.stringify({ RATING_ID, STARS })}` };
  }
  if (typeof EMAIL !== 'string' || typeof MESSAGE !== 'string') {
    return { problem: `EMAIL and MESSAGE must be text, found ${JSON.stringify({ EMAIL, MESSAGE })}` };
  }
  return {
    ratingId: RATING_ID,
    email: EMAIL,
    name: typeof FULL_NAME === 'string' ? FULL_NAME : '(no name)',
    stars: STARS,
    message: MESSAGE,
  };
}

/** The notification as one line of text, for a terminal. */
export function notificationText(n: Notification): string {
  return `${n.email} just left a bad review: ${n.message} (${n.name}, ${n.stars} ${n.stars === 1 ? 'star' : 'stars'})`;
}

/**
 * Slack's text formatting gives &, < and > a meaning of their own: they are escaped, so a message cannot mention a
 * channel or break a link (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
function escapeForSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The body an incoming webhook takes: a JSON object whose `text` is the message
 * (https://api.slack.com/messaging/webhooks#posting_with_webhooks). Mattermost and other Slack-compatible receivers
 * take the same field.
 */
export function slackPayload(n: Notification): { text: string } {
  const stars = '★'.repeat(Math.max(0, Math.min(5, Math.round(n.stars))));
  return {
    text: `${escapeForSlack(n.email)} just left a bad review: ${escapeForSlack(n.message)}\n${escapeForSlack(n.name)} · ${stars || n.stars} (${n.stars} of 5) · rating ${n.ratingId}`,
  };
}

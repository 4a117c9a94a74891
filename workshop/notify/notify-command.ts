/**
 * `npm run notify`: posts a notification for every unhappy platinum customer to the Slack-compatible incoming webhook
 * in WORKSHOP_SLACK_WEBHOOK_URL, or prints it when none is set. Runs until Ctrl-C, which finishes the post in flight,
 * commits it and exits. Every delivery is also a line of the delivery log, which the step's check reads.
 *
 * Its usage and flags are declared here (workshop/commands.ts lists them), so this module stays light: the Kafka
 * consumer (notifier.ts) is loaded when the command runs.
 */
import path from 'node:path';
import { defineCommand, OptionError, parseCommand, parseRate, parseTopic } from '#core/args.js';
import { loadConfig } from '#core/config.js';
import { ExitCode } from '#core/errors.js';
import { progress, success, warn } from '#core/output.js';
import { stopOnInterrupt } from '#core/process.js';
import { stateDir } from '#core/state-dir.js';
import { type Notification, notificationText, slackPayload } from './notification.js';
import type { NotifyEvent, NotifySummary } from './notifier.js';
import { postToWebhook, redact } from './webhook.js';

export const notifySpec = defineCommand({
  name: 'notify',
  usage:
    'npm run notify [-- --rate N|off] [--from-beginning] [--topic unhappy_platinum_customers] [--group workshop-notify] [--quiet]',
  summary: 'post a notification for every unhappy platinum customer to a Slack webhook (or print it)',
  flags: {
    rate: {
      type: 'string',
      value: 'N|off',
      description: 'posts a second at most, or off for no limit',
      // Slack takes about one message a second from an incoming webhook (https://api.slack.com/apis/rate-limits).
      default: 1,
      parse: (raw): number | 'off' => (raw === 'off' ? 'off' : (parseRate(raw, { allowMax: false }) as number)),
    },
    'from-beginning': { type: 'boolean', description: 'start at the topic’s first record, not its end' },
    topic: {
      type: 'string',
      value: 'NAME',
      description: 'the topic to read',
      default: 'unhappy_platinum_customers',
      parse: parseTopic,
    },
    group: {
      type: 'string',
      value: 'NAME',
      description: 'the consumer group, which keeps where it is in the topic',
      default: 'workshop-notify',
    },
    quiet: { type: 'boolean', description: 'print only what goes wrong and the summary' },
  },
  notes: 'The options are described in the README, section "Notifications".',
  usageAsHint: true,
});

/** The delivery log's name in the kit's state folder. */
export const deliveryLogName = 'notify-deliveries.jsonl';

export interface NotifyOptions {
  rate: number | 'off';
  fromBeginning: boolean;
  topic: string;
  group: string;
  quiet: boolean;
}

export function parseNotifyArgs(args: string[]): NotifyOptions {
  return parseCommand(notifySpec, args, ({ values }) => {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(values.group)) {
      throw new OptionError(
        `--group ${JSON.stringify(values.group)} is not a consumer group name; use letters, digits, '.', '_' and '-'`,
      );
    }
    const { rate, topic, group, quiet } = values;
    return { rate, fromBeginning: values['from-beginning'], topic, group, quiet };
  });
}

export function deliveryLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), deliveryLogName);
}

function describe(event: NotifyEvent, target: 'webhook' | 'terminal', quiet: boolean, secret: string): void {
  // Nothing a receiver says reaches the terminal with the URL in it.
  const safe = (text: string) => (secret ? redact(text, secret) : text);
  switch (event.kind) {
    case 'listening':
      if (!quiet) {
        progress(
          `listening to topic ${event.topic} as consumer group ${event.group} (${event.partitions} partition${event.partitions === 1 ? '' : 's'}); Ctrl-C to stop`,
        );
      }
      return;
    case 'delivered':
      if (target === 'terminal') process.stdout.write(`${notificationText(event.notification)}\n`);
      else if (!quiet) success(`posted: ${event.notification.email} (rating ${event.notification.ratingId})`);
      return;
    case 'skipped':
      warn(`skipped the record at partition ${event.partition}, offset ${event.offset}: ${safe(event.problem)}`);
      return;
    case 'retrying':
      warn(`post ${event.attempt} failed: ${safe(event.reason)}; trying again in ${(event.inMs / 1000).toFixed(1)} s`);
      return;
    case 'uncommitted':
      warn(
        `could not commit offset ${event.offset} of partition ${event.partition} (${safe(event.reason)}): that notification may come again`,
      );
      return;
    case 'stopping':
      if (!quiet) progress('stopping: finishing the post in flight, then committing (Ctrl-C again to quit at once)');
      return;
  }
}

function formatSummary(summary: NotifySummary, target: 'webhook' | 'terminal'): string {
  const verb = target === 'webhook' ? 'posted' : 'printed';
  return `${verb} ${summary.delivered} notification${summary.delivered === 1 ? '' : 's'}, skipped ${summary.skipped} unreadable record${summary.skipped === 1 ? '' : 's'}, ${summary.retries} retr${summary.retries === 1 ? 'y' : 'ies'}, in ${(summary.elapsedMs / 1000).toFixed(1)} s\n`;
}

export async function notifyCommand(args: string[]): Promise<number> {
  const options = parseNotifyArgs(args);
  const config = loadConfig();
  const url = config.slackWebhookUrl;
  const target = url ? 'webhook' : 'terminal';
  if (url) {
    if (!options.quiet) {
      progress(
        `posting to the webhook in WORKSHOP_SLACK_WEBHOOK_URL, ${options.rate === 'off' ? 'without a rate limit' : `at most ${options.rate} a second`}`,
      );
    }
  } else {
    warn(
      'WORKSHOP_SLACK_WEBHOOK_URL is not set: each notification is printed here instead. To post to Slack, add an incoming webhook to a Slack app (https://api.slack.com/messaging/webhooks), then start this again with WORKSHOP_SLACK_WEBHOOK_URL set to its URL in your shell',
    );
  }
  const deliver = url
    ? (n: Notification) => postToWebhook(url, slackPayload(n))
    : async () => ({ kind: 'delivered' as const, status: 0 });
  const { startNotifier } = await import('./notifier.js');
  const run = startNotifier({
    brokers: config.kafkaBootstrapServers,
    topic: options.topic,
    group: options.group,
    fromBeginning: options.fromBeginning,
    deliver,
    target,
    rate: url ? options.rate : 'off',
    deliveryLog: deliveryLogPath(),
    onEvent: (event) => describe(event, target, options.quiet, url ?? ''),
  });
  const offInterrupt = stopOnInterrupt(
    () => run.stop(),
    () => process.stderr.write('quit at once: the notification in flight is posted again on the next start\n'),
    ['SIGINT', 'SIGTERM'],
  );
  try {
    const summary = await run.done;
    process.stderr.write(formatSummary(summary, target));
    return ExitCode.ok;
  } finally {
    offInterrupt();
  }
}

/**
 * `npm run datagen -- syslog [options]`: produces syslog events (datagen/syslog.ts) to Kafka until stopped, or for
 * --count / --duration, with the ratings' machinery: paced, idempotent, continuing after the highest id in the topic.
 */
import {
  defineCommand,
  durationFlag,
  OptionError,
  optionsHelp,
  parseCommand,
  parsePositiveInteger,
  parseRate,
  parseTopic,
  seedFlag,
} from '#core/args.js';
import { seededCustomerIds } from './customers.js';
import { type Produced, produceCommand, type RatingsCommandOptions } from './ratings-command.js';

export const syslogProduced: Produced = { records: 'syslog', noun: 'syslog events', idName: 'id' };

export const syslogSpec = defineCommand({
  name: 'syslog',
  usage:
    'npm run datagen -- syslog [--rate N|max] [--count N | --duration 30s] [--start-id N] [--seed N] [--topic syslog] [--quiet] [--json]',
  summary: 'produce syslog events (sshd, cron, the firewall…) to Kafka until stopped (or for --count / --duration)',
  flags: {
    rate: {
      type: 'string',
      value: 'N|max',
      description: 'events per second, or max for no limit',
      // Enough for a count per host per minute to have something in every window.
      default: 5,
      parse: (raw) => parseRate(raw, { allowMax: true }),
    },
    count: { type: 'number', min: 1, max: Number.MAX_SAFE_INTEGER, description: 'stop after this many events' },
    duration: durationFlag,
    'start-id': {
      type: 'string',
      value: 'N',
      description: 'the first event id (default: after the highest in the topic)',
      parse: (raw) => parsePositiveInteger('start-id', raw),
    },
    seed: seedFlag,
    topic: {
      type: 'string',
      value: 'NAME',
      description: 'the topic to produce to',
      default: 'syslog',
      parse: parseTopic,
    },
    quiet: { type: 'boolean', description: 'print only the summary' },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  notes: optionsHelp,
  usageAsHint: true,
});

export function parseSyslogArgs(args: string[]): RatingsCommandOptions {
  return parseCommand(syslogSpec, args, ({ values }) => {
    if (values.count !== undefined && values.duration !== undefined) {
      throw new OptionError('give --count or --duration, not both');
    }
    return {
      rate: values.rate,
      count: values.count,
      durationMs: values.duration,
      startId: values['start-id'],
      seed: values.seed,
      topic: values.topic,
      customers: seededCustomerIds,
      format: 'json',
      quiet: values.quiet,
      json: values.json,
    };
  });
}

export async function syslogCommand(args: string[]): Promise<number> {
  return produceCommand(parseSyslogArgs(args), syslogProduced);
}

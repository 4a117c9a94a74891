/**
 * Makes syslog events like the ones the talk's "real-time monitoring" example filters: the fields of an RFC 5424
 * message (facility and severity from its PRI, HOSTNAME, APP-NAME, PROCID, MSG), as JSON with the event's id as the
 * key. Among ordinary traffic (cron, systemd, sudo, the kernel's firewall, nginx) sshd reports logins, and a steady
 * share of them are `Invalid user …` attempts, most against the internet-facing bastion host.
 *
 * Two texts look alike on purpose, as on a real server: `Invalid user admin from …` (the attempt) and `Failed password
 * for invalid user admin from …` (its failed password), so a LIKE in the wrong case finds the other one.
 */
import { base, en, Faker } from '@faker-js/faker';
import { RatingSequence } from './rating.js';

export interface SyslogEvent {
  /** The event's number: the Kafka key too, so a run continues after the highest one in the topic. */
  id: number;
  /** When it was logged (sent), epoch milliseconds: RFC 5424's TIMESTAMP (a word ksqlDB keeps for its type). */
  log_time: number;
  host: string;
  app: string;
  procid: string;
  /** RFC 5424's facility and severity names (the PRI's two halves). */
  facility: 'kern' | 'daemon' | 'auth' | 'authpriv' | 'cron' | 'local7';
  severity: 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';
  message: string;
}

/** The hosts that log, and how much each one logs. The bastion faces the internet: most attempts are on it. */
export const syslogHosts = ['bastion-01', 'web-01', 'web-02', 'db-01'] as const;

const hostWeights = [
  { value: 'bastion-01', weight: 25 },
  { value: 'web-01', weight: 30 },
  { value: 'web-02', weight: 30 },
  { value: 'db-01', weight: 15 },
] as const;

/** Where the guessing goes: mostly at the host that faces the internet. */
const attackedHostWeights = [
  { value: 'bastion-01', weight: 70 },
  { value: 'web-01', weight: 12 },
  { value: 'web-02', weight: 12 },
  { value: 'db-01', weight: 6 },
] as const;

/** Who tries to log in with a name nobody has. */
const probedUsers = ['admin', 'oracle', 'test', 'ubuntu', 'postgres', 'git', 'pi', 'user', 'ftpuser', 'guest'];
/** Who really logs in. */
const staff = ['deploy', 'alice', 'ravi', 'mei'];

type Maker = (faker: Faker) => Pick<SyslogEvent, 'app' | 'facility' | 'severity' | 'message'>;

/** An address from the documentation ranges of RFC 5737: realistic, and nobody's. */
const address = (faker: Faker) =>
  `${faker.helpers.arrayElement(['192.0.2', '198.51.100', '203.0.113'])}.${faker.number.int({ min: 1, max: 254 })}`;
const port = (faker: Faker) => faker.number.int({ min: 32768, max: 60999 });

const kinds: { weight: number; make: Maker; attack?: true }[] = [
  {
    // The attempt the step's filter looks for: about one event in six.
    weight: 16,
    attack: true,
    make: (f) => ({
      app: 'sshd',
      facility: 'auth',
      severity: 'info',
      message: `Invalid user ${f.helpers.arrayElement(probedUsers)} from ${address(f)} port ${port(f)}`,
    }),
  },
  {
    weight: 8,
    attack: true,
    make: (f) => ({
      app: 'sshd',
      facility: 'auth',
      severity: 'info',
      message: `Failed password for invalid user ${f.helpers.arrayElement(probedUsers)} from ${address(f)} port ${port(f)} ssh2`,
    }),
  },
  {
    weight: 8,
    make: (f) => ({
      app: 'sshd',
      facility: 'auth',
      severity: 'info',
      message: `Accepted publickey for ${f.helpers.arrayElement(staff)} from ${address(f)} port ${port(f)} ssh2: ED25519 SHA256:${f.string.alphanumeric(43)}`,
    }),
  },
  {
    weight: 8,
    make: (f) => ({
      app: 'sshd',
      facility: 'auth',
      severity: 'info',
      message: `Connection closed by ${address(f)} port ${port(f)} [preauth]`,
    }),
  },
  {
    weight: 16,
    make: (f) => ({
      app: 'CRON',
      facility: 'cron',
      severity: 'info',
      message: `(root) CMD (${f.helpers.arrayElement(['run-parts /etc/cron.hourly', 'test -x /usr/sbin/anacron', '/usr/local/bin/backup --quiet'])})`,
    }),
  },
  {
    weight: 16,
    make: (f) => ({
      app: 'systemd',
      facility: 'daemon',
      severity: 'info',
      message: f.helpers.arrayElement([
        `Started Session ${f.number.int({ min: 100, max: 9999 })} of User ${f.helpers.arrayElement(staff)}.`,
        'Starting Daily apt upgrade and clean activities...',
        'Finished Rotate log files.',
      ]),
    }),
  },
  {
    weight: 6,
    make: (f) => ({
      app: 'sudo',
      facility: 'authpriv',
      severity: 'notice',
      message: `${f.helpers.arrayElement(staff)} : TTY=pts/${f.number.int({ min: 0, max: 3 })} ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart ${f.helpers.arrayElement(['nginx', 'postgresql', 'ssh'])}`,
    }),
  },
  {
    weight: 14,
    make: (f) => ({
      app: 'kernel',
      facility: 'kern',
      severity: 'warning',
      message: `[UFW BLOCK] IN=eth0 OUT= SRC=${address(f)} DST=10.0.0.${f.number.int({ min: 2, max: 40 })} PROTO=TCP SPT=${port(f)} DPT=${f.helpers.arrayElement([23, 3389, 5900, 8080])}`,
    }),
  },
  {
    weight: 8,
    make: (f) => ({
      app: 'nginx',
      facility: 'local7',
      severity: f.helpers.arrayElement(['err', 'warning'] as const),
      message: `upstream timed out (110: Connection timed out) while reading response header from upstream, client: ${address(f)}, server: example.org, request: "GET /api/ratings HTTP/1.1"`,
    }),
  },
];

/** The text the step's filter matches, as ksqlDB's LIKE compares it: case-sensitive. */
export const invalidUserText = 'Invalid user';

/** One event, drawn with `faker`. */
export function makeSyslogEvent(faker: Faker, id: number, logTime: number): SyslogEvent {
  const kind = faker.helpers.weightedArrayElement(kinds.map((k) => ({ value: k, weight: k.weight })));
  const host = faker.helpers.weightedArrayElement(kind.attack ? attackedHostWeights : hostWeights);
  const { app, facility, severity, message } = kind.make(faker);
  const procid = String(faker.number.int({ min: 300, max: 65_000 }));
  return { id, log_time: logTime, host, app, procid, facility, severity, message };
}

/**
 * Events that can be made again: the same seed gives the same events whatever the rate, except their timestamps.
 * Drawn in blocks of `blockSize`, each from its own seed, as the ratings are (rating.ts), so any id can be made alone.
 */
export class SyslogSequence {
  static readonly blockSize = RatingSequence.blockSize;
  readonly seed: number;
  private readonly faker = new Faker({ locale: [en, base] });
  private nextId: number | undefined;

  constructor(options: { seed?: number } = {}) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  }

  make(id: number, logTime: number): SyslogEvent {
    // The blocks must be the ratings' (RatingSequence.blockSize): parallel producers claim ids a block at a time.
    const block = Math.floor((id - 1) / SyslogSequence.blockSize);
    const blockStart = block * SyslogSequence.blockSize + 1;
    if (this.nextId !== id || id === blockStart) {
      // A seed of its own, apart from the ratings' (a syslog run and a ratings run with one seed differ).
      this.faker.seed([this.seed, block, 5424]);
      for (let skipped = blockStart; skipped < id; skipped++) makeSyslogEvent(this.faker, skipped, 0);
    }
    this.nextId = id + 1;
    return makeSyslogEvent(this.faker, id, logTime);
  }
}

const facilities: readonly SyslogEvent['facility'][] = ['kern', 'daemon', 'auth', 'authpriv', 'cron', 'local7'];
const severities: readonly SyslogEvent['severity'][] = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
];

/**
 * The problems of one record value as a syslog event (none: valid), each naming the field, what was expected and what
 * was found, as the rating's validator does (rating-schema.ts).
 */
export function syslogProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`the value must be a JSON object (a syslog event), found ${JSON.stringify(value)}`];
  }
  const event = value as Record<string, unknown>;
  const problems: string[] = [];
  const found = (name: string) => (name in event ? JSON.stringify(event[name]) : 'nothing');
  for (const name of ['id', 'log_time'] as const) {
    const v = event[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      problems.push(`${name} must be an integer ≥ 1, found ${found(name)}`);
  }
  for (const name of ['host', 'app', 'procid', 'message'] as const) {
    if (typeof event[name] !== 'string' || event[name] === '')
      problems.push(`${name} must be a non-empty string, found ${found(name)}`);
  }
  if (!facilities.includes(event.facility as SyslogEvent['facility']))
    problems.push(`facility must be one of ${facilities.join(', ')}, found ${found('facility')}`);
  if (!severities.includes(event.severity as SyslogEvent['severity']))
    problems.push(`severity must be one of ${severities.join(', ')}, found ${found('severity')}`);
  return problems;
}

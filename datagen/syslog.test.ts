import { describe, expect, it } from 'vitest';
import { invalidUserText, SyslogSequence, syslogHosts, syslogProblems } from './syslog.js';
import { parseSyslogArgs } from './syslog-command.js';

const events = (seed: number, count: number, first = 1) => {
  const sequence = new SyslogSequence({ seed });
  return Array.from({ length: count }, (_, i) => sequence.make(first + i, 1_000 + first + i));
};

describe('syslog events', () => {
  it('the same seed makes the same events, whichever id a run starts from', () => {
    const whole = events(42, 1200);
    const resumed = events(42, 200, 1001);
    expect(resumed).toEqual(whole.slice(1000));
    expect(events(43, 5)).not.toEqual(whole.slice(0, 5));
  });

  it('carries RFC 5424 fields, with the bastion most probed and a steady share of Invalid user attempts', () => {
    const all = events(7, 5000);
    for (const event of all.slice(0, 50)) {
      expect(Object.keys(event)).toEqual([
        'id',
        'log_time',
        'host',
        'app',
        'procid',
        'facility',
        'severity',
        'message',
      ]);
      expect(syslogHosts).toContain(event.host);
    }
    const attempts = all.filter((e) => e.message.includes(invalidUserText));
    const share = attempts.length / all.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.25);
    expect(attempts.every((e) => e.app === 'sshd' && e.message.startsWith('Invalid user '))).toBe(true);
    // The look-alike a lower-case LIKE finds instead.
    expect(all.some((e) => e.message.includes('invalid user'))).toBe(true);
    // Most attempts are on the bastion (the guide says so), and a fair share of the rest of the traffic is elsewhere.
    const bastion = attempts.filter((e) => e.host === 'bastion-01').length;
    expect(bastion / attempts.length).toBeGreaterThan(0.6);
    const quiet = all.filter((e) => !e.message.toLowerCase().includes('invalid user'));
    expect(quiet.filter((e) => e.host === 'bastion-01').length / quiet.length).toBeLessThan(0.35);
    expect(new Set(attempts.map((e) => e.host))).toEqual(new Set(syslogHosts));
  });

  it('reads its flags, and says what is wrong with a bad one', () => {
    expect(parseSyslogArgs([])).toMatchObject({ rate: 5, topic: 'syslog', format: 'json' });
    expect(parseSyslogArgs(['--rate', '20', '--count', '9'])).toMatchObject({ rate: 20, count: 9 });
    expect(parseSyslogArgs(['--rate', 'max'])).toMatchObject({ rate: 'max' });
    expect(() => parseSyslogArgs(['--rate', 'fast'])).toThrow(/--rate fast is not a number/);
    expect(() => parseSyslogArgs(['--count', '3', '--duration', '5s'])).toThrow('give --count or --duration, not both');
    expect(() => parseSyslogArgs(['--format', 'avro'])).toThrow(/--format/);
  });

  it('validates an event, naming each wrong field', () => {
    expect(events(3, 200).flatMap(syslogProblems)).toEqual([]);
    expect(
      syslogProblems({ id: 0, log_time: 5, host: '', app: 'sshd', procid: '1', facility: 'mail', message: 'x' }),
    ).toEqual([
      'id must be an integer ≥ 1, found 0',
      'host must be a non-empty string, found ""',
      'facility must be one of kern, daemon, auth, authpriv, cron, local7, found "mail"',
      'severity must be one of emerg, alert, crit, err, warning, notice, info, debug, found nothing',
    ]);
    expect(syslogProblems('Invalid user')).toEqual([
      'the value must be a JSON object (a syslog event), found "Invalid user"',
    ]);
  });
});

/**
 * An app's consumer group is alive on a topic: a member reads the topic, and the group keeps up with it (its lag, the
 * records written but not yet consumed, stays low or falls). A group whose lag grows is stuck: its app cannot
 * deliver what it reads.
 */
import { totalLag, viewGroup } from '#checks/clients/consumer-group.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface ConsumerGroupLive {
  group: string;
  topic: string;
  /** The command that runs the app, for the hint. */
  app: string;
  /** Where the app's output goes when solve starts it in the background (in the kit's state folder). */
  appLog?: string;
  maxLag: number;
}

export const consumerGroupLive: ExpectationKind<ConsumerGroupLive> = {
  kind: 'consumer-group-live',
  deadlineMs: 20_000,
  parse: (params) => {
    params.only(['group', 'topic', 'app', 'appLog', 'maxLag']);
    return {
      group: params.string('group'),
      topic: params.string('topic'),
      app: params.string('app'),
      appLog: params.optionalString('appLog'),
      maxLag: params.number('maxLag', 20),
    };
  },
  object: ({ group }) => `consumer group "${group}"`,
  expected: ({ topic, maxLag }) => `a live member reading topic ${topic}, at most ${maxLag} records behind`,
  observe: async ({ group, topic, app, appLog, maxLag }, { services }, memory): Promise<Observation> => {
    const view = await viewGroup(services, group, topic);
    if (view.members.length === 0) {
      if (view.state === 'PreparingRebalance' || view.state === 'CompletingRebalance') {
        return notYet(`the group is ${view.state}: a member is joining`);
      }
      return fail(
        `no live member (group state ${view.state}): the app is not running`,
        `start it in a terminal of its own and leave it running: ${app}`,
      );
    }
    const readers = view.members.filter((m) => m.topics.includes(topic));
    if (readers.length === 0) {
      const others = [...new Set(view.members.flatMap((m) => m.topics))];
      // Right after joining, the assignment can still be empty.
      if (others.length === 0) return notYet(`${view.members.length} member(s), no partition assigned yet`);
      return fail(
        `${view.members.length} member(s), reading ${others.join(', ')}, not ${topic}`,
        `stop it (Ctrl-C) and start it on the right topic: ${app}`,
      );
    }
    const lag = totalLag(view);
    const members = `${readers.length} member${readers.length === 1 ? '' : 's'} (${readers.map((m) => m.clientId).join(', ')})`;
    if (view.partitions.every((p) => p.committed === undefined)) {
      return pass(`${members} reading ${topic}; no offset committed yet: nothing has arrived since it started`);
    }
    if (lag <= BigInt(maxLag)) return pass(`${members} reading ${topic}, ${lag} record(s) behind`);
    // Too far behind: catching up (the lag falls between looks) is not yet; a lag that does not fall is stuck.
    const before = memory.lag as bigint | undefined;
    memory.lag = lag;
    if (before === undefined || lag < before) return notYet(`${members}, ${lag} records behind and catching up`);
    return fail(
      `${members}, ${lag} records behind and not catching up (was ${before})`,
      `the app reads but does not deliver: its output says why (a webhook failing, say), in its terminal${appLog ? ` or, when npm run solve started it, in .workshop/${appLog}` : ''}; fix that and it catches up by itself`,
    );
  },
};

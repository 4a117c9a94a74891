/**
 * The kit's own background processes that solve starts: a producer writing a topic, or an app consuming one in a
 * consumer group (the notifications app). Each is one of the kit's commands, started through the launcher in a
 * process group of its own, remembered by a pid file in the state folder (.workshop/), its output in a log there.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { viewGroup } from '#checks/clients/consumer-group.js';
import { topicOffsets } from '#checks/clients/kafka-read.js';
import type { Services } from '#checks/clients/services.js';
import { EnvironmentError, ExitCode, WorkshopError } from '#core/errors.js';
import {
  kitPidFile as pidFile,
  removePidFile,
  runningKitProcess as runningPid,
  signalGroup,
  spawnDetached,
  writePidFile,
} from '#core/process.js';
import { repoRoot, stateDir } from '#core/state-dir.js';
import { NotYet, waitFor } from '#core/wait.js';
import type { Removal, ResourceKind } from './resource.js';
import { deleteTopics, sumOfOffsets, topicIsReceiving } from './topics.js';

/** Starts one of the kit's commands as a background process of its own, remembered by a pid file; output to a log. */
export function spawnBackground(name: string, args: string[]): { child: ChildProcess; logPath: string } {
  const logPath = path.join(stateDir(), `${name}.log`);
  const title = `workshop-${name}-${randomUUID().slice(0, 8)}`;
  mkdirSync(stateDir(), { recursive: true });
  const child = spawnDetached({
    command: process.execPath,
    // The launcher npm run uses: the built kit, so the app starts without compiling.
    args: [`--title=${title}`, path.join(repoRoot, 'workshop', 'launcher', 'launch.mjs'), ...args],
    logPath,
    cwd: repoRoot,
    env: { ...process.env, CI: 'true' },
  });
  child.unref();
  writePidFile(pidFile(name), child.pid ?? 0, title);
  return { child, logPath };
}

export interface ProducerResource {
  kind: 'background-producer';
  /** Its pid and log files' name in the state folder. */
  name: string;
  /** The kit's command and its arguments: ["datagen", "ratings", …]. */
  args: string[];
  topic: string;
}

/** An app of the kit's that consumes a topic in a consumer group (the notifications app), and the log it writes. */
export interface ConsumerResource {
  kind: 'background-consumer';
  name: string;
  args: string[];
  group: string;
  topic: string;
  log?: string;
}

/** How long solve and reset watch a topic for a producer the kit did not start (the learner's own, say). */
export const otherProducerWindowMs = 3_000;

export async function startBackgroundProducer(
  services: Services,
  resource: ProducerResource,
  /** The command being run, for the learner to run again ("npm run solve step-3"). */
  again = 'the same solve',
): Promise<string> {
  const running = runningPid(resource.name);
  if (running) return `producer "${resource.name}": already running (pid ${running}), left alone`;
  // The learner's own producer, still running from the step's guide, already does the job: a second one would
  // write the same rating ids again.
  if (await topicIsReceiving(services, resource.topic, otherProducerWindowMs)) {
    return `producer "${resource.name}": not started, topic "${resource.topic}" is already receiving records from a producer of yours, left alone (later steps need it running: if you stop it, run ${again} again and the kit starts its own)`;
  }
  const { child, logPath } = spawnBackground(resource.name, resource.args);
  const before = await topicOffsets(services, resource.topic).catch(() => []);
  try {
    await waitFor({
      what: `producer "${resource.name}" to write to "${resource.topic}"`,
      timeoutMs: 30_000,
      intervalMs: 500,
      giveUpIf: () => (child.exitCode !== null ? `it exited with code ${child.exitCode}; see ${logPath}` : undefined),
      probe: async () => {
        const now = await topicOffsets(services, resource.topic).catch(() => []);
        return sumOfOffsets(now) > sumOfOffsets(before) ? true : new NotYet('no records yet');
      },
    });
  } catch (error) {
    // A producer that does not produce is stopped, not left running behind the learner's back.
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
    removePidFile(pidFile(resource.name));
    // The producer says why it stopped with its exit code: an unreachable broker is the platform's, not a mistake.
    if (child.exitCode === ExitCode.environment && !(error instanceof EnvironmentError)) {
      throw new EnvironmentError(
        `producer "${resource.name}" could not reach Kafka (see ${path.relative(repoRoot, logPath)})`,
        'check that the platform is up: npm run status, then run the same command again',
      );
    }
    throw error;
  }
  return `producer "${resource.name}": started in the background (pid ${child.pid}, log ${path.relative(repoRoot, logPath)})`;
}

/**
 * Stops a producer the kit started, if it runs: Ctrl-C (SIGINT), then a kill. Says what it did, or nothing when no
 * such producer runs.
 */
export async function stopProducerProcess(name: string, noun = 'producer', graceMs = 15_000): Promise<string[]> {
  const done: string[] = [];
  const pid = runningPid(name);
  const resource = { name };
  if (pid) {
    const stopped = (timeoutMs: number) =>
      waitFor({
        what: `${noun} "${resource.name}" (pid ${pid}) to stop`,
        timeoutMs,
        intervalMs: 100,
        probe: async () => (runningPid(resource.name) ? new NotYet('still running') : true),
      }).then(
        () => true,
        () => false,
      );
    signalGroup(pid, 'SIGINT');
    if (await stopped(graceMs)) {
      done.push(`${noun} "${resource.name}" stopped`);
    } else {
      signalGroup(pid, 'SIGKILL');
      if (await stopped(5_000)) {
        done.push(
          `${noun} "${resource.name}" stopped (it did not finish within ${graceMs / 1000} s of Ctrl-C, so it was killed)`,
        );
      } else {
        throw new WorkshopError(
          `${noun} "${resource.name}" (pid ${pid}) is still running after Ctrl-C and a kill`,
          `stop it yourself (Task Manager, or kill ${pid}), then run the same reset again`,
        );
      }
    }
  }
  removePidFile(pidFile(resource.name));
  return done;
}

export async function stopBackgroundProducer(services: Services, resource: ProducerResource): Promise<Removal[]> {
  const done: Removal[] = await stopProducerProcess(resource.name);
  // A producer the kit did not start (the learner's own) would write the topic straight back after it is deleted.
  if (await topicIsReceiving(services, resource.topic, otherProducerWindowMs)) {
    done.push({
      warning: `records are still arriving in topic "${resource.topic}" from a producer the kit did not start: stop it (Ctrl-C in its terminal), or it writes the topic back as soon as it is deleted`,
    });
  }
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (topics.includes(resource.topic)) {
    await deleteTopics(services, [resource.topic]);
    done.push(`topic "${resource.topic}" deleted`);
  }
  return done;
}

/**
 * Starts one of the kit's consumer apps (the notifications app) unless it runs already, or the group already has a
 * member reading the topic (the learner's own, in a terminal). Waits until its member has joined and reads the topic.
 */
export async function startBackgroundConsumer(services: Services, resource: ConsumerResource): Promise<string> {
  const running = runningPid(resource.name);
  if (running) return `app "${resource.name}": already running (pid ${running}), left alone`;
  const before = await viewGroup(services, resource.group, resource.topic);
  if (before.members.some((m) => m.topics.includes(resource.topic))) {
    return `app "${resource.name}": not started, consumer group "${resource.group}" already has a member reading "${resource.topic}" (yours, in a terminal?), left alone`;
  }
  const { child, logPath } = spawnBackground(resource.name, resource.args);
  try {
    await waitFor({
      what: `app "${resource.name}" to join consumer group "${resource.group}"`,
      timeoutMs: 45_000,
      intervalMs: 500,
      giveUpIf: () => (child.exitCode !== null ? `it exited with code ${child.exitCode}; see ${logPath}` : undefined),
      probe: async () => {
        const view = await viewGroup(services, resource.group, resource.topic);
        return view.members.some((m) => m.topics.includes(resource.topic)) ? true : new NotYet(`group ${view.state}`);
      },
    });
  } catch (error) {
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
    removePidFile(pidFile(resource.name));
    throw error;
  }
  return `app "${resource.name}": started in the background (pid ${child.pid}, log ${path.relative(repoRoot, logPath)})`;
}

/** Stops the kit's consumer app, then deletes its consumer group (so a new start begins afresh) and its log. */
export async function stopBackgroundConsumer(services: Services, resource: ConsumerResource): Promise<Removal[]> {
  const done: Removal[] = await stopProducerProcess(resource.name, 'app');
  // A member that was killed, not stopped, stays in the group until its session times out (10 s for the kit's app).
  const view = await waitFor({
    what: `consumer group "${resource.group}" to have no member`,
    timeoutMs: 12_000,
    intervalMs: 500,
    probe: async () => {
      const seen = await viewGroup(services, resource.group, resource.topic);
      return seen.members.length === 0 ? seen : new NotYet(`${seen.members.length} member(s)`);
    },
  }).catch(() => viewGroup(services, resource.group, resource.topic));
  if (view.members.length > 0) {
    done.push({
      warning: `consumer group "${resource.group}" still has ${view.members.length} member(s) the kit did not start: stop your app (Ctrl-C in its terminal), then run the same reset again to delete the group`,
    });
  } else if (view.state !== 'Dead') {
    await services.withKafkaAdmin(async (admin) => {
      await admin.listTopics(); // loads the metadata the group's coordinator is found with
      return admin.deleteGroups([resource.group]);
    });
    // Returns only once Kafka no longer knows the group: an app started right after begins afresh.
    await waitFor({
      what: `consumer group "${resource.group}" to be gone`,
      timeoutMs: 12_000,
      intervalMs: 200,
      probe: async () => {
        const seen = await viewGroup(services, resource.group, resource.topic);
        return seen.state === 'Dead' ? true : new NotYet(seen.state);
      },
    });
    done.push(`consumer group "${resource.group}" deleted`);
  }
  // The log goes with its group: the check compares the two, and a group still running keeps writing it.
  if (view.members.length === 0 && resource.log && existsSync(path.join(stateDir(), resource.log))) {
    rmSync(path.join(stateDir(), resource.log), { force: true });
    done.push(`delivery log .workshop/${resource.log} deleted`);
  }
  return done;
}

export const backgroundProducerResource: ResourceKind<ProducerResource> = {
  kind: 'background-producer',
  fields: ['name', 'args', 'topic'],
  parse: (params) => ({ name: params.string('name'), args: params.strings('args'), topic: params.string('topic') }),
  describe: (resource) => `background producer "${resource.name}" and topic "${resource.topic}"`,
  apply: async (services, resource, { again }) => [await startBackgroundProducer(services, resource, again)],
  remove: stopBackgroundProducer,
};

export const backgroundConsumerResource: ResourceKind<ConsumerResource> = {
  kind: 'background-consumer',
  fields: ['name', 'args', 'group', 'topic', 'log'],
  parse: (params) => ({
    name: params.string('name'),
    args: params.strings('args'),
    group: params.string('group'),
    topic: params.string('topic'),
    log: params.optionalString('log'),
  }),
  describe: (resource) =>
    `app "${resource.name}", its consumer group "${resource.group}"${resource.log ? ` and its log .workshop/${resource.log}` : ''}`,
  apply: async (services, resource) => [await startBackgroundConsumer(services, resource)],
  remove: stopBackgroundConsumer,
};

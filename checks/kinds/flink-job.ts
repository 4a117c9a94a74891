/**
 * A Flink job writes a table, and runs: the job an `INSERT INTO <table>` submitted is RUNNING on the cluster, alone
 * (two would write every record twice). A job that failed is shown with Flink's reason; one that was cancelled
 * (STOP JOB, or the web UI) says so.
 */
import { type FlinkJob, jobFailure, jobsWriting } from '#checks/clients/flink-look.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { formatClock } from '#core/wait.js';

interface FlinkJobExpectation {
  /** The table the job writes (INSERT INTO it). */
  writes: string;
}

const starting = ['CREATED', 'INITIALIZING', 'RESTARTING', 'RECONCILING'];

export const flinkJob: ExpectationKind<FlinkJobExpectation> = {
  kind: 'flink-job',
  deadlineMs: 20_000,
  parse: (params) => {
    params.only(['writes']);
    return { writes: params.string('writes') };
  },
  judges: ({ writes }) => writes,
  object: ({ writes }) => `the Flink job writing ${writes}`,
  expected: () => 'one job, RUNNING',
  observe: async ({ writes }, { services }): Promise<Observation> => {
    const jobs = await jobsWriting(services, writes);
    const running = jobs.filter((j) => j.state === 'RUNNING');
    if (running.length > 1) {
      return fail(
        `${running.length} jobs write ${writes} (${running.map((j) => j.jid).join(', ')}): each record is written ${running.length} times`,
        `stop all but one: npm run flink -- "STOP JOB '${running[running.length - 1]?.jid}'"`,
      );
    }
    const job = running[0];
    if (job) return pass(`job ${job.jid} RUNNING since ${formatClock(job['start-time'])} (UTC)`);
    const newest: FlinkJob | undefined = jobs[0];
    if (!newest) return fail(`no Flink job writes ${writes}`);
    if (starting.includes(newest.state)) {
      // Restarting after a failure: why, while Flink tries again (a job that keeps failing ends FAILED).
      const why = newest.state === 'RESTARTING' ? await jobFailure(services, newest.jid) : undefined;
      return notYet(`job ${newest.jid} is ${newest.state}${why ? `, after: ${why}` : ''}`);
    }
    if (newest.state === 'FAILED') {
      const why = await jobFailure(services, newest.jid);
      return fail(`job ${newest.jid} FAILED at ${formatClock(newest['end-time'])} (UTC)${why ? `: ${why}` : ''}`);
    }
    if (newest.state === 'CANCELED' || newest.state === 'CANCELLING') {
      return fail(
        `job ${newest.jid} was cancelled at ${formatClock(newest['end-time'])} (UTC): nothing writes ${writes} since`,
      );
    }
    return fail(`job ${newest.jid} is ${newest.state}, not RUNNING`);
  },
};

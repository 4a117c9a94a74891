import { notYet } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';
import { EnvironmentError } from '#core/errors.js';
import type { Services } from './services.js';

/** Kafka Connect's reason for an error answer (its REST API's ErrorMessage: {"error_code": …, "message": …}). */
export function connectReason(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? `: ${message.split('\n')[0]?.slice(0, 200)}` : '';
}

/** What a look at one of a connector's resources came to: the resource, or what the check found instead. */
export type ConnectorLook<T> = { body: T } | { observation: Observation };

/**
 * Reads one of a connector's resources (GET /connectors/<name>/status or /config). A 200 answer whose body `usable`
 * accepts gives the body. The answers a check waits out or judges give an observation: 404 what `missing` makes of
 * it; 409 (the workers rebalancing) not yet; 5xx not yet too, since a worker busy with a config change just made can
 * answer 500 for a moment, and the worker's trouble only if it lasts. Anything else is the worker's trouble, not the
 * learner's: an EnvironmentError, with `hint` if given.
 */
export async function readConnector<T>(
  services: Services,
  name: string,
  resource: 'status' | 'config',
  how: {
    missing: () => Observation | Promise<Observation>;
    usable: (body: T) => boolean;
    hint?: string;
  },
): Promise<ConnectorLook<T>> {
  const answer = await services.connect<T | undefined>(`/connectors/${encodeURIComponent(name)}/${resource}`);
  const said = `Kafka Connect answered GET /connectors/${name}/${resource} with HTTP ${answer.status}`;
  if (answer.status === 404) return { observation: await how.missing() };
  if (answer.status === 409) return { observation: notYet('Kafka Connect is rebalancing') };
  if (answer.status >= 500) {
    return { observation: { ...notYet(`${said}${connectReason(answer.body)}`), atDeadline: 'environment-error' } };
  }
  if (answer.status !== 200 || answer.body === undefined || !how.usable(answer.body)) {
    throw new EnvironmentError(said, how.hint);
  }
  return { body: answer.body };
}

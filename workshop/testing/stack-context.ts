/**
 * How an integration suite reaches the local stack that the global setup started:
 *
 *   describeWithStack('Kafka', (stack) => { it('...', async () => { ... stack().kafka.bootstrapServers ... }) })
 *
 * Where no stack could be started the suite is reported as skipped, its title carrying the reason.
 */
import { describe, inject } from 'vitest';
import type { LocalStackEndpoints } from '../stack/local-stack.js';

export type ProvidedStack = { endpoints: LocalStackEndpoints } | { skipReason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: ProvidedStack;
  }
}

export function describeWithStack(name: string, body: (stack: () => LocalStackEndpoints) => void): void {
  const provided = inject('localStack');
  const skipReason = 'skipReason' in provided ? provided.skipReason : undefined;
  const title = skipReason ? `${name} [skipped: ${skipReason}]` : name;
  describe.skipIf(skipReason !== undefined)(title, () => {
    body(() => {
      if (!('endpoints' in provided)) throw new Error(`no local stack: ${skipReason}`);
      return provided.endpoints;
    });
  });
}

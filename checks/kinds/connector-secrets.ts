/** A connector's secrets come from a config provider (${env:...} or ${file:...}), never written in its config. */

import { readConnector } from '#checks/clients/connect-answers.js';
import { type ExpectationKind, fail, pass } from '#checks/kind.js';

interface ConnectorSecrets {
  name: string;
  keys: string[];
}

const fromProvider = /^\$\{(env|file|directory):[^}]+\}$/;

export const connectorSecrets: ExpectationKind<ConnectorSecrets> = {
  kind: 'connector-secrets',
  deadlineMs: 10_000,
  parse: (params) => {
    params.only(['name', 'keys']);
    return { name: params.string('name'), keys: params.strings('keys') };
  },
  object: ({ name }) => `connector "${name}" config`,
  expected: ({ keys }) => `${keys.join(', ')} read through a config provider, like \${env:DEBEZIUM_DATABASE_PASSWORD}`,
  observe: async ({ name, keys }, { services }) => {
    const answer = await readConnector<Record<string, string>>(services, name, 'config', {
      missing: () => fail('no connector of that name'),
      usable: (body) => typeof body === 'object' && body !== null,
    });
    if ('observation' in answer) return answer.observation;
    const missing = keys.filter((key) => answer.body[key] === undefined);
    if (missing.length > 0) return fail(`${missing.join(', ')} not set`);
    const literal = keys.filter((key) => !fromProvider.test(answer.body[key] ?? ''));
    if (literal.length > 0) {
      // Never print the value itself: it is a password.
      return fail(
        `${literal.join(', ')} written into the config as plain text`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder a learner writes, not a template.
        'replace the value with a config provider reference such as ${env:NAME}: the Connect worker holds the secret, the REST API never shows it',
      );
    }
    return pass(keys.map((key) => `${key}=${answer.body[key] ?? '(not set)'}`).join(', '));
  },
};

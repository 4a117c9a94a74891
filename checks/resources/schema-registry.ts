import { registryMessage, subjectMissingCodes } from '#checks/clients/schema-registry-look.js';
import type { Services } from '#checks/clients/services.js';
import { WorkshopError } from '#core/errors.js';
import type { Removal, ResourceKind } from './resource.js';

/**
 * Schema Registry subjects the step's connectors and queries register (every subject given a level among them):
 * solve sets the compatibility levels given, reset deletes the subjects (soft, then hard) and their levels.
 */
export interface RegistryResource {
  kind: 'schema-registry';
  subjects: string[];
  compatibility: Record<string, string>;
}

const errorCode = (body: unknown) => (body as { error_code?: number } | undefined)?.error_code;

/** Sets each compatibility level the step gives, unless it is already so. */
export async function applySchemaRegistry(services: Services, resource: RegistryResource): Promise<string[]> {
  const done: string[] = [];
  for (const [subject, level] of Object.entries(resource.compatibility)) {
    const path = `/config/${encodeURIComponent(subject)}`;
    const now = await services.schemaRegistry<{ compatibilityLevel?: string }>(path);
    if (now.status === 200 && now.body?.compatibilityLevel === level) {
      done.push(`Schema Registry subject "${subject}": compatibility already ${level}, left unchanged`);
      continue;
    }
    const put = await services.schemaRegistry(path, { method: 'PUT', body: { compatibility: level } });
    if (put.status !== 200) {
      throw new WorkshopError(
        `the Schema Registry refused compatibility ${level} for "${subject}": ${registryMessage(put.body, put.status)}`,
        'the levels are NONE, BACKWARD, FORWARD, FULL and their _TRANSITIVE forms',
      );
    }
    done.push(`Schema Registry subject "${subject}": compatibility set to ${level}`);
  }
  return done;
}

/**
 * Deletes each subject: first soft (its versions are hidden but kept), then hard (gone, its name free for a new
 * first version), as the registry allows a hard delete only after a soft one. Then the subject's own level.
 */
export async function removeSchemaRegistry(services: Services, resource: RegistryResource): Promise<Removal[]> {
  const done: Removal[] = [];
  const { subjects } = resource;
  // A registry that cannot be reached stops here: reset names the subjects it left, removes the rest and exits 3.
  for (const subject of subjects) {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    const soft = await services.schemaRegistry<number[]>(path, { method: 'DELETE' });
    if (soft.status >= 500) {
      // The registry's own trouble (its Kafka store still starting): nothing deleted, nothing lost.
      done.push({
        warning: `the Schema Registry answered ${registryMessage(soft.body, soft.status)}: subject "${subject}" was not deleted`,
        again: 'once npm run status shows it healthy',
      });
      continue;
    }
    const softCode = errorCode(soft.body);
    if (soft.status !== 200 && !(soft.status === 404 && subjectMissingCodes.includes(softCode ?? 0))) {
      throw new WorkshopError(
        `the Schema Registry did not delete subject "${subject}": ${registryMessage(soft.body, soft.status)}`,
      );
    }
    // 40401 after a soft delete: nothing was there, or ksqlDB's DROP … DELETE TOPIC already removed it for good.
    const hard = await services.schemaRegistry<number[]>(`${path}?permanent=true`, { method: 'DELETE' });
    if (hard.status === 200) {
      done.push(
        `Schema Registry subject "${subject}" deleted (soft, then hard: ${Array.isArray(hard.body) ? hard.body.length : '?'} version(s))`,
      );
    } else if (!(hard.status === 404 && errorCode(hard.body) === 40401)) {
      throw new WorkshopError(
        `the Schema Registry did not delete subject "${subject}" for good: ${registryMessage(hard.body, hard.status)}`,
      );
    }
    if (subject in resource.compatibility) {
      const config = await services.schemaRegistry(`/config/${encodeURIComponent(subject)}`, { method: 'DELETE' });
      if (config.status === 200) done.push(`Schema Registry subject "${subject}": its compatibility level removed`);
    }
  }
  return done;
}

export const schemaRegistryResource: ResourceKind<RegistryResource> = {
  kind: 'schema-registry',
  service: 'Schema Registry',
  fields: ['subjects', 'compatibility'],
  parse(params, where) {
    const compatibility = Object.fromEntries(
      Object.entries(params.optionalMapping('compatibility') ?? {}).map(([subject, level]) => {
        if (typeof level !== 'string') {
          throw new Error(`${where}: compatibility of "${subject}" must be a level (FULL, BACKWARD, …)`);
        }
        return [subject, level.toUpperCase()];
      }),
    );
    // Every subject given a level is one reset deletes too.
    const subjects = [...new Set([...params.strings('subjects'), ...Object.keys(compatibility)])];
    return { subjects, compatibility };
  },
  describe: ({ subjects }) =>
    `Schema Registry subject${subjects.length > 1 ? 's' : ''} ${subjects.join(', ')} (soft, then hard) and their compatibility levels`,
  apply: (services, resource) => applySchemaRegistry(services, resource),
  remove: (services, resource) => removeSchemaRegistry(services, resource),
};

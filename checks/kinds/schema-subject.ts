/**
 * A Schema Registry subject as a step declares it: there, with at least so many versions, held to a compatibility
 * level, and its newest schema holding the fields named. The registry's refusals are shown in its own words
 * (40401 Subject 'x' not found.).
 */

import {
  avroFieldNames,
  compatibilityOf,
  subjectSchema,
  subjectVersions,
} from '#checks/clients/schema-registry-look.js';
import { type ExpectationKind, fail, notYet, pass } from '#checks/kind.js';
import type { Observation } from '#checks/types.js';

interface SchemaSubject {
  subject: string;
  minVersions: number;
  compatibility?: string;
  fields: string[];
}

const levels = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

export const schemaSubject: ExpectationKind<SchemaSubject> = {
  kind: 'schema-subject',
  // A subject appears when its first record is written: a moment after a connector or query starts.
  deadlineMs: 10_000,
  parse: (params) => {
    params.only(['subject', 'minVersions', 'compatibility', 'fields']);
    const compatibility = params.optionalString('compatibility')?.toUpperCase();
    if (compatibility && !levels.includes(compatibility)) {
      throw new Error(`"compatibility" must be one of ${levels.join(', ')}, found ${JSON.stringify(compatibility)}`);
    }
    return {
      subject: params.string('subject'),
      minVersions: params.number('minVersions', 1),
      compatibility,
      fields: params.strings('fields'),
    };
  },
  object: ({ subject }) => `Schema Registry subject "${subject}"`,
  expected: ({ minVersions, compatibility, fields }) =>
    [
      minVersions > 1 ? `at least ${minVersions} versions` : 'registered',
      compatibility && `compatibility ${compatibility}`,
      fields.length > 0 && `newest schema with field${fields.length > 1 ? 's' : ''} ${fields.join(', ')}`,
    ]
      .filter(Boolean)
      .join('; '),
  observe: async ({ subject, minVersions, compatibility, fields }, { services }): Promise<Observation> => {
    const versions = await subjectVersions(services, subject);
    if ('missing' in versions) {
      const all = await services.schemaRegistry<string[]>('/subjects');
      const subjects = Array.isArray(all.body) ? all.body : [];
      return notYet(
        `not in the registry (${versions.missing}); subjects: ${subjects.join(', ') || 'none'}`,
        'a subject is registered by whatever first writes Avro to its topic: the connector or the query of this step',
      );
    }
    if (compatibility) {
      const level = await compatibilityOf(services, subject);
      if (level.level !== compatibility) {
        return fail(
          `compatibility ${level.level}${level.own ? ' (set for this subject)' : ' (the registry’s default: none set for this subject)'}`,
          `set it: curl -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' --data '{"compatibility": "${compatibility}"}' ${services.config.schemaRegistryUrl}/config/${subject}`,
        );
      }
    }
    const newest = await subjectSchema(services, subject);
    if ('missing' in newest) return notYet(`no newest version (${newest.missing})`);
    const has = avroFieldNames(newest.schema);
    const lacking = fields.filter((f) => !has.includes(f));
    const shown = `${versions.versions.length} version${versions.versions.length === 1 ? '' : 's'} (${versions.versions.join(', ')}); newest is version ${newest.version}, schema id ${newest.id}, fields ${has.join(', ') || 'none'}`;
    if (lacking.length > 0 || versions.versions.length < minVersions) {
      return notYet(
        lacking.length > 0 ? `${shown}; no ${lacking.join(', ')}` : `${shown}; expected at least ${minVersions}`,
        'a new version is registered when the first record with the new schema is written: change the table, then change a row',
      );
    }
    return pass(`${shown}${compatibility ? `; compatibility ${compatibility}` : ''}`);
  },
};

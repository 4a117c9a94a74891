/**
 * Record schemas a step can name. Each returns the problems of one record value, each naming the field, what was
 * expected and what was found; an empty list means valid. The rating schema is the data generator's own.
 */
import { ratingProblems } from '#datagen/rating-schema.js';
import { syslogProblems } from '#datagen/syslog.js';

export const recordSchemas: Record<string, (value: unknown) => string[]> = {
  rating: ratingProblems,
  syslog: syslogProblems,
};

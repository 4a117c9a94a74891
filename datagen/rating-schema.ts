/**
 * The rating event: one definition of its fields, from which come the TypeScript type, the validator that datagen,
 * the checks and the tests share, and the Avro schema that `--format avro` registers.
 *
 * The validator returns problems rather than throwing, each naming the field, what was expected and what was found,
 * so a check can show a learner every mistake in a record at once.
 */

/** A rating event as the talk's demo produced it: the record's value, as JSON. */
export interface Rating {
  rating_id: number;
  user_id: number;
  stars: number;
  route_id: number;
  rating_time: number;
  channel: string;
  message: string;
}

export type RatingFieldType = 'long' | 'int' | 'string';

export interface RatingField {
  name: keyof Rating;
  type: RatingFieldType;
  /** The column type a ksqlDB stream over the topic declares for this field. */
  ksqlDbType: 'BIGINT' | 'INT' | 'VARCHAR';
  description: string;
  /** A constraint beyond the type: its wording for messages, and the test. */
  rule?: { expected: string; holds: (value: number | string) => boolean; hint?: (value: number | string) => string };
}

/** Epoch milliseconds before this (2001-09-09) are almost surely epoch seconds: the classic mistake. */
const earliestMillis = 1_000_000_000_000;

export const ratingFields: readonly RatingField[] = [
  {
    name: 'rating_id',
    type: 'long',
    ksqlDbType: 'BIGINT',
    description: 'counts up from 1; also the record key, as a string',
    rule: { expected: 'an integer ≥ 1', holds: (v) => (v as number) >= 1 },
  },
  {
    name: 'user_id',
    type: 'int',
    ksqlDbType: 'INT',
    description: 'the customer who rated: mostly a known customer id, sometimes not (a guest)',
  },
  {
    name: 'stars',
    type: 'int',
    ksqlDbType: 'INT',
    description: '1 (awful) to 5 (excellent)',
    rule: { expected: 'an integer 1..5', holds: (v) => (v as number) >= 1 && (v as number) <= 5 },
  },
  {
    name: 'route_id',
    type: 'int',
    ksqlDbType: 'INT',
    description: 'the route flown',
    rule: { expected: 'an integer ≥ 1', holds: (v) => (v as number) >= 1 },
  },
  {
    name: 'rating_time',
    type: 'long',
    ksqlDbType: 'BIGINT',
    description: 'when the rating was sent, in epoch milliseconds',
    rule: {
      expected: 'epoch milliseconds (an integer from 1000000000000, in 2001, on)',
      holds: (v) => (v as number) >= earliestMillis,
      hint: (v) => ((v as number) >= 1_000_000_000 ? ' — that looks like epoch seconds: multiply by 1000' : ''),
    },
  },
  {
    name: 'channel',
    type: 'string',
    ksqlDbType: 'VARCHAR',
    description: 'where the rating came from: web, iOS, ios, iOS-test, android (mixed case on purpose)',
    rule: { expected: 'a non-empty string', holds: (v) => (v as string).length > 0 },
  },
  {
    name: 'message',
    type: 'string',
    ksqlDbType: 'VARCHAR',
    description: 'what the customer wrote',
  },
];

export const ratingFieldNames: readonly (keyof Rating)[] = ratingFields.map((field) => field.name);

const typeWording: Record<RatingFieldType, string> = {
  long: 'an integer',
  int: 'a 32-bit integer',
  string: 'a string',
};

function hasType(value: unknown, type: RatingFieldType): boolean {
  switch (type) {
    case 'long':
      return Number.isSafeInteger(value);
    case 'int':
      return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
    case 'string':
      return typeof value === 'string';
  }
}

/** How a found value is quoted in a problem: JSON, shortened. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Every way `value` (a parsed JSON record value) falls short of a rating, one line each:
 * `stars: expected an integer 1..5, found 7`. An empty list means it is a valid rating.
 */
export function ratingProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      `value: expected a JSON object with the fields ${ratingFieldNames.join(', ')}, found ${describeFound(value)}`,
    ];
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ratingFields) {
    const found = record[field.name];
    if (!hasType(found, field.type)) {
      const expected = field.rule ? field.rule.expected : typeWording[field.type];
      const sameTypeHint = field.type !== 'string' && typeof found === 'string' ? ' (a string, not a number)' : '';
      problems.push(`${field.name}: expected ${expected}, found ${describeFound(found)}${sameTypeHint}`);
    } else if (field.rule && !field.rule.holds(found as number | string)) {
      const hint = field.rule.hint?.(found as number | string) ?? '';
      problems.push(`${field.name}: expected ${field.rule.expected}, found ${describeFound(found)}${hint}`);
    }
  }
  for (const name of Object.keys(record)) {
    if (!(ratingFieldNames as readonly string[]).includes(name)) {
      problems.push(`${name}: unexpected field; a rating has exactly ${ratingFieldNames.join(', ')}`);
    }
  }
  return problems;
}

export function isRating(value: unknown): value is Rating {
  return ratingProblems(value).length === 0;
}

/**
 * The problems of a Kafka record in the ratings topic: its value must be a JSON rating and its key the rating_id as a
 * string. Takes the key and value as the consumer gives them (text, or null).
 */
export function ratingRecordProblems(record: { key: string | null; value: string | null }): string[] {
  if (record.value === null) return ['value: expected a JSON rating, found null (a tombstone)'];
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value);
  } catch {
    return [`value: expected JSON, found ${describeFound(record.value)}`];
  }
  const problems = ratingProblems(parsed);
  const ratingId = (parsed as Partial<Rating> | null)?.rating_id;
  if (Number.isSafeInteger(ratingId) && record.key !== String(ratingId)) {
    problems.push(`key: expected "${ratingId}" (the rating_id as a string), found ${describeFound(record.key)}`);
  }
  return problems;
}

/** The Avro schema for `--format avro`, registered under the subject `<topic>-value`. */
export const ratingAvroSchema = {
  type: 'record',
  name: 'Rating',
  namespace: 'workshop.ratings',
  doc: 'A rating of a flight, as the talk "Apache Kafka and ksqlDB in Action" produced them',
  fields: ratingFields.map((field) => ({ name: field.name, type: field.type, doc: field.description })),
} as const;

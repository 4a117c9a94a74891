/**
 * The customers of demo.CUSTOMERS: made with faker from a fixed seed and written as the SQL file the platform's MySQL
 * loads at its first start. The same seed gives the same file, byte for byte, so the file in the repository can be
 * proven current. Ratings' user ids match these customers' ids (1..20 by default).
 */
import { fileURLToPath } from 'node:url';
import { base, en, Faker } from '@faker-js/faker';
import type { CustomerIds } from './rating.js';

export const clubStatuses = ['bronze', 'silver', 'gold', 'platinum'] as const;
export type ClubStatus = (typeof clubStatuses)[number];

export interface Customer {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  gender: string;
  club_status: ClubStatus;
  comments: string;
}

export const defaultCustomerCount = 20;
export const defaultCustomerSeed = 2020;
/** The ids the seed file holds, and so the ids ratings use by default. */
export const seededCustomerIds: CustomerIds = { first: 1, last: defaultCustomerCount };

// In a module of its own, so the check that uses it does not load faker.
export { reservedProbeIds } from './probe-ids.js';

/** The file the platform's MySQL runs at first start (files in docker/mysql/initdb run in name order). */
export const customerSeedFile = fileURLToPath(new URL('../docker/mysql/initdb/20-customers.sql', import.meta.url));

/** Shares of each club status; a quarter platinum, so unhappy platinum customers show up within a minute or two. */
const statusShares: Record<ClubStatus, number> = { bronze: 0.3, silver: 0.25, gold: 0.2, platinum: 0.25 };

const commentPhrases = [
  'Prefers an aisle seat',
  'Always asks for the vegetarian meal',
  'Travels with a folding bike',
  'Flying with us since {year}',
  'Complained about the lounge in {year}',
  'Likes to board early',
  'Needs assistance at the gate',
  'Collects the amenity kits',
  'Usually books the red-eye',
  'Asked to be called by first name',
  'Travels with a small dog',
  'Never checks a bag',
] as const;

export function newCustomerFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  return faker;
}

/** One customer with this id and club status, drawn with `faker`. */
export function makeCustomer(faker: Faker, id: number, clubStatus: ClubStatus): Customer {
  const sex = faker.person.sexType();
  const firstName = faker.person.firstName(sex);
  const lastName = faker.person.lastName();
  return {
    id,
    first_name: firstName,
    last_name: lastName,
    email: newEmail(faker, firstName, lastName),
    gender: sex === 'female' ? 'Female' : 'Male',
    club_status: clubStatus,
    comments: newComment(faker),
  };
}

/** An address at example.com/.net/.org: realistic, and never someone's real inbox. */
export function newEmail(faker: Faker, firstName: string, lastName: string): string {
  return faker.internet.exampleEmail({ firstName, lastName }).toLowerCase();
}

export function newComment(faker: Faker): string {
  const phrase = faker.helpers.arrayElement(commentPhrases);
  return phrase.replace('{year}', String(faker.number.int({ min: 2005, max: 2019 })));
}

/** `count` customers with ids 1..count; the club statuses come in fixed shares, shuffled. */
export function makeCustomers(count = defaultCustomerCount, seed = defaultCustomerSeed): Customer[] {
  const faker = newCustomerFaker(seed);
  const statuses: ClubStatus[] = [];
  for (const status of ['platinum', 'gold', 'silver'] as const) {
    statuses.push(...Array<ClubStatus>(Math.round(count * statusShares[status])).fill(status));
  }
  statuses.push(...Array<ClubStatus>(Math.max(0, count - statuses.length)).fill('bronze'));
  const shuffled = faker.helpers.shuffle(statuses.slice(0, count));
  return shuffled.map((status, index) => makeCustomer(faker, index + 1, status));
}

/**
 * A string literal both MySQL and MariaDB read the same in every SQL mode: quotes doubled, and no backslash (which
 * NO_BACKSLASH_ESCAPES would read differently).
 */
export function sqlString(text: string): string {
  if (/[\\\0\n\r]/.test(text)) throw new Error(`cannot write ${JSON.stringify(text)} as a portable SQL string`);
  return `'${text.replace(/'/g, "''")}'`;
}

/** The columns and their order, shared by the seed file and `--changes`. */
export const customerColumns = ['id', 'first_name', 'last_name', 'email', 'gender', 'club_status', 'comments'] as const;

/**
 * The table's one definition: the seed file carries it, so the platform's MySQL (after 10-schema-and-users.sql has
 * made the database and users) and any MySQL or MariaDB with a demo database get the same table.
 */
export const createCustomersTable = `CREATE TABLE IF NOT EXISTS demo.CUSTOMERS (
  id          INT          NOT NULL PRIMARY KEY,
  first_name  VARCHAR(50)  NOT NULL,
  last_name   VARCHAR(50)  NOT NULL,
  email       VARCHAR(100) NOT NULL,
  gender      VARCHAR(20),
  club_status VARCHAR(8)   NOT NULL,
  comments    VARCHAR(255),
  create_ts   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  update_ts   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  CONSTRAINT customers_club_status CHECK (club_status IN ('bronze', 'silver', 'gold', 'platinum'))
) DEFAULT CHARSET = utf8mb4;`;

/** The seed file's text. No timestamps in it: the server fills create_ts and update_ts when it loads the rows. */
export function customerSeedSql(count = defaultCustomerCount, seed = defaultCustomerSeed): string {
  const rows = makeCustomers(count, seed).map(
    (c) =>
      `  (${c.id}, ${[c.first_name, c.last_name, c.email, c.gender, c.club_status, c.comments].map(sqlString).join(', ')})`,
  );
  const command = `npm run datagen -- customers${count === defaultCustomerCount ? '' : ` --count ${count}`}${seed === defaultCustomerSeed ? '' : ` --seed ${seed}`}`;
  return [
    `-- demo.CUSTOMERS: ${count} customers, ids 1..${count}: the user_id range of the rating events.`,
    `-- Generated by \`${command}\` (faker, seed ${seed}). Do not edit: run the generator again.`,
    '-- MySQL runs it when the platform first starts, after 10-schema-and-users.sql.',
    'SET NAMES utf8mb4;',
    '',
    createCustomersTable,
    '',
    `INSERT INTO demo.CUSTOMERS (${customerColumns.join(', ')}) VALUES`,
    `${rows.join(',\n')};`,
    '',
  ].join('\n');
}

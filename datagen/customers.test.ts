import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  customerSeedFile,
  customerSeedSql,
  defaultCustomerCount,
  makeCustomers,
  seededCustomerIds,
  sqlString,
} from './customers.js';
import { defaultRatingOptions } from './rating.js';

describe('the customers of demo.CUSTOMERS', () => {
  it('the seed file in the repository is the generator’s current output (else: npm run datagen -- customers)', () => {
    expect(readFileSync(customerSeedFile, 'utf8')).toBe(customerSeedSql());
  });

  it('are the same, byte for byte, for the same seed', () => {
    expect(customerSeedSql(20, 99)).toBe(customerSeedSql(20, 99));
    expect(customerSeedSql(20, 99)).not.toBe(customerSeedSql(20, 100));
  });

  it('have the ids the ratings use by default', () => {
    const customers = makeCustomers();
    expect(customers.map((c) => c.id)).toEqual(Array.from({ length: defaultCustomerCount }, (_, i) => i + 1));
    expect(seededCustomerIds).toEqual({ first: 1, last: defaultCustomerCount });
    expect(defaultRatingOptions.customers).toEqual(seededCustomerIds);
  });

  it('hold every club status, with enough platinum customers for unhappy ones to show up soon', () => {
    for (const seed of [2020, 1, 77]) {
      const statuses = makeCustomers(20, seed).map((c) => c.club_status);
      expect(statuses.filter((s) => s === 'platinum')).toHaveLength(5);
      expect(new Set(statuses)).toEqual(new Set(['bronze', 'silver', 'gold', 'platinum']));
    }
    expect(makeCustomers(3, 1).map((c) => c.club_status)).toHaveLength(3);
  });

  it('have plausible names, genders and example.* emails', () => {
    for (const customer of makeCustomers(200, 5)) {
      expect(customer.first_name.length).toBeGreaterThan(0);
      expect(customer.last_name.length).toBeGreaterThan(0);
      expect(['Female', 'Male']).toContain(customer.gender);
      expect(customer.email).toMatch(/^[a-z0-9._'-]+@example\.(com|net|org)$/);
      expect(customer.comments.length).toBeGreaterThan(0);
    }
  });

  it('are written as SQL both MySQL and MariaDB read in any SQL mode', () => {
    expect(sqlString("O'Reilly")).toBe("'O''Reilly'");
    expect(() => sqlString('back\\slash')).toThrow(/portable/);
    const sql = customerSeedSql();
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS demo.CUSTOMERS (');
    expect(sql).toContain('update_ts   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP');
    expect(sql).toMatch(
      /INSERT INTO demo\.CUSTOMERS \(id, first_name, last_name, email, gender, club_status, comments\) VALUES\n {2}\(1, '/,
    );
    expect(sql.trimEnd().endsWith(');')).toBe(true);
  });
});

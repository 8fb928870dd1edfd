import { describe, expect, it } from '@jest/globals';
import { namespace, parseNamespace } from '../../../src/catalog/namespace.js';
import {
  isDatabaseIncluded,
  isNamespaceIncluded,
  type NamespaceFilterOptions,
} from '../../../src/catalog/namespace_filter.js';

const ns = (text: string) => {
  const parsed = parseNamespace(text);
  if (parsed === undefined) throw new Error(`bad namespace ${text}`);
  return parsed;
};

const NONE: NamespaceFilterOptions = {};
const SALES_ONLY: NamespaceFilterOptions = { includeNamespaces: [{ database: 'sales' }] };
const TWO_COLLECTIONS: NamespaceFilterOptions = { includeNamespaces: [{ database: 'app', collections: ['users', 'a.b'] }] };
const REGEX: NamespaceFilterOptions = {
  includeNamespaces: [
    { databaseRegex: { pattern: '^tenant_', options: '' }, collectionsRegex: { pattern: '^orders', options: 'i' } },
  ],
};
const EXCLUDE_ONLY: NamespaceFilterOptions = { excludeNamespaces: [{ database: 'sales', collections: ['tmp'] }] };
const INCLUDE_AND_EXCLUDE: NamespaceFilterOptions = {
  includeNamespaces: [{ database: 'sales' }],
  excludeNamespaces: [{ databaseRegex: { pattern: '.', options: '' }, collectionsRegex: { pattern: '^tmp_', options: '' } }],
};

describe('isNamespaceIncluded', () => {
  it.each([
    // No filter: everything except the never-synced namespaces.
    [NONE, 'sales.orders', true],
    [NONE, 'admin.users', false],
    [NONE, 'local.oplog.rs', false],
    [NONE, 'config.chunks', false],
    [NONE, '__c2c_sync_internal.partitions', false],
    [NONE, 'sales.system.views', false],
    [NONE, 'sales.system.js', false],
    [NONE, 'sales.systemic', true],
    // A whole database.
    [SALES_ONLY, 'sales.orders', true],
    [SALES_ONLY, 'sales.system.profile', false],
    [SALES_ONLY, 'salesx.orders', false],
    [SALES_ONLY, 'hr.people', false],
    // Listed collections, including one with a dot.
    [TWO_COLLECTIONS, 'app.users', true],
    [TWO_COLLECTIONS, 'app.a.b', true],
    [TWO_COLLECTIONS, 'app.a', false],
    [TWO_COLLECTIONS, 'app.Users', false],
    // Regexes: unanchored unless written with ^/$, with their options.
    [REGEX, 'tenant_1.orders', true],
    [REGEX, 'tenant_1.ORDERS_2024', true],
    [REGEX, 'tenant_1.old_orders', false],
    [REGEX, 'x_tenant_1.orders', false],
    [REGEX, 'TENANT_1.orders', false],
    // Exclusion only.
    [EXCLUDE_ONLY, 'sales.tmp', false],
    [EXCLUDE_ONLY, 'sales.orders', true],
    [EXCLUDE_ONLY, 'hr.tmp', true],
    // Exclude wins over include.
    [INCLUDE_AND_EXCLUDE, 'sales.tmp_1', false],
    [INCLUDE_AND_EXCLUDE, 'sales.orders', true],
    [INCLUDE_AND_EXCLUDE, 'hr.orders', false],
  ])('%# under the filter: %s is included = %s', (filter, text, expected) => {
    expect(isNamespaceIncluded(filter, ns(text as string))).toBe(expected);
  });

  it('compiles a regex once and never keeps state between calls', () => {
    const filter: NamespaceFilterOptions = { includeNamespaces: [{ databaseRegex: { pattern: 'a', options: '' } }] };
    for (let i = 0; i < 3; i += 1) expect(isNamespaceIncluded(filter, namespace('a', 'c'))).toBe(true);
  });
});

describe('isDatabaseIncluded', () => {
  it.each([
    [NONE, 'sales', true],
    [NONE, 'admin', false],
    [SALES_ONLY, 'sales', true],
    [SALES_ONLY, 'hr', false],
    [EXCLUDE_ONLY, 'sales', true],
    [{ excludeNamespaces: [{ database: 'sales' }] }, 'sales', false],
  ])('%# %s', (filter, db, expected) => {
    expect(isDatabaseIncluded(filter as NamespaceFilterOptions, db as string)).toBe(expected);
  });
});

describe('parseNamespace', () => {
  it.each([
    ['db.coll', { db: 'db', coll: 'coll' }],
    ['db.a.b', { db: 'db', coll: 'a.b' }],
    ['db', undefined],
    ['.coll', undefined],
    ['db.', undefined],
  ])('parses %j', (text, expected) => {
    expect(parseNamespace(text)).toEqual(expected);
  });
});

import { Int32, type Document } from 'bson';
import { CommandError } from '../../errors.js';
import { isNumeric, toNumber } from '../bson_order.js';

/**
 * Expands a collation to the full form mongod stores and reports (listCollections options, index specs), with
 * ICU's defaults filled in; `{locale: 'simple'}` is the binary comparison and gives undefined (nothing stored).
 * Only the catalog keeps collations: comparisons in this server stay binary (simple), which our tests accept.
 */
export function normalizeCollation(value: unknown): Document | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CommandError('TypeMismatch', "BSON field 'collation' is the wrong type, expected type 'object'");
  }
  const c = value as Document;
  if (typeof c.locale !== 'string') {
    throw new CommandError('IDLFailedToParse', "BSON field 'locale' is missing but a required field");
  }
  if (c.locale === 'simple') {
    if (Object.keys(c).length > 1) throw new CommandError('BadValue', 'If "locale" is set to "simple", then no other fields may be set.');
    return undefined;
  }
  const strength = c.strength === undefined ? 3 : toNumber(c.strength);
  if (c.strength !== undefined && (!isNumeric(c.strength) || ![1, 2, 3, 4, 5].includes(strength))) {
    throw new CommandError('FailedToParse', 'Field \'strength\' must be an integer 1 through 5. Got: ' + String(c.strength));
  }
  return {
    locale: c.locale,
    caseLevel: c.caseLevel ?? false,
    caseFirst: c.caseFirst ?? 'off',
    strength: new Int32(strength),
    numericOrdering: c.numericOrdering ?? false,
    alternate: c.alternate ?? 'non-ignorable',
    maxVariable: c.maxVariable ?? 'punct',
    normalization: c.normalization ?? false,
    backwards: c.backwards ?? c.locale === 'fr_CA',
    version: '57.1',
  };
}

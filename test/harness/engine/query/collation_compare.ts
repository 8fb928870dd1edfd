import { BSONSymbol, DBRef, type Document } from 'bson';
import { CANONICAL_RANK, canonicalRank, compareStrings, compareValues } from '../bson_order.js';

/** Compares two BSON values; negative, zero or positive. */
export type ValueComparator = (a: unknown, b: unknown) => number;

/**
 * A comparator for a collation (ICU through Intl.Collator, which Node builds with full ICU data): strings (and
 * symbols) compare by the collation, everything else in BSON order as with the simple collation. Field names never
 * use the collation. Returns undefined for the simple collation (absent, or `{locale: "simple"}`).
 *
 * Mapping of mongod's options: strength 1 → base letters, 2 → accents, 3+ → case and variants (`caseLevel` adds
 * case to strength 1), `numericOrdering` → numeric, `caseFirst`, `alternate: "shifted"` → punctuation ignored.
 * `backwards` (French accent ordering) has no Intl counterpart and is ignored.
 */
export function collationComparator(collation: Document | undefined): ValueComparator | undefined {
  if (!collation || collation.locale === undefined || collation.locale === 'simple') return undefined;
  const strength = Number(collation.strength ?? 3);
  const sensitivity = strength === 1 ? (collation.caseLevel === true ? 'case' : 'base') : strength === 2 ? 'accent' : 'variant';
  const caseFirst = collation.caseFirst === 'upper' || collation.caseFirst === 'lower' ? collation.caseFirst : 'false';
  const locale = String(collation.locale).replace(/_/g, '-');
  let collator: Intl.Collator;
  try {
    collator = new Intl.Collator(locale === 'root' ? 'und' : locale, {
      sensitivity,
      numeric: collation.numericOrdering === true,
      caseFirst,
      ignorePunctuation: collation.alternate === 'shifted',
      usage: 'sort',
    });
  } catch {
    collator = new Intl.Collator('und', { sensitivity, numeric: collation.numericOrdering === true });
  }
  const compareText = (x: string, y: string): number => {
    const c = collator.compare(x, y);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  };
  const compare: ValueComparator = (a, b) => {
    const ra = canonicalRank(a);
    const rb = canonicalRank(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    switch (ra) {
      case CANONICAL_RANK.string: return compareText(text(a), text(b));
      case CANONICAL_RANK.array: {
        const x = a as unknown[];
        const y = b as unknown[];
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const c = compare(x[i], y[i]);
          if (c) return c;
        }
        return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
      }
      case CANONICAL_RANK.object: {
        const x = entries(a as Document);
        const y = entries(b as Document);
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const [ka, va] = x[i];
          const [kb, vb] = y[i];
          const rka = canonicalRank(va);
          const rkb = canonicalRank(vb);
          if (rka !== rkb) return rka < rkb ? -1 : 1;
          const byName = compareStrings(ka, kb);
          if (byName) return byName;
          const byValue = compare(va, vb);
          if (byValue) return byValue;
        }
        return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
      }
      default: return compareValues(a, b);
    }
  };
  return compare;
}

function text(v: unknown): string {
  return v instanceof BSONSymbol ? v.value : (v as string);
}

function entries(d: Document): [string, unknown][] {
  return d instanceof DBRef ? Object.entries(d.toJSON()) : Object.entries(d);
}

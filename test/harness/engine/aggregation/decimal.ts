import { Decimal128 } from 'bson';

/**
 * Exact decimal arithmetic for Decimal128 values (bson's Decimal128 only encodes and decodes). Values are a BigInt
 * coefficient and a base-10 exponent; results are rounded to 34 digits, half to even, when encoded, as IEEE 754-2008
 * decimal128 arithmetic in mongod does.
 */
export type Dec =
  | { readonly kind: 'finite'; readonly neg: boolean; readonly coef: bigint; readonly exp: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'inf'; readonly neg: boolean };

const NAN: Dec = { kind: 'nan' };

/** Parses a Decimal128 (or its string form). */
export function decFrom(value: Decimal128 | string): Dec {
  const s = typeof value === 'string' ? value : value.toString();
  if (/^-?NaN$/i.test(s)) return NAN;
  const inf = /^([+-])?Inf(inity)?$/i.exec(s);
  if (inf) return { kind: 'inf', neg: inf[1] === '-' };
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return NAN;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  const digits = `${intPart}${frac}` || '0';
  return { kind: 'finite', neg: m[1] === '-', coef: BigInt(digits), exp: Number(m[4] ?? 0) - frac.length };
}

/** A double as mongod converts it to decimal: rounded to 15 significant digits. */
export function decFromDouble(x: number): Dec {
  if (Number.isNaN(x)) return NAN;
  if (!Number.isFinite(x)) return { kind: 'inf', neg: x < 0 };
  if (x === 0) return { kind: 'finite', neg: Object.is(x, -0), coef: 0n, exp: 0 };
  return decFrom(x.toPrecision(15));
}

/** An integer as an exact decimal. */
export function decFromBigInt(b: bigint): Dec {
  return { kind: 'finite', neg: b < 0n, coef: b < 0n ? -b : b, exp: 0 };
}

/** Encodes, rounding to 34 significant digits. */
export function decToDecimal128(d: Dec): Decimal128 {
  if (d.kind === 'nan') return Decimal128.fromString('NaN');
  if (d.kind === 'inf') return Decimal128.fromString(d.neg ? '-Infinity' : 'Infinity');
  let { coef, exp } = d;
  // Keep the exponent within decimal128's range by trading trailing zeros (exact) or digits (rounded).
  while (exp > 6111 && coef !== 0n && coef.toString().length < 34) {
    coef *= 10n;
    exp--;
  }
  if (coef === 0n) exp = Math.max(-6176, Math.min(6111, exp));
  const text = `${d.neg ? '-' : ''}${coef.toString()}E${exp}`;
  try {
    return Decimal128.fromStringWithRounding(text);
  } catch {
    // Beyond the representable range: overflow to infinity, underflow to zero.
    return Decimal128.fromString(exp > 0 ? (d.neg ? '-Infinity' : 'Infinity') : d.neg ? '-0' : '0');
  }
}

/** The value as a double (approximate). */
export function decToNumber(d: Dec): number {
  if (d.kind === 'nan') return NaN;
  if (d.kind === 'inf') return d.neg ? -Infinity : Infinity;
  return Number(`${d.neg ? '-' : ''}${d.coef.toString()}e${d.exp}`);
}

function signed(d: Extract<Dec, { kind: 'finite' }>): bigint {
  return d.neg ? -d.coef : d.coef;
}

function finite(value: bigint, exp: number, negZero = false): Dec {
  return { kind: 'finite', neg: value < 0n || (value === 0n && negZero), coef: value < 0n ? -value : value, exp };
}

/** a + b, exact (rounded when encoded). */
export function decAdd(a: Dec, b: Dec): Dec {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.neg !== b.neg) return NAN;
    return a.kind === 'inf' ? a : b;
  }
  const exp = Math.min(a.exp, b.exp);
  const x = signed(a) * 10n ** BigInt(a.exp - exp);
  const y = signed(b) * 10n ** BigInt(b.exp - exp);
  return finite(x + y, exp, a.neg && b.neg);
}

/** -a. */
export function decNegate(a: Dec): Dec {
  if (a.kind === 'nan') return a;
  return { ...a, neg: !a.neg };
}

/** a * b, exact (rounded when encoded). */
export function decMul(a: Dec, b: Dec): Dec {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  const neg = (a.kind === 'inf' ? a.neg : a.neg) !== (b.kind === 'inf' ? b.neg : b.neg);
  if (a.kind === 'inf' || b.kind === 'inf') {
    const other = a.kind === 'inf' ? b : a;
    if (other.kind === 'finite' && other.coef === 0n) return NAN;
    return { kind: 'inf', neg };
  }
  return { kind: 'finite', neg, coef: a.coef * b.coef, exp: a.exp + b.exp };
}

/** a / b with 34 significant digits; an exact quotient keeps the exponent nearest the ideal one (IEEE 754). */
export function decDiv(a: Dec, b: Dec): Dec {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' && b.kind === 'inf') return NAN;
  const neg = a.neg !== b.neg;
  if (a.kind === 'inf') return { kind: 'inf', neg };
  if (b.kind === 'inf') return { kind: 'finite', neg, coef: 0n, exp: 0 };
  if (b.coef === 0n) return a.coef === 0n ? NAN : { kind: 'inf', neg };
  const ideal = a.exp - b.exp;
  if (a.coef === 0n) return { kind: 'finite', neg, coef: 0n, exp: ideal };
  // Scale the dividend so that the quotient has at least 36 digits, then keep a sticky digit for rounding.
  const scale = Math.max(0, 36 + b.coef.toString().length - a.coef.toString().length);
  const num = a.coef * 10n ** BigInt(scale);
  let q = num / b.coef;
  const r = num % b.coef;
  let exp = ideal - scale;
  if (r !== 0n) {
    q = q * 10n + 1n;
    exp -= 1;
    return { kind: 'finite', neg, coef: q, exp };
  }
  while (exp < ideal && q % 10n === 0n) {
    q /= 10n;
    exp++;
  }
  return { kind: 'finite', neg, coef: q, exp };
}

/** True when the value is zero. */
export function decIsZero(a: Dec): boolean {
  return a.kind === 'finite' && a.coef === 0n;
}

/** Compares two decimals by value (NaN lowest, as BSON order). */
export function decCompare(a: Dec, b: Dec): number {
  if (a.kind === 'nan' || b.kind === 'nan') return a.kind === b.kind ? 0 : a.kind === 'nan' ? -1 : 1;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const av = a.kind === 'inf' ? (a.neg ? -2 : 2) : 0;
    const bv = b.kind === 'inf' ? (b.neg ? -2 : 2) : 0;
    if (av !== bv) return av < bv ? -1 : 1;
    if (av !== 0) return 0;
  }
  const diff = decAdd(a, decNegate(b));
  if (diff.kind !== 'finite' || diff.coef === 0n) return 0;
  return diff.neg ? -1 : 1;
}

/** The integer part toward zero, or undefined when not finite. */
export function decTrunc(a: Dec): bigint | undefined {
  if (a.kind !== 'finite') return undefined;
  const v = a.exp >= 0 ? a.coef * 10n ** BigInt(a.exp) : a.coef / 10n ** BigInt(-a.exp);
  return a.neg ? -v : v;
}

/** Rounds to `places` decimal places with the given mode (half-even for $round, toward zero for $trunc, ...). */
export function decRoundTo(a: Dec, places: number, mode: 'halfEven' | 'trunc' | 'floor' | 'ceil'): Dec {
  if (a.kind !== 'finite' || a.exp >= -places) return a;
  const drop = BigInt(-places - a.exp);
  const div = 10n ** drop;
  let q = a.coef / div;
  const r = a.coef % div;
  if (r !== 0n) {
    const up = mode === 'halfEven'
      ? (r * 2n > div || (r * 2n === div && q % 2n === 1n))
      : mode === 'trunc' ? false : mode === 'floor' ? a.neg : !a.neg;
    if (up) q += 1n;
  }
  return { kind: 'finite', neg: a.neg, coef: q, exp: -places };
}

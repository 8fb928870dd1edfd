import { Int32, Long, ObjectId, Timestamp } from 'bson';
import { aggError, isNullish, isObject, show, type Compiled, type OperatorCompiler, type ParseContext } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { asDouble, isNumber } from './numeric.js';

const DAY_MS = 86_400_000;

/** ISO-8601 text of a date as mongod prints it (`%Y-%m-%dT%H:%M:%S.%LZ`). */
export function formatIsoDate(d: Date): string {
  return formatDate(d, '%Y-%m-%dT%H:%M:%S.%LZ', 0);
}

/** A date-like value as a Date: dates, timestamps (seconds) and ObjectIds (their creation second). */
export function toDateValue(v: unknown): Date {
  if (v instanceof Date) return v;
  if (v instanceof Timestamp) return new Date(v.getHighBits() * 1000);
  if (v instanceof ObjectId) return v.getTimestamp();
  throw aggError(16006, `can't convert from BSON type ${typeName(v)} to Date`);
}

/**
 * A timezone argument as an offset in minutes. Only UTC, GMT, fixed offsets (+hh, +hhmm, +hh:mm) and Olson names
 * that Intl knows are supported; the offset of an Olson name is taken at the given instant.
 */
export function timezoneOffsetMinutes(tz: unknown, at: Date): number {
  if (isNullish(tz)) return 0;
  if (typeof tz !== 'string') throw aggError(40517, `timezone must evaluate to a string, found ${typeName(tz)}`);
  if (tz === 'UTC' || tz === 'GMT' || tz === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    }).formatToParts(at);
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  } catch {
    throw aggError(40485, `unrecognized time zone identifier: "${tz}"`);
  }
}

/** Calendar fields of an instant shifted by an offset (all read in UTC). */
function fields(d: Date, offsetMinutes: number): Date {
  return new Date(d.getTime() + offsetMinutes * 60000);
}

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

function isoWeekParts(d: Date): { year: number; week: number; weekday: number } {
  const weekday = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - weekday));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { year, week, weekday };
}

/** %U: week of the year with Sunday as first day (days before the first Sunday are week 0). */
function sundayWeek(d: Date): number {
  return Math.floor((dayOfYear(d) - 1 + ((Date.UTC(d.getUTCFullYear(), 0, 1) / DAY_MS + 4) % 7 + 7) % 7) / 7);
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** $dateToString's format specifiers. */
export function formatDate(date: Date, format: string, offsetMinutes: number): string {
  const d = fields(date, offsetMinutes);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec = format[++i];
    switch (spec) {
      case 'Y': out += pad(d.getUTCFullYear(), 4); break;
      case 'm': out += pad(d.getUTCMonth() + 1, 2); break;
      case 'd': out += pad(d.getUTCDate(), 2); break;
      case 'H': out += pad(d.getUTCHours(), 2); break;
      case 'M': out += pad(d.getUTCMinutes(), 2); break;
      case 'S': out += pad(d.getUTCSeconds(), 2); break;
      case 'L': out += pad(d.getUTCMilliseconds(), 3); break;
      case 'j': out += pad(dayOfYear(d), 3); break;
      case 'w': out += String(d.getUTCDay() + 1); break;
      case 'u': out += String(isoWeekParts(d).weekday); break;
      case 'U': out += pad(sundayWeek(d), 2); break;
      case 'V': out += pad(isoWeekParts(d).week, 2); break;
      case 'G': out += pad(isoWeekParts(d).year, 4); break;
      case 'z': out += `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60), 2)}${pad(Math.abs(offsetMinutes) % 60, 2)}`; break;
      case 'Z': out += String(offsetMinutes); break;
      case 'b': out += ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]; break;
      case 'B': out += ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][d.getUTCMonth()]; break;
      case '%': out += '%'; break;
      case undefined: throw aggError(18535, 'Unmatched \'%\' at end of format string');
      default: throw aggError(18536, `Invalid format character '%${spec}' in format string`);
    }
  }
  return out;
}

/** An operator taking a date or `{date, timezone}` and returning one calendar field as an int. */
function datePart(part: (d: Date) => number): OperatorCompiler {
  return (args, ctx, name) => {
    let dateExpr: unknown = args;
    let tzExpr: unknown;
    if (Array.isArray(args)) {
      if (args.length !== 1) throw aggError(40536, `${name} accepts exactly one argument if given an array, but was given ${args.length}`);
      dateExpr = args[0];
    } else if (isObject(args) && 'date' in args) {
      for (const key of Object.keys(args)) {
        if (key !== 'date' && key !== 'timezone') throw aggError(40535, `unrecognized option to ${name}: "${key}". Options are "date" and "timezone".`);
      }
      dateExpr = args.date;
      tzExpr = args.timezone;
    }
    const date = ctx.compile(dateExpr);
    const tz = tzExpr === undefined ? undefined : ctx.compile(tzExpr);
    return (vars) => {
      const v = date(vars);
      const zone = tz?.(vars);
      if (isNullish(v) || (tz && isNullish(zone))) return null;
      const d = toDateValue(v);
      return new Int32(part(fields(d, timezoneOffsetMinutes(zone, d))));
    };
  };
}

function named(args: unknown, name: string, allowed: string[], required: string[], ctx: ParseContext): Record<string, Compiled | undefined> {
  if (!isObject(args)) throw aggError(18629, `${name} only supports an object as its argument`);
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw aggError(18534, `Unrecognized argument to ${name}: ${key}. Valid arguments are ${allowed.join(', ')}.`);
  }
  for (const key of required) {
    if (!(key in args)) throw aggError(18628, `Missing '${key}' parameter to ${name}`);
  }
  const out: Record<string, Compiled | undefined> = {};
  for (const key of allowed) out[key] = key in args ? ctx.compile(args[key]) : undefined;
  return out;
}

const UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond'] as const;
type Unit = (typeof UNITS)[number];

function unitOf(v: unknown, name: string): Unit {
  if (typeof v !== 'string') throw aggError(5439013, `${name} requires 'unit' to be a string, but got ${typeName(v)}`);
  if (!(UNITS as readonly string[]).includes(v)) throw aggError(5439014, `${name} parameter 'unit' value parsing failed :: caused by :: unknown time unit value: ${v}`);
  return v as Unit;
}

const FIXED_MS: Partial<Record<Unit, number>> = { week: 7 * DAY_MS, day: DAY_MS, hour: 3_600_000, minute: 60_000, second: 1000, millisecond: 1 };

/** Adds whole units in local (offset) time; months clamp the day to the month's last day, as mongod does. */
function addUnits(date: Date, unit: Unit, amount: number, offset: number): Date {
  const fixedMs = FIXED_MS[unit];
  if (fixedMs !== undefined) return new Date(date.getTime() + amount * fixedMs);
  const months = unit === 'year' ? amount * 12 : unit === 'quarter' ? amount * 3 : amount;
  const local = fields(date, offset);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(local.getUTCDate(), lastDay);
  const result = Date.UTC(targetYear, targetMonth, day, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), local.getUTCMilliseconds());
  return new Date(result - offset * 60000);
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function startOfWeekIndex(v: unknown): number {
  if (v === undefined) return 0;
  const s = String(v).toLowerCase();
  const i = WEEKDAYS.findIndex((w) => w === s || w.slice(0, 3) === s);
  if (i < 0) throw aggError(5439018, `unknown day of week value: ${String(v)}`);
  return i;
}

/** Truncates a local time to the start of its unit bin (binSize units counted from 2000-01-01 as mongod does). */
function truncate(date: Date, unit: Unit, binSize: number, offset: number, weekStart: number): Date {
  const local = fields(date, offset);
  const t = local.getTime();
  let start: number;
  if (unit === 'year' || unit === 'quarter' || unit === 'month') {
    const monthsPer = unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1;
    const monthsSince2000 = (local.getUTCFullYear() - 2000) * 12 + local.getUTCMonth();
    const bin = monthsPer * binSize;
    const binned = Math.floor(monthsSince2000 / bin) * bin;
    start = Date.UTC(2000 + Math.floor(binned / 12), ((binned % 12) + 12) % 12, 1);
  } else if (unit === 'week') {
    // 2000-01-02 was a Sunday; weeks start on weekStart.
    const anchor = Date.UTC(2000, 0, 2) + weekStart * DAY_MS;
    const size = 7 * DAY_MS * binSize;
    start = anchor + Math.floor((t - anchor) / size) * size;
  } else {
    const anchor = Date.UTC(2000, 0, 1);
    const size = FIXED_MS[unit]! * binSize;
    start = anchor + Math.floor((t - anchor) / size) * size;
  }
  return new Date(start - offset * 60000);
}

/** Whole unit boundaries crossed from start to end ($dateDiff). */
function diffUnits(start: Date, end: Date, unit: Unit, offset: number, weekStart: number): bigint {
  if (unit === 'millisecond') return BigInt(end.getTime() - start.getTime());
  const a = fields(start, offset);
  const b = fields(end, offset);
  if (unit === 'year') return BigInt(b.getUTCFullYear() - a.getUTCFullYear());
  if (unit === 'quarter') {
    return BigInt((b.getUTCFullYear() * 4 + Math.floor(b.getUTCMonth() / 3)) - (a.getUTCFullYear() * 4 + Math.floor(a.getUTCMonth() / 3)));
  }
  if (unit === 'month') return BigInt((b.getUTCFullYear() * 12 + b.getUTCMonth()) - (a.getUTCFullYear() * 12 + a.getUTCMonth()));
  const ta = truncate(start, unit, 1, offset, weekStart).getTime();
  const tb = truncate(end, unit, 1, offset, weekStart).getTime();
  const size = unit === 'week' ? 7 * DAY_MS : FIXED_MS[unit]!;
  return BigInt(Math.round((tb - ta) / size));
}

/** Parses a date string as $dateFromString does without a format (ISO-8601 and close variants). */
function parseDateString(s: string, offsetMinutes: number | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/.exec(s.trim());
  if (!m) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  if (m[8] && m[8] !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(m[8])!;
    t -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60000;
  } else if (!m[8] && offsetMinutes) {
    t -= offsetMinutes * 60000;
  }
  return new Date(t);
}

/** Parses a date string with an explicit $dateFromString format. */
function parseWithFormat(s: string, format: string): Date | undefined {
  let re = '^';
  const order: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const spec = format[++i];
    const patterns: Record<string, string> = { Y: '(\\d{4})', m: '(\\d{1,2})', d: '(\\d{1,2})', H: '(\\d{1,2})', M: '(\\d{1,2})', S: '(\\d{1,2})', L: '(\\d{1,3})', j: '(\\d{1,3})', z: '([+-]\\d{2}:?\\d{2})', Z: '([+-]?\\d+)' };
    if (spec === '%') {
      re += '%';
      continue;
    }
    if (!patterns[spec]) throw aggError(18536, `Invalid format character '%${spec}' in format string`);
    re += patterns[spec];
    order.push(spec);
  }
  const m = new RegExp(re + '$').exec(s);
  if (!m) return undefined;
  const v: Record<string, string> = {};
  order.forEach((k, i) => { v[k] = m[i + 1]; });
  let t = Date.UTC(Number(v.Y ?? 1970), Number(v.m ?? 1) - 1, Number(v.d ?? 1), Number(v.H ?? 0), Number(v.M ?? 0), Number(v.S ?? 0), Number((v.L ?? '0').padEnd(3, '0')));
  if (v.j) t = Date.UTC(Number(v.Y ?? 1970), 0, Number(v.j), Number(v.H ?? 0), Number(v.M ?? 0), Number(v.S ?? 0));
  if (v.z) {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(v.z)!;
    t -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60000;
  }
  if (v.Z) t -= Number(v.Z) * 60000;
  return new Date(t);
}

export const DATE_OPERATORS: Record<string, OperatorCompiler> = {
  $year: datePart((d) => d.getUTCFullYear()),
  $month: datePart((d) => d.getUTCMonth() + 1),
  $dayOfMonth: datePart((d) => d.getUTCDate()),
  $hour: datePart((d) => d.getUTCHours()),
  $minute: datePart((d) => d.getUTCMinutes()),
  $second: datePart((d) => d.getUTCSeconds()),
  $millisecond: datePart((d) => d.getUTCMilliseconds()),
  $dayOfWeek: datePart((d) => d.getUTCDay() + 1),
  $dayOfYear: datePart(dayOfYear),
  $week: datePart(sundayWeek),
  $isoWeek: datePart((d) => isoWeekParts(d).week),
  $isoWeekYear: datePart((d) => isoWeekParts(d).year),
  $isoDayOfWeek: datePart((d) => isoWeekParts(d).weekday),
  $dateToString: (args, ctx, name) => {
    const a = named(args, name, ['date', 'format', 'timezone', 'onNull'], ['date'], ctx);
    return (vars) => {
      const v = a.date!(vars);
      const format = a.format ? a.format(vars) : '%Y-%m-%dT%H:%M:%S.%LZ';
      if (a.format && isNullish(format)) return null;
      if (typeof format !== 'string') throw aggError(18533, `$dateToString requires that 'format' be a string, found: ${typeName(format)} with value ${show(format)}`);
      const tz = a.timezone?.(vars);
      if (a.timezone && isNullish(tz)) return null;
      if (isNullish(v)) return a.onNull ? a.onNull(vars) : null;
      const d = toDateValue(v);
      return formatDate(d, format, timezoneOffsetMinutes(tz, d));
    };
  },
  $dateFromString: (args, ctx, name) => {
    const a = named(args, name, ['dateString', 'format', 'timezone', 'onError', 'onNull'], ['dateString'], ctx);
    return (vars) => {
      const s = a.dateString!(vars);
      const tz = a.timezone?.(vars);
      const format = a.format?.(vars);
      if (isNullish(s)) return a.onNull ? a.onNull(vars) : null;
      try {
        if (typeof s !== 'string') throw aggError(241, `$dateFromString requires that 'dateString' be a string, found: ${typeName(s)} with value ${show(s)}`);
        const offset = isNullish(tz) ? undefined : timezoneOffsetMinutes(tz, new Date());
        const d = typeof format === 'string' ? parseWithFormat(s, format) : parseDateString(s, offset);
        if (!d || Number.isNaN(d.getTime())) throw aggError(241, `Error parsing date string '${s}'`);
        return d;
      } catch (error) {
        if (a.onError) return a.onError(vars);
        throw error;
      }
    };
  },
  $dateAdd: dateArith(1),
  $dateSubtract: dateArith(-1),
  $dateDiff: (args, ctx, name) => {
    const a = named(args, name, ['startDate', 'endDate', 'unit', 'timezone', 'startOfWeek'], ['startDate', 'endDate', 'unit'], ctx);
    return (vars) => {
      const start = a.startDate!(vars);
      const end = a.endDate!(vars);
      const unit = a.unit!(vars);
      const tz = a.timezone?.(vars);
      if (isNullish(start) || isNullish(end) || isNullish(unit) || (a.timezone && isNullish(tz))) return null;
      const s = toDateValue(start);
      const e = toDateValue(end);
      const u = unitOf(unit, name);
      return Long.fromBigInt(diffUnits(s, e, u, timezoneOffsetMinutes(tz, s), startOfWeekIndex(a.startOfWeek?.(vars))));
    };
  },
  $dateTrunc: (args, ctx, name) => {
    const a = named(args, name, ['date', 'unit', 'binSize', 'timezone', 'startOfWeek'], ['date', 'unit'], ctx);
    return (vars) => {
      const date = a.date!(vars);
      const unit = a.unit!(vars);
      const bin = a.binSize ? a.binSize(vars) : 1;
      const tz = a.timezone?.(vars);
      if (isNullish(date) || isNullish(unit) || isNullish(bin) || (a.timezone && isNullish(tz))) return null;
      if (!isNumber(bin) || !Number.isInteger(asDouble(bin)) || asDouble(bin) <= 0) {
        throw aggError(5439017, `${name} requires 'binSize' to be a positive 64-bit integer, but got value '${show(bin)}' of type ${typeName(bin)}`);
      }
      const d = toDateValue(date);
      return truncate(d, unitOf(unit, name), asDouble(bin), timezoneOffsetMinutes(tz, d), startOfWeekIndex(a.startOfWeek?.(vars)));
    };
  },
  $dateToParts: (args, ctx, name) => {
    const a = named(args, name, ['date', 'timezone', 'iso8601'], ['date'], ctx);
    return (vars) => {
      const v = a.date!(vars);
      if (isNullish(v)) return null;
      const d = toDateValue(v);
      const f = fields(d, timezoneOffsetMinutes(a.timezone?.(vars), d));
      const time = {
        hour: new Int32(f.getUTCHours()), minute: new Int32(f.getUTCMinutes()), second: new Int32(f.getUTCSeconds()),
        millisecond: new Int32(f.getUTCMilliseconds()),
      };
      if (a.iso8601?.(vars) === true) {
        const iso = isoWeekParts(f);
        return { isoWeekYear: new Int32(iso.year), isoWeek: new Int32(iso.week), isoDayOfWeek: new Int32(iso.weekday), ...time };
      }
      return { year: new Int32(f.getUTCFullYear()), month: new Int32(f.getUTCMonth() + 1), day: new Int32(f.getUTCDate()), ...time };
    };
  },
  $dateFromParts: (args, ctx, name) => {
    const keys = ['year', 'month', 'day', 'hour', 'minute', 'second', 'millisecond', 'isoWeekYear', 'isoWeek', 'isoDayOfWeek', 'timezone'];
    const a = named(args, name, keys, [], ctx);
    return (vars) => {
      const n = (k: string, fallback: number): number | null => {
        const v = a[k]?.(vars);
        if (v === undefined && !a[k]) return fallback;
        if (isNullish(v)) return null;
        if (!isNumber(v)) throw aggError(40515, `'${k}' must evaluate to an integer, found ${typeName(v)} with value ${show(v)}`);
        return asDouble(v);
      };
      const parts = [n('year', 1970), n('month', 1), n('day', 1), n('hour', 0), n('minute', 0), n('second', 0), n('millisecond', 0)];
      if (parts.some((p) => p === null)) return null;
      const [y, mo, d, h, mi, s, ms] = parts as number[];
      const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
      const tz = a.timezone?.(vars);
      return new Date(t - timezoneOffsetMinutes(tz, new Date(t)) * 60000);
    };
  },
};

function dateArith(sign: 1 | -1): OperatorCompiler {
  return (args, ctx, name) => {
    const a = named(args, name, ['startDate', 'unit', 'amount', 'timezone'], ['startDate', 'unit', 'amount'], ctx);
    return (vars) => {
      const start = a.startDate!(vars);
      const unit = a.unit!(vars);
      const amount = a.amount!(vars);
      const tz = a.timezone?.(vars);
      if (isNullish(start) || isNullish(unit) || isNullish(amount) || (a.timezone && isNullish(tz))) return null;
      if (!isNumber(amount) || !Number.isInteger(asDouble(amount))) {
        throw aggError(5166403, `${name} requires startDate to be convertible to a date and amount to be a 64-bit integer, but got amount ${show(amount)}`);
      }
      const d = toDateValue(start);
      return addUnits(d, unitOf(unit, name), sign * asDouble(amount), timezoneOffsetMinutes(tz, d));
    };
  };
}

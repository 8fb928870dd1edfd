import type { Document } from 'bson';
import { Decimal128, Double, Int32, Long } from 'bson';
import { CommandError } from '../../errors.js';
import { compileExpression, rootVariables } from '../aggregation/expression.js';
import { compileMatcher, type MatchDetails, type Matcher } from './filter.js';
import { isArrayIndex, isDocument, splitPath } from './paths.js';

/** Turns a stored document into what a find returns. */
export type Projector = (doc: Document) => Document;

/** What a projection may need besides its specification. */
export interface ProjectionOptions {
  /** The query's filter: the positional `a.$` projection returns the array element the query matched. */
  filter?: Document;
  /** `let` variables for expression values. */
  variables?: Document;
}

type Evaluator = (doc: Document) => unknown;

/** One node of the projection tree (one path component). */
interface ProjNode {
  include?: boolean;
  expression?: Evaluator;
  slice?: { skip: number | undefined; limit: number };
  elemMatch?: Matcher;
  positional?: boolean;
  children?: Map<string, ProjNode>;
}

/**
 * Compiles a find projection with mongod 7.0's rules: inclusion or exclusion (never both, except `_id`), dotted paths
 * and embedded specifications, `_id` included unless excluded, `$slice`, `$elemMatch`, positional `a.$`, and
 * literal or aggregation-expression values (which make the projection an inclusion). Included fields keep their
 * document order; computed fields follow, in specification order.
 */
export function compileProjection(projection: Document, options: ProjectionOptions = {}): Projector {
  const parser = new ProjectionParser(options);
  const root: ProjNode = { children: new Map() };
  parser.parseInto(root, projection, []);
  const idNode = root.children!.get('_id');
  // `{_id: 1}` alone is an inclusion of `_id` only; a projection of only `$slice` (or `_id: 0`) is an exclusion.
  const inclusion = parser.mode === 'inclusion' || (parser.mode === undefined && idNode?.include === true);
  if (!idNode && inclusion) root.children!.set('_id', { include: true });
  const positional = parser.positional;
  const matcher = positional ? compileMatcher(options.filter ?? {}, { variables: options.variables }) : undefined;
  return (doc) => {
    let matched: string | undefined;
    if (matcher) {
      const details: MatchDetails = {};
      matcher.matches(doc, details);
      matched = details.elemMatchKey;
    }
    const ctx: ApplyContext = { root: doc, matched };
    return inclusion ? applyInclusion(root, doc, ctx) : applyExclusion(root, doc, ctx);
  };
}

interface ApplyContext {
  root: Document;
  matched: string | undefined;
}

class ProjectionParser {
  mode: 'inclusion' | 'exclusion' | undefined;
  positional = false;

  constructor(private readonly options: ProjectionOptions) {}

  parseInto(node: ProjNode, spec: Document, prefix: string[]): void {
    for (const key of Object.keys(spec)) {
      const value = spec[key];
      if (key.startsWith('$') && prefix.length === 0 && key !== '$') {
        throw new CommandError('Location31252', `FieldPath field names may not start with '$'. Consider using $getField or $setField.`, {}, 16410);
      }
      let parts = splitPath(key);
      let positional = false;
      if (parts[parts.length - 1] === '$') {
        positional = true;
        parts = parts.slice(0, -1);
        if (parts.length === 0) throw new CommandError('BadValue', 'Positional projection must have a field name before .$', {}, 2);
        if (parts.includes('$')) throw new CommandError('Location31394', "As of 4.4, it's illegal to specify positional operator in the middle of a path.Positional projection may only be used at the end, for example: a.b.$. If the query previously used a form like a.b.$.d, remove the parts following the '$' and the results will be equivalent.", {}, 31394);
      }
      if (parts.some((p) => p === '')) throw new CommandError('Location40353', `FieldPath must not end with a '.'.`, {}, 40353);
      const full = [...prefix, ...parts];
      const leaf = this.leafFor(full, value, positional);
      if (leaf === 'nested') {
        const child = this.descend(node, parts, full);
        this.parseInto(child, value as Document, full);
        continue;
      }
      const parent = this.descend(node, parts.slice(0, -1), full);
      const last = parts[parts.length - 1];
      if (parent.children!.has(last)) {
        const existing = parent.children!.get(last)!;
        if (existing.children) throw new CommandError('Location31249', `Path collision at ${full.join('.')} remaining portion ${last}`, {}, 31249);
        throw new CommandError('Location31250', `Path collision at ${full.join('.')}`, {}, 31250);
      }
      parent.children!.set(last, leaf);
    }
  }

  private descend(node: ProjNode, parts: string[], full: string[]): ProjNode {
    let current = node;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      let child = current.children!.get(p);
      if (child && !child.children) {
        throw new CommandError('Location31250', `Path collision at ${full.join('.')}`, {}, 31250);
      }
      if (!child) {
        child = { children: new Map() };
        current.children!.set(p, child);
      }
      current = child;
    }
    return current;
  }

  private setMode(mode: 'inclusion' | 'exclusion', path: string[]): void {
    const name = path.join('.');
    if (name === '_id' && path.length === 1) return;
    if (this.mode && this.mode !== mode) {
      if (mode === 'exclusion') throw new CommandError('Location31254', `Cannot do exclusion on field ${name} in inclusion projection`, {}, 31254);
      throw new CommandError('Location31253', `Cannot do inclusion on field ${name} in exclusion projection`, {}, 31253);
    }
    this.mode = mode;
  }

  private leafFor(path: string[], value: unknown, positional: boolean): ProjNode | 'nested' {
    if (positional) {
      if (this.positional) throw new CommandError('BadValue', 'Cannot specify more than one positional proj. per query.', {}, 31276);
      if (!isTruthyNumberOrBool(value)) throw new CommandError('Location31308', 'positional projection cannot be used with a literal', {}, 31308);
      this.positional = true;
      this.setMode('inclusion', path);
      return { include: true, positional: true };
    }
    if (typeof value === 'boolean' || isNumber(value)) {
      const include = isTruthyNumberOrBool(value);
      this.setMode(include ? 'inclusion' : 'exclusion', path);
      return { include };
    }
    if (isDocument(value)) {
      const keys = Object.keys(value);
      const first = keys[0] ?? '';
      if (first === '$slice') return { slice: parseSlice(value.$slice) };
      if (first === '$elemMatch') {
        if (!isDocument(value.$elemMatch)) throw new CommandError('BadValue', 'elemMatch: Invalid argument, object required.', {}, 2);
        if (path.length > 1) throw new CommandError('Location31275', 'Cannot use $elemMatch projection on a nested field.', {}, 31275);
        this.setMode('inclusion', path);
        return { elemMatch: compileMatcher({ [path.join('.')]: { $elemMatch: value.$elemMatch } }) };
      }
      if (first === '$meta') {
        throw new CommandError('BadValue', `$meta projection of '${String(value.$meta)}' is not supported by the embedded server`);
      }
      if (first.startsWith('$')) return this.expressionLeaf(path, value);
      if (keys.length === 0) throw new CommandError('Location51270', 'An empty sub-projection is not a valid value. Found empty object at path', {}, 51270);
      return 'nested';
    }
    return this.expressionLeaf(path, value);
  }

  private expressionLeaf(path: string[], value: unknown): ProjNode {
    this.setMode('inclusion', path);
    const variables = this.options.variables;
    const compiled = compileExpression(value, Object.keys(variables ?? {}));
    return { expression: (doc) => compiled(rootVariables(doc, variables)) };
  }
}

function isNumber(v: unknown): boolean {
  return typeof v === 'number' || v instanceof Int32 || v instanceof Double || v instanceof Long || v instanceof Decimal128;
}

function isTruthyNumberOrBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof Int32 || v instanceof Double) return v.value !== 0;
  if (v instanceof Long) return !v.isZero();
  if (v instanceof Decimal128) return Number(v.toString()) !== 0;
  return false;
}

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof Int32 || v instanceof Double) return Math.trunc(v.value);
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return Math.trunc(Number(v.toString()));
  return undefined;
}

function parseSlice(arg: unknown): { skip: number | undefined; limit: number } {
  if (Array.isArray(arg)) {
    if (arg.length !== 2) throw new CommandError('Location28724', 'First argument to $slice must be an array', {}, 28724);
    const skip = toInt(arg[0]);
    const limit = toInt(arg[1]);
    if (skip === undefined || limit === undefined) throw new CommandError('Location28724', 'First argument to $slice must be an array', {}, 28724);
    if (limit <= 0) throw new CommandError('Location28724', `Second argument to $slice must be a positive number`, {}, 28724);
    return { skip, limit };
  }
  const limit = toInt(arg);
  if (limit === undefined) throw new CommandError('Location28667', 'Invalid $slice syntax. The given syntax { $slice: <value> } did not match the find() syntax because :: Location31273: $slice only supports numbers and [skip, limit] arrays', {}, 28667);
  return { skip: undefined, limit };
}

function sliceArray(arr: unknown[], slice: { skip: number | undefined; limit: number }): unknown[] {
  if (slice.skip === undefined) {
    return slice.limit >= 0 ? arr.slice(0, slice.limit) : arr.slice(Math.max(0, arr.length + slice.limit));
  }
  const start = slice.skip >= 0 ? Math.min(slice.skip, arr.length) : Math.max(0, arr.length + slice.skip);
  return arr.slice(start, start + slice.limit);
}

function applyInclusion(node: ProjNode, doc: Document, ctx: ApplyContext): Document {
  const out: Document = {};
  const children = node.children!;
  for (const field of Object.keys(doc)) {
    const child = children.get(field);
    if (!child || child.expression) continue;
    const value = doc[field];
    if (child.include) {
      if (child.positional) {
        if (Array.isArray(value)) {
          const index = ctx.matched !== undefined && isArrayIndex(ctx.matched) ? Number(ctx.matched) : -1;
          if (index < 0 || index >= value.length) {
            throw new CommandError('Location51246', "Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array", {}, 51246);
          }
          out[field] = [value[index]];
        } else {
          out[field] = value;
        }
        continue;
      }
      out[field] = value;
    } else if (child.slice) {
      out[field] = Array.isArray(value) ? sliceArray(value, child.slice) : value;
    } else if (child.elemMatch) {
      if (!Array.isArray(value)) continue;
      const details: MatchDetails = {};
      if (child.elemMatch.matches({ [field]: value }, details) && details.elemMatchKey !== undefined) {
        out[field] = [value[Number(details.elemMatchKey)]];
      }
    } else if (child.children) {
      const projected = includeNested(child, value, ctx);
      if (projected !== undefined) out[field] = projected;
    }
  }
  for (const [field, child] of children) {
    if (child.expression) {
      const v = child.expression(ctx.root);
      if (v !== undefined) out[field] = v;
    } else if (child.children && hasExpressions(child) && !Object.prototype.hasOwnProperty.call(doc, field)) {
      const projected = includeNested(child, {}, ctx);
      if (projected !== undefined && Object.keys(projected as Document).length) out[field] = projected;
    }
  }
  return out;
}

function hasExpressions(node: ProjNode): boolean {
  for (const child of node.children?.values() ?? []) {
    if (child.expression || (child.children && hasExpressions(child))) return true;
  }
  return false;
}

/** An inclusion below a field: documents are projected, arrays element by element (scalars dropped). */
function includeNested(node: ProjNode, value: unknown, ctx: ApplyContext): unknown {
  if (isDocument(value)) return applyInclusion(node, value, ctx);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const el of value) {
      if (isDocument(el) || Array.isArray(el)) out.push(includeNested(node, el, ctx));
    }
    return out;
  }
  return hasExpressions(node) ? applyInclusion(node, {}, ctx) : undefined;
}

function applyExclusion(node: ProjNode, doc: Document, ctx: ApplyContext): Document {
  const out: Document = {};
  const children = node.children!;
  for (const field of Object.keys(doc)) {
    const child = children.get(field);
    const value = doc[field];
    if (!child) {
      out[field] = value;
      continue;
    }
    if (child.include === false) continue;
    if (child.include === true) {
      out[field] = value;
    } else if (child.slice) {
      out[field] = Array.isArray(value) ? sliceArray(value, child.slice) : value;
    } else if (child.children) {
      out[field] = excludeNested(child, value, ctx);
    }
  }
  return out;
}

function excludeNested(node: ProjNode, value: unknown, ctx: ApplyContext): unknown {
  if (isDocument(value)) return applyExclusion(node, value, ctx);
  if (Array.isArray(value)) return value.map((el) => excludeNested(node, el, ctx));
  return value;
}

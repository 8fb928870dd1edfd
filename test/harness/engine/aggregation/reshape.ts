import type { Document } from 'bson';
import { aggError, isObject, show, type Compiled, type Variables } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { compileExpression } from './expression.js';
import { isNumber, asDouble } from './numeric.js';

/** A document transformation used by $project, $addFields, $unset and $replaceRoot (and pipeline updates). */
export type Reshaper = (doc: Document, vars: Variables) => Document;

/**
 * One level of a projection tree: fields kept or dropped as they are, sub-trees for dotted paths, and computed
 * fields in the order the specification lists them (mongod applies computed fields after the inclusion pass,
 * so they come after the kept fields unless they replace one of them).
 */
interface ProjectionNode {
  readonly included: Set<string>;
  readonly excluded: Set<string>;
  readonly children: Map<string, ProjectionNode>;
  readonly computed: Map<string, Compiled>;
  /** Computed fields and children, in specification order, for the expression pass. */
  readonly order: string[];
}

function newNode(): ProjectionNode {
  return { included: new Set(), excluded: new Set(), children: new Map(), computed: new Map(), order: [] };
}

function hasComputed(node: ProjectionNode): boolean {
  return node.computed.size > 0 || [...node.children.values()].some(hasComputed);
}

type Mode = 'inclusion' | 'exclusion' | 'computed';

interface Builder {
  mode: Mode | undefined;
  stage: string;
  variables: string[];
}

function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || isNumber(v);
}

function flagValue(v: unknown): boolean {
  return typeof v === 'boolean' ? v : asDouble(v) !== 0;
}

function child(node: ProjectionNode, name: string, full: string, stage: string): ProjectionNode {
  if (node.included.has(name) || node.excluded.has(name) || node.computed.has(name)) {
    throw aggError(31250, `Invalid ${stage} :: caused by :: Path collision at ${full}`);
  }
  let c = node.children.get(name);
  if (!c) {
    c = newNode();
    node.children.set(name, c);
    node.order.push(name);
  }
  return c;
}

function leafParent(root: ProjectionNode, path: string, stage: string): [ProjectionNode, string] {
  const parts = path.split('.');
  for (const part of parts) {
    if (part === '') throw aggError(15998, 'FieldPath field names may not be empty strings.');
    if (part.startsWith('$')) throw aggError(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
  }
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) node = child(node, parts[i], parts.slice(0, i + 1).join('.'), stage);
  const last = parts[parts.length - 1];
  if (node.children.has(last) || node.included.has(last) || node.excluded.has(last) || node.computed.has(last)) {
    throw aggError(31250, `Invalid ${stage} :: caused by :: Path collision at ${path}`);
  }
  return [node, last];
}

function setMode(b: Builder, mode: Mode, path: string): void {
  if (b.mode === undefined || b.mode === mode) {
    b.mode = mode;
    return;
  }
  if (b.mode === 'exclusion' && mode === 'inclusion') {
    throw aggError(31253, `Invalid ${b.stage} :: caused by :: Cannot do inclusion on field ${path} in exclusion projection`);
  }
  if (b.mode === 'exclusion' && mode === 'computed') {
    throw aggError(31252, `Invalid ${b.stage} :: caused by :: Cannot use expression other than $meta in exclusion projection`);
  }
  if (mode === 'exclusion') {
    throw aggError(31254, `Invalid ${b.stage} :: caused by :: Cannot do exclusion on field ${path} in inclusion projection`);
  }
  b.mode = 'inclusion'; // computed fields go with inclusions
}

function addSpec(b: Builder, root: ProjectionNode, spec: Document, prefix: string, projecting: boolean): void {
  for (const [key, value] of Object.entries(spec)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (key.startsWith('$') && prefix === '') {
      throw aggError(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
    }
    const isOperator = isObject(value) && Object.keys(value).length > 0 && Object.keys(value)[0].startsWith('$');
    if (isObject(value) && !isOperator) {
      if (Object.keys(value).length === 0) {
        if (projecting) throw aggError(51270, `Invalid ${b.stage} :: caused by :: An empty sub-projection is not a valid value. Found empty object at path`);
        const [node, last] = leafParent(root, path, b.stage);
        node.computed.set(last, () => ({}));
        node.order.push(last);
        continue;
      }
      addSpec(b, root, value, path, projecting);
      continue;
    }
    const [node, last] = leafParent(root, path, b.stage);
    if (projecting && isFlag(value)) {
      const include = flagValue(value);
      if (path === '_id') {
        (include ? node.included : node.excluded).add(last);
        continue;
      }
      setMode(b, include ? 'inclusion' : 'exclusion', path);
      (include ? node.included : node.excluded).add(last);
      continue;
    }
    if (projecting) setMode(b, 'computed', path);
    node.computed.set(last, compileExpression(value, b.variables));
    node.order.push(last);
  }
}

/** Projects a value with the include/exclude pass of a node. */
function projectValue(node: ProjectionNode, value: unknown, inclusion: boolean, top: boolean): unknown {
  if (isObject(value)) {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = node.children.get(k);
      if (inclusion) {
        if (node.included.has(k)) out[k] = v;
        else if (sub) {
          const r = projectValue(sub, v, inclusion, false);
          if (r !== undefined) out[k] = r;
        } else if (top && k === '_id' && !node.excluded.has('_id') && !node.computed.has('_id')) out[k] = v;
      } else {
        if (node.excluded.has(k)) continue;
        out[k] = sub ? projectValue(sub, v, inclusion, false) : v;
      }
    }
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const element of value) {
      if (isObject(element) || Array.isArray(element)) out.push(projectValue(node, element, inclusion, false));
      else if (!inclusion) out.push(element);
    }
    return out;
  }
  return inclusion ? undefined : value;
}

/** The expression pass: sets computed fields (replacing in place, else appending; missing removes). */
function applyExpressions(node: ProjectionNode, out: Document, vars: Variables): void {
  for (const name of node.order) {
    const computed = node.computed.get(name);
    if (computed) {
      const v = computed(vars);
      if (v === undefined) delete out[name];
      else out[name] = v;
      continue;
    }
    const sub = node.children.get(name)!;
    if (!hasComputed(sub)) continue;
    out[name] = applyExpressionsToValue(sub, out[name], vars);
  }
}

function applyExpressionsToValue(node: ProjectionNode, value: unknown, vars: Variables): unknown {
  if (isObject(value)) {
    const out: Document = { ...value };
    applyExpressions(node, out, vars);
    return out;
  }
  if (Array.isArray(value)) return value.map((e) => applyExpressionsToValue(node, e, vars));
  const out: Document = {};
  applyExpressions(node, out, vars);
  return out;
}

/** $project. */
export function compileProject(spec: unknown, variables: string[] = [], stage = '$project'): Reshaper {
  if (!isObject(spec)) throw aggError(15969, `${stage} specification must be an object`);
  if (Object.keys(spec).length === 0) {
    throw aggError(51272, `Invalid ${stage} :: caused by :: projection specification must have at least one field`);
  }
  const b: Builder = { mode: undefined, stage, variables };
  const root = newNode();
  addSpec(b, root, spec, '', true);
  // Only `_id` given: `{_id: 0}` is an exclusion, `{_id: 1}` an inclusion.
  const inclusion = b.mode === undefined ? root.included.has('_id') : b.mode !== 'exclusion';
  if (!inclusion) return (doc) => projectValue(root, doc, false, true) as Document;
  return (doc, vars) => {
    const out = projectValue(root, doc, true, true) as Document;
    applyExpressions(root, out, vars);
    return out;
  };
}

/** $addFields / $set. */
export function compileAddFields(spec: unknown, variables: string[] = [], stage = '$addFields'): Reshaper {
  if (!isObject(spec)) throw aggError(40272, `${stage} specification stage must be an object, got ${typeName(spec)}`);
  const b: Builder = { mode: undefined, stage, variables };
  const root = newNode();
  addSpec(b, root, spec, '', false);
  return (doc, vars) => {
    const out: Document = { ...doc };
    applyExpressions(root, out, vars);
    return out;
  };
}

/** $unset: a field path or a list of them. */
export function compileUnset(spec: unknown): Reshaper {
  const paths = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
    throw aggError(31002, '$unset specification must be a string or an array containing only string values');
  }
  if (paths.length === 0) throw aggError(31119, '$unset specification must be a string or an array with at least one field');
  const exclusion: Document = {};
  for (const p of paths as string[]) exclusion[p] = 0;
  return compileProject(exclusion, [], '$unset');
}

/** $replaceRoot {newRoot} / $replaceWith. */
export function compileReplaceRoot(expr: unknown, variables: string[] = []): Reshaper {
  const compiled = compileExpression(expr, variables);
  return (doc, vars) => {
    const v = compiled(vars);
    if (!isObject(v)) {
      throw aggError(40228, `'newRoot' expression must evaluate to an object, but resulting value was: ${show(v)}. Type of resulting value: '${typeName(v)}'. Input document: ${show(doc)}`);
    }
    return v;
  };
}

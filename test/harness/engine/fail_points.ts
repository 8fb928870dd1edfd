import { Int32, type Document } from 'bson';
import type { CommandContext, CommandReply } from '../command_context.js';
import { codeNameOf, CommandError, ERROR_CODES } from '../errors.js';
import { isNumeric, toNumber } from './bson_order.js';

/**
 * How often an enabled fail point fires, as `configureFailPoint`'s `mode`: `alwaysOn`, `off`, `{times: n}`
 * (the next n activations, then off), `{skip: n}` (every activation after the first n) or
 * `{activationProbability: p}`.
 */
export type FailPointMode =
  | { kind: 'off' }
  | { kind: 'alwaysOn' }
  | { kind: 'times'; remaining: number }
  | { kind: 'skip'; toSkip: number }
  | { kind: 'probability'; p: number };

/** One configured fail point: its mode, its `data` and how many times it was entered. */
export interface FailPointState {
  mode: FailPointMode;
  data: Document;
  /** Times the fail point fired (mongod's timesEntered, returned as configureFailPoint's `count`). */
  timesEntered: number;
}

/**
 * Fail points this server knows. Only `failCommand` has an effect; mongod refuses unknown names with
 * FailPointSetFailed ("<name> not found").
 */
export const KNOWN_FAIL_POINTS: ReadonlySet<string> = new Set(['failCommand', 'failGetMoreAfterCursorCheckout']);

/** Thrown to make the listener close the connection without replying (failCommand's closeConnection). */
export class CloseConnectionSignal extends Error {
  override name = 'CloseConnectionSignal';
}

/** The error failCommand's `errorCode` makes a command fail with; its labels replace the computed ones. */
export class FailCommandError extends CommandError {
  constructor(code: number, extra: Document, readonly errorLabelsOverride: string[] | undefined) {
    super(codeNameOf(code), "Failing command via 'failCommand' failpoint", extra, code);
  }
}

/** Commands that are never failed by failCommand, whatever `failCommands` lists (mongod: configureFailPoint). */
const NEVER_FAILED: ReadonlySet<string> = new Set(['configureFailPoint']);

/** Commands whose reply can carry a writeConcernError (failCommand's `writeConcernError` applies only to them). */
const WRITE_CONCERN_COMMANDS: ReadonlySet<string> = new Set([
  'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'bulkWrite', 'create', 'drop', 'dropDatabase',
  'createIndexes', 'dropIndexes', 'collMod', 'renameCollection', 'commitTransaction', 'abortTransaction',
  'setUserWriteBlockMode', 'createUser', 'dropUser', 'updateUser', 'createRole', 'dropRole', 'convertToCapped',
  'cloneCollectionAsCapped', 'applyOps', 'aggregate',
]);

/**
 * Parses `configureFailPoint`'s `mode` as mongod does (src/mongo/util/fail_point.cpp): a string `off`/`alwaysOn`
 * or a document with one of `times` (0 means off), `skip` or `activationProbability`.
 */
export function parseFailPointMode(mode: unknown): FailPointMode {
  if (mode === 'off') return { kind: 'off' };
  if (mode === 'alwaysOn') return { kind: 'alwaysOn' };
  if (typeof mode === 'string') throw new CommandError('BadValue', `unknown mode: ${mode}`);
  if (mode === null || typeof mode !== 'object' || Array.isArray(mode)) {
    throw new CommandError('TypeMismatch', "'mode' must be a string or JSON object");
  }
  const m = mode as Document;
  if (m.times !== undefined) {
    const n = integerValue(m.times, 'times');
    if (n < 0) throw new CommandError('BadValue', "'times' option to 'mode' must be positive");
    return n === 0 ? { kind: 'off' } : { kind: 'times', remaining: n };
  }
  if (m.skip !== undefined) {
    const n = integerValue(m.skip, 'skip');
    if (n < 0) throw new CommandError('BadValue', "'skip' option to 'mode' must be positive");
    return { kind: 'skip', toSkip: n };
  }
  if (m.activationProbability !== undefined) {
    if (!isNumeric(m.activationProbability)) {
      throw new CommandError('TypeMismatch', "'activationProbability' option to 'mode' must be a double");
    }
    const p = toNumber(m.activationProbability);
    if (!(p >= 0 && p <= 1)) {
      throw new CommandError('BadValue', "'activationProbability' option to 'mode' must be a double between 0 and 1");
    }
    return { kind: 'probability', p };
  }
  throw new CommandError('BadValue', "'mode' must be one of 'off', 'alwaysOn', 'times', and 'activationProbability'");
}

function integerValue(v: unknown, name: string): number {
  if (!isNumeric(v)) throw new CommandError('TypeMismatch', `'${name}' option to 'mode' must be a number`);
  const n = toNumber(v);
  if (!Number.isInteger(n) || n > 0x7fffffff) throw new CommandError('BadValue', `'${name}' option to 'mode' must be an int32`);
  return n;
}

/**
 * Decides whether an enabled fail point fires on this pass and advances its mode (mongod's FailPoint::shouldFail):
 * `times` counts down to off, `skip` lets the first n passes through. Pure apart from `random`.
 */
export function evaluateMode(mode: FailPointMode, random: () => number = Math.random): { fire: boolean; next: FailPointMode } {
  switch (mode.kind) {
    case 'off': return { fire: false, next: mode };
    case 'alwaysOn': return { fire: true, next: mode };
    case 'times': return { fire: true, next: mode.remaining <= 1 ? { kind: 'off' } : { kind: 'times', remaining: mode.remaining - 1 } };
    case 'skip': return mode.toSkip > 0 ? { fire: false, next: { kind: 'skip', toSkip: mode.toSkip - 1 } } : { fire: true, next: mode };
    case 'probability': return { fire: random() < mode.p, next: mode };
  }
}

/** The facts about a command that failCommand's filters look at. */
export interface FailCommandTarget {
  commandName: string;
  /** The command's namespace (`db.coll`, or `db` for database commands). */
  ns: string;
  /** `client.application.name` of the connection's handshake. */
  appName: string | undefined;
  /** The connection said `internalClient` in its handshake (a mongod or mongos). */
  internalClient: boolean;
}

/**
 * mongod's CommandHelpers::shouldActivateFailCommandFailPoint: whether failCommand's `data` selects this command.
 * configureFailPoint itself is never failed; internal clients only with `failInternalCommands`; `appName` and
 * `namespace` must match when given; the command must be in `failCommands` (or `failAllCommands` set).
 */
export function failCommandApplies(data: Document, target: FailCommandTarget): boolean {
  if (NEVER_FAILED.has(target.commandName)) return false;
  if (data.appName !== undefined && data.appName !== target.appName) return false;
  if (data.namespace !== undefined && data.namespace !== target.ns) return false;
  if (target.internalClient && data.failInternalCommands !== true) return false;
  if (data.failAllCommands !== undefined) return true;
  const names = Array.isArray(data.failCommands) ? data.failCommands : [];
  return names.some((n: unknown) => typeof n === 'string' && sameCommand(n, target.commandName));
}

/** mongod matches a command's name or one of its aliases (hello/isMaster/ismaster, findAndModify/findandmodify). */
function sameCommand(listed: string, actual: string): boolean {
  if (listed === actual) return true;
  return ALIAS_GROUPS.some((g) => g.includes(listed) && g.includes(actual));
}

const ALIAS_GROUPS: readonly (readonly string[])[] = [
  ['hello', 'isMaster', 'ismaster'],
  ['findAndModify', 'findandmodify'],
  ['buildInfo', 'buildinfo'],
];

/** What failCommand decided for one command before it runs. */
export interface FailCommandEffect {
  /** Labels that replace the ones the server would compute (`errorLabels` of the data). */
  errorLabelsOverride?: string[];
}

/**
 * Test-only fault injection, set with `configureFailPoint` (mongod's `failCommand`): makes chosen commands fail
 * with an error code and labels, close the connection without a reply, wait `blockTimeMS` first, or carry a
 * writeConcernError after they ran (the write then IS applied, as on mongod).
 *
 * Beyond mongod: `data.closeConnectionAfterCommand: true` runs the command and then closes the connection without
 * replying, the way a network failure after a write looks to a driver (used to test retryable writes).
 */
export class FailPoints {
  private readonly points = new Map<string, FailPointState>();

  constructor(private readonly random: () => number = Math.random) {}

  /**
   * Sets a fail point's mode and data (configureFailPoint) and returns how many times it had been entered before.
   * Throws FailPointSetFailed for an unknown name, as mongod does.
   */
  configure(name: string, mode: unknown, data: unknown): number {
    if (!KNOWN_FAIL_POINTS.has(name)) throw new CommandError('FailPointSetFailed', `${name} not found`);
    const parsed = parseFailPointMode(mode);
    if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) {
      throw new CommandError('TypeMismatch', "the 'data' field must be a JSON object");
    }
    const previous = this.points.get(name);
    const timesEntered = previous?.timesEntered ?? 0;
    this.points.set(name, { mode: parsed, data: (data as Document | undefined) ?? previous?.data ?? {}, timesEntered });
    return timesEntered;
  }

  /** The state of one fail point, for white-box tests. */
  get(name: string): FailPointState | undefined {
    return this.points.get(name);
  }

  /** Turns every fail point off. */
  reset(): void {
    this.points.clear();
  }

  /**
   * Runs before a command's handler: when failCommand selects the command it may wait (`blockConnection`), close
   * the connection (throws {@link CloseConnectionSignal}), or throw the configured error with its labels.
   * Returns the label override to apply to the command's error reply, if any.
   */
  async beforeCommand(ctx: CommandContext): Promise<FailCommandEffect> {
    const point = this.points.get('failCommand');
    if (!point || point.mode.kind === 'off') return {};
    const { data } = point;
    const closeConnection = data.closeConnection === true;
    const blockConnection = data.blockConnection === true;
    const hasErrorCode = data.errorCode !== undefined && isNumeric(data.errorCode);
    if (!(closeConnection || blockConnection || hasErrorCode)) return {};
    if (!failCommandApplies(data, targetOf(ctx)) || !this.fire(point)) return {};
    const effect: FailCommandEffect = Array.isArray(data.errorLabels) ? { errorLabelsOverride: data.errorLabels.map(String) } : {};
    if (blockConnection) {
      if (!isNumeric(data.blockTimeMS)) throw new CommandError('InvalidOptions', "must specify 'blockTimeMS' when 'blockConnection' is true");
      const ms = toNumber(data.blockTimeMS);
      if (ms < 0) throw new CommandError('InvalidOptions', "'blockTimeMS' must be non-negative");
      await sleep(ms, ctx.conn.closed.signal);
    }
    if (closeConnection) throw new CloseConnectionSignal("Failing command via 'failCommand' failpoint: closing connection");
    if (hasErrorCode) {
      const extra: Document = data.errorExtraInfo && typeof data.errorExtraInfo === 'object' ? { ...data.errorExtraInfo } : {};
      throw new FailCommandError(toNumber(data.errorCode), extra, effect.errorLabelsOverride);
    }
    return effect;
  }

  /**
   * Runs after a command's handler: adds failCommand's `writeConcernError` (and its `errorLabels`) to the reply of
   * a command that supports write concern. With the embedded-only `closeConnectionAfterCommand`, the command has
   * run and the connection is closed instead of replying.
   */
  afterCommand(ctx: CommandContext, reply: CommandReply): CommandReply {
    const point = this.points.get('failCommand');
    if (!point || point.mode.kind === 'off') return reply;
    const { data } = point;
    const target = targetOf(ctx);
    if (data.closeConnectionAfterCommand === true && !data.closeConnection && failCommandApplies(data, target) && this.fire(point)) {
      throw new CloseConnectionSignal('closing connection after the command ran (closeConnectionAfterCommand)');
    }
    if (data.writeConcernError === undefined || !WRITE_CONCERN_COMMANDS.has(target.commandName)) return reply;
    if (!failCommandApplies(data, target) || !this.fire(point)) return reply;
    const out: Document = { ...reply, writeConcernError: withInt32Code(data.writeConcernError as Document) };
    if (Array.isArray(data.errorLabels) && data.errorLabels.length) out.errorLabels = data.errorLabels.map(String);
    return out;
  }

  /**
   * mongod's failGetMoreAfterCursorCheckout: a getMore that has checked out its cursor fails with `data.errorCode`
   * ("Hit the 'failGetMoreAfterCursorCheckout' failpoint"), so the server knows the cursor (a change stream's
   * errors then carry ResumableChangeStreamError), unlike failCommand, which fails before the command runs.
   */
  afterCursorCheckout(): void {
    const point = this.points.get('failGetMoreAfterCursorCheckout');
    if (!point || point.mode.kind === 'off' || !this.fire(point)) return;
    const code = isNumeric(point.data.errorCode) ? toNumber(point.data.errorCode) : ERROR_CODES.InternalError;
    throw new CommandError(codeNameOf(code), "Hit the 'failGetMoreAfterCursorCheckout' failpoint", {}, code);
  }

  /** Advances the mode; true when the fail point fires on this pass. */
  private fire(point: FailPointState): boolean {
    const { fire, next } = evaluateMode(point.mode, this.random);
    point.mode = next;
    if (fire) point.timesEntered++;
    return fire;
  }
}

/** The failCommand target of a command context. */
export function targetOf(ctx: CommandContext): FailCommandTarget {
  const first = ctx.body[ctx.commandName];
  let ns = ctx.db;
  if (ctx.commandName === 'getMore' && typeof ctx.body.collection === 'string') ns = `${ctx.db}.${ctx.body.collection}`;
  else if (typeof first === 'string' && first.length) ns = `${ctx.db}.${first}`;
  const meta = ctx.conn.clientMetadata;
  const appName = typeof meta?.application?.name === 'string' ? meta.application.name : undefined;
  return { commandName: ctx.commandName, ns, appName, internalClient: ctx.conn.internalClient === true };
}

/** writeConcernError codes given as JS numbers are sent as int32, as the server's are. */
function withInt32Code(wce: Document): Document {
  return typeof wce.code === 'number' ? { ...wce, code: new Int32(wce.code) } : wce;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

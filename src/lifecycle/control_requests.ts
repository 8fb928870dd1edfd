/**
 * Control requests (pause, resume, commit, reverse) between a requester (the CLI on any host, the HTTP API) and
 * the process that drives the migration:
 *
 * - {@link applyTransition} decides a request against the stored migration (transitions.ts) and, when allowed,
 *   records the new state, atomically with respect to another transition racing it;
 * - {@link ControlInbox} is the driving process's side: it polls the pending requests, answers each, and aborts
 *   the current activity (copy, change application, wait) when an accepted request changes what to do;
 * - {@link submitAndAwaitAnswer} is the requester's side when a process drives the migration.
 */
import os from 'node:os';
import type { MongoClient } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, StateError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { errorField } from '../log/fields.js';
import { ControlStore, type ControlRequestDocument } from '../state/control_store.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { sleep } from '../topology/retry.js';
import type { ControlAction } from './migration_control.js';
import { decideTransition, type TransitionDecision, type TransitionFacts } from './transitions.js';

/** How often the driving process looks for requests. */
export const CONTROL_POLL_MS = 500;
/** How long a requester waits for the driving process to answer before checking that it is still alive. */
export const CONTROL_ANSWER_TIMEOUT_MS = 15_000;

/** The facts of a stored migration under a configuration. */
export function transitionFacts(migration: MigrationDocument, config: Pick<SyncConfig, 'reversible' | 'enableUserWriteBlocking'>, lagSeconds: number | undefined): TransitionFacts {
  return {
    state: migration.state,
    phase: migration.phase,
    reversible: config.reversible,
    userWriteBlocking: config.enableUserWriteBlocking,
    lagSeconds,
    failure: migration.failure?.message,
  };
}

/** The StateError of a refused request. */
export function refusalError(decision: Extract<TransitionDecision, { allowed: false }>): StateError {
  return new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, decision.reason, { hint: decision.hint });
}

/** Decides `action` and, when allowed, moves the stored migration to its next state. */
export async function applyTransition(
  migrations: MigrationStore,
  config: SyncConfig,
  action: ControlAction,
  lagSeconds: number | undefined,
  now: Date,
): Promise<TransitionDecision> {
  const migration = await migrations.get(config.id);
  if (migration === null) {
    return { allowed: false, reason: `The destination holds no migration "${config.id}".`, hint: 'Check `id` in the configuration, or start the migration with `sync start`.' };
  }
  const decision = decideTransition(action, transitionFacts(migration, config, lagSeconds));
  if (!decision.allowed) return decision;
  const changes: Partial<MigrationDocument> = { state: decision.next };
  if (decision.next === 'COMMITTING') changes.commit = { startedAt: now };
  if (!(await migrations.transition(config.id, migration.state, changes, now))) {
    return { allowed: false, reason: `Migration "${config.id}" changed state while the ${action} request was decided.`, hint: 'Run `sync status`, then try again.' };
  }
  return decision;
}

/** The driving process's side of the control requests (see the module comment). */
export class ControlInbox {
  private readonly requests: ControlStore;
  private readonly migrations: MigrationStore;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private activityController = new AbortController();
  private current: Promise<void> = Promise.resolve();
  private transitionWaiters: (() => void)[] = [];

  constructor(
    stateClient: MongoClient,
    private readonly config: SyncConfig,
    private readonly logger: Logger,
    private readonly now: () => Date,
    /** The lag of the change application now, when one runs (commit needs it under 30 s). */
    private readonly lagSeconds: () => Promise<number | undefined>,
    private readonly pollMs = CONTROL_POLL_MS,
  ) {
    this.requests = new ControlStore(stateClient);
    this.migrations = new MigrationStore(stateClient);
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const wake of this.transitionWaiters) wake();
    this.transitionWaiters = [];
  }

  /**
   * Runs one activity of the driving process (a copy, a change application, a wait) with a signal that aborts when
   * an accepted request changes the migration's state. A request is answered only once the activity it
   * interrupts has stopped, so that `sync pause` returns when nothing is applied any more.
   */
  async run<T>(activity: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.activityController.signal.aborted) this.activityController = new AbortController();
    const running = activity(this.activityController.signal);
    this.current = running.then(() => undefined, () => undefined);
    try {
      return await running;
    } finally {
      this.current = Promise.resolve();
    }
  }

  /** Resolves at the next accepted transition, or when `signal` aborts. */
  waitForTransition(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.transitionWaiters.push(done);
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (;;) {
        const request = await this.requests.oldestPending(this.config.id);
        if (request === null) return;
        const decision = await applyTransition(this.migrations, this.config, request.action, await this.lagSeconds(), this.now());
        if (decision.allowed) {
          this.logger.info('control request accepted', { action: request.action, requestedBy: request.requestedBy, state: decision.next });
          this.activityController.abort();
          const waiters = this.transitionWaiters;
          this.transitionWaiters = [];
          for (const wake of waiters) wake();
          await this.current;
          await this.requests.answer(request._id, { status: 'accepted' }, this.now());
        } else {
          await this.requests.answer(request._id, {
            status: 'refused', refusal: { code: ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, message: decision.reason, hint: decision.hint },
          }, this.now());
          this.logger.warn('control request refused', { action: request.action, requestedBy: request.requestedBy, reason: decision.reason });
        }
      }
    } catch (error) {
      this.logger.warn('control requests not read; retrying', errorField(error));
    } finally {
      this.polling = false;
    }
  }
}

const NEVER = new AbortController().signal;

/** `accepted`, or the refusal thrown. */
function submitOutcome(request: ControlRequestDocument | null, action: ControlAction): 'accepted' {
  if (request?.status === 'accepted') return 'accepted';
  throw new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, request?.refusal?.message ?? `The ${action} request was refused.`, {
    hint: request?.refusal?.hint,
  });
}

/** Who is asking, for the driving process's log. */
export function requesterName(): string {
  return `${os.hostname()} (pid ${process.pid})`;
}

/**
 * Files a request for the process driving the migration and waits for its answer. Resolves `accepted`; throws the
 * refusal as a StateError; resolves `unanswered` when no answer came in time (the caller checks whether the
 * process is still alive).
 */
export async function submitAndAwaitAnswer(
  stateClient: MongoClient,
  migrationId: string,
  action: ControlAction,
  now: () => Date,
  timeoutMs = CONTROL_ANSWER_TIMEOUT_MS,
): Promise<'accepted' | 'unanswered'> {
  const requests = new ControlStore(stateClient);
  const id = await requests.submit(migrationId, action, requesterName(), now());
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const request = await requests.get(id);
    if (request !== null && request.status !== 'pending') return submitOutcome(request, action);
    await sleep(CONTROL_POLL_MS / 2, NEVER);
  }
  // Withdrawn, so that a process starting later does not act on a stale request; unless answered meanwhile.
  const withdrawn = await requests.answer(id, { status: 'refused', refusal: { code: ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, message: 'withdrawn: no answer in time' } }, now());
  return withdrawn ? 'unanswered' : submitOutcome(await requests.get(id), action);
}

/**
 * The pure rules of the migration's state machine: which control request each state allows, the state it leads
 * to, and, when refused, why and what to do instead. mongosync's transitions, plus FAILED:
 *
 * ```
 * RUNNING <-> PAUSED          (pause, resume)
 * RUNNING  -> COMMITTING -> COMMITTED        (commit: copy done, lag under 30 s)
 * COMMITTED -> REVERSING -> RUNNING (reverse direction)   (reverse: reversible + sourceAndDestination)
 * ```
 */
import type { UserWriteBlocking } from '../config/schema.js';
import type { CopyPhase, MigrationState } from '../state/migration_store.js';
import type { ControlAction } from './migration_control.js';

/** Most lag (seconds) at which a running migration may commit, as in mongosync. */
export const COMMIT_MAX_LAG_SECONDS = 30;

/** What the decision depends on. */
export interface TransitionFacts {
  readonly state: MigrationState;
  readonly phase: CopyPhase;
  readonly reversible: boolean;
  readonly userWriteBlocking: UserWriteBlocking;
  /**
   * Seconds the change application is behind the source, as the process applying changes measures it; undefined
   * when no process applies changes now (a commit then catches up first by itself).
   */
  readonly lagSeconds?: number | undefined;
  /** The failure reason when FAILED. */
  readonly failure?: string | undefined;
}

/** The answer to a request. */
export type TransitionDecision =
  | { readonly allowed: true; readonly next: MigrationState }
  | { readonly allowed: false; readonly reason: string; readonly hint: string };

const refuse = (reason: string, hint: string): TransitionDecision => ({ allowed: false, reason, hint });

/** Decides a control request in the given situation. */
export function decideTransition(action: ControlAction, facts: TransitionFacts): TransitionDecision {
  const { state } = facts;
  if (state === 'FAILED') {
    return refuse(`The migration has FAILED (${facts.failure ?? 'no reason recorded'}); it cannot ${action}.`, 'Fix the cause, then `sync reset` and start again.');
  }
  switch (action) {
    case 'start':
      return refuse(`The migration is already started (state ${state}).`, '`sync start` starts and resumes it; use resume after a pause.');
    case 'pause':
      return state === 'RUNNING'
        ? { allowed: true, next: 'PAUSED' }
        : refuse(`Only a RUNNING migration can be paused; this one is ${state}.`, 'Run `sync status` to see what it allows.');
    case 'resume':
      return state === 'PAUSED'
        ? { allowed: true, next: 'RUNNING' }
        : refuse(`Only a PAUSED migration can be resumed; this one is ${state}.`, 'Run `sync status` to see what it allows.');
    case 'commit':
      return decideCommit(facts);
    case 'reverse':
      return decideReverse(facts);
  }
}

function decideCommit(facts: TransitionFacts): TransitionDecision {
  if (facts.state === 'PAUSED') return refuse('The migration is PAUSED; it cannot commit.', 'Run `sync resume`, let it catch up, then commit.');
  if (facts.state !== 'RUNNING') {
    return refuse(`Only a RUNNING migration can commit; this one is ${facts.state}.`, 'Run `sync status` to see what it allows.');
  }
  if (facts.phase !== 'copied') {
    return refuse(`The initial copy is not finished (phase ${facts.phase}); the migration cannot commit yet.`, 'Let `sync start` finish the copy (`sync status` shows its progress), then commit.');
  }
  if (facts.lagSeconds !== undefined && facts.lagSeconds >= COMMIT_MAX_LAG_SECONDS) {
    return refuse(
      `The change application is ${facts.lagSeconds} s behind the source; commit needs less than ${COMMIT_MAX_LAG_SECONDS} s.`,
      'Wait until `sync status` shows a smaller lag (or reduce the write load on the source), then commit.',
    );
  }
  return { allowed: true, next: 'COMMITTING' };
}

function decideReverse(facts: TransitionFacts): TransitionDecision {
  if (facts.state !== 'COMMITTED') {
    return refuse(`Only a COMMITTED migration can be reversed; this one is ${facts.state}.`, 'Commit first (`sync commit`).');
  }
  if (!facts.reversible || facts.userWriteBlocking !== 'sourceAndDestination') {
    return refuse(
      'The migration was not configured as reversible (reversible: true with enableUserWriteBlocking: sourceAndDestination).',
      'A reverse sync needs the source write-blocked at commit; start a new migration in the other direction instead.',
    );
  }
  return { allowed: true, next: 'REVERSING' };
}

/** mongosync's `canCommit`: a commit request would be accepted now (a process applies changes, lag is small). */
export function canCommit(facts: TransitionFacts): boolean {
  return facts.lagSeconds !== undefined && decideTransition('commit', facts).allowed;
}

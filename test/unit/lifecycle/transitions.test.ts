import { MIGRATION_STATES, type MigrationState } from '../../../src/state/migration_store.js';
import { CONTROL_ACTIONS, type ControlAction } from '../../../src/lifecycle/migration_control.js';
import {
  canCommit, COMMIT_MAX_LAG_SECONDS, decideTransition, type TransitionFacts,
} from '../../../src/lifecycle/transitions.js';

/** Facts under which only the state decides: copy done, no lag, configured reversible. */
const ready = (state: MigrationState, more: Partial<TransitionFacts> = {}): TransitionFacts => ({
  state, phase: 'copied', reversible: true, userWriteBlocking: 'sourceAndDestination', lagSeconds: 0, ...more,
});

/** The allowed transitions of mongosync's state machine; every other state x action pair is refused. */
const ALLOWED: Readonly<Record<string, MigrationState>> = {
  'RUNNING pause': 'PAUSED',
  'PAUSED resume': 'RUNNING',
  'RUNNING commit': 'COMMITTING',
  'COMMITTED reverse': 'REVERSING',
};

/** What a refusal of each action says, by state (the text an operator reads). */
function refusalText(state: MigrationState, action: ControlAction): string {
  switch (action) {
    case 'start': return `The migration is already started (state ${state}).`;
    case 'pause': return `Only a RUNNING migration can be paused; this one is ${state}.`;
    case 'resume': return `Only a PAUSED migration can be resumed; this one is ${state}.`;
    case 'commit': return state === 'PAUSED' ? 'The migration is PAUSED; it cannot commit.' : `Only a RUNNING migration can commit; this one is ${state}.`;
    case 'reverse': return `Only a COMMITTED migration can be reversed; this one is ${state}.`;
  }
}

const LIVE_STATES = MIGRATION_STATES.filter((s) => s !== 'FAILED');
const PAIRS = LIVE_STATES.flatMap((state) => CONTROL_ACTIONS.map((action) => [state, action] as const));

describe('decideTransition', () => {
  it('covers every state and action in the tables below', () => {
    expect(PAIRS).toHaveLength((MIGRATION_STATES.length - 1) * CONTROL_ACTIONS.length);
    for (const key of Object.keys(ALLOWED)) expect(PAIRS.map(([s, a]) => `${s} ${a}`)).toContain(key);
  });

  it.each(PAIRS)('%s + %s', (state, action) => {
    const decision = decideTransition(action, ready(state));
    const next = ALLOWED[`${state} ${action}`];
    if (next !== undefined) {
      expect(decision).toEqual({ allowed: true, next });
    } else {
      expect(decision).toMatchObject({ allowed: false, reason: refusalText(state, action) });
      if (!decision.allowed) expect(decision.hint.length).toBeGreaterThan(0);
    }
  });

  it.each(CONTROL_ACTIONS.map((a) => [a]))('FAILED refuses %s with the recorded reason', (action) => {
    const decision = decideTransition(action, ready('FAILED', { failure: 'change stream history lost' }));
    expect(decision).toMatchObject({
      allowed: false,
      reason: `The migration has FAILED (change stream history lost); it cannot ${action}.`,
      hint: expect.stringContaining('sync reset'),
    });
  });

  it('FAILED without a recorded reason says so', () => {
    expect(decideTransition('resume', ready('FAILED'))).toMatchObject({ allowed: false, reason: expect.stringContaining('no reason recorded') });
  });

  describe('commit', () => {
    it.each([
      ['no lag', 0, true],
      ['just under the limit', COMMIT_MAX_LAG_SECONDS - 0.001, true],
      ['29 s', 29, true],
      ['exactly the limit', COMMIT_MAX_LAG_SECONDS, false],
      ['over the limit', 31, false],
      ['no process applying changes (the commit catches up itself)', undefined, true],
    ] as const)('lag %s -> allowed %s', (_name, lagSeconds, allowed) => {
      const decision = decideTransition('commit', ready('RUNNING', { lagSeconds }));
      expect(decision.allowed).toBe(allowed);
      if (!decision.allowed) expect(decision.reason).toBe(`The change application is ${lagSeconds} s behind the source; commit needs less than 30 s.`);
    });

    it('limit is 30 s, as mongosync', () => {
      expect(COMMIT_MAX_LAG_SECONDS).toBe(30);
    });

    it.each(['catalog', 'partitioning', 'copying', 'indexes'] as const)('refuses during the copy phase %s', (phase) => {
      expect(decideTransition('commit', ready('RUNNING', { phase }))).toMatchObject({
        allowed: false, reason: `The initial copy is not finished (phase ${phase}); the migration cannot commit yet.`,
      });
    });
  });

  describe('reverse', () => {
    it.each([
      [true, 'sourceAndDestination', true],
      [false, 'sourceAndDestination', false],
      [true, 'destinationOnly', false],
      [true, 'none', false],
      [false, 'none', false],
    ] as const)('reversible %s with %s -> allowed %s', (reversible, userWriteBlocking, allowed) => {
      const decision = decideTransition('reverse', ready('COMMITTED', { reversible, userWriteBlocking }));
      if (allowed) expect(decision).toEqual({ allowed: true, next: 'REVERSING' });
      else expect(decision).toMatchObject({ allowed: false, reason: expect.stringContaining('not configured as reversible') });
    });
  });
});

describe('canCommit', () => {
  it.each([
    ['running, copied, lag 0', true, ready('RUNNING')],
    ['running, copied, lag 29', true, ready('RUNNING', { lagSeconds: 29 })],
    ['lag at the limit', false, ready('RUNNING', { lagSeconds: 30 })],
    ['no lag measured (no process applies changes)', false, ready('RUNNING', { lagSeconds: undefined })],
    ['copy not done', false, ready('RUNNING', { phase: 'copying' })],
    ['paused', false, ready('PAUSED')],
    ['committing', false, ready('COMMITTING')],
    ['committed', false, ready('COMMITTED')],
    ['failed', false, ready('FAILED')],
  ])('%s -> %s', (_name, expected, facts) => {
    expect(canCommit(facts)).toBe(expected);
  });
});

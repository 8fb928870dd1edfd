import { evaluateMode, failCommandApplies, parseFailPointMode, type FailCommandTarget, type FailPointMode } from '../../../harness/engine/fail_points.js';
import { codeNameOf, CommandError } from '../../../harness/errors.js';

const target = (overrides: Partial<FailCommandTarget> = {}): FailCommandTarget => ({
  commandName: 'find', ns: 'db.c', appName: undefined, internalClient: false, ...overrides,
});

describe('parseFailPointMode', () => {
  it.each([
    ['off', { kind: 'off' }],
    ['alwaysOn', { kind: 'alwaysOn' }],
    [{ times: 3 }, { kind: 'times', remaining: 3 }],
    [{ times: 0 }, { kind: 'off' }],
    [{ skip: 2 }, { kind: 'skip', toSkip: 2 }],
    [{ activationProbability: 0.5 }, { kind: 'probability', p: 0.5 }],
  ])('parses %j', (mode, expected) => {
    expect(parseFailPointMode(mode)).toEqual(expected);
  });

  it.each([['sometimes'], [{ times: -1 }], [{ activationProbability: 2 }], [{}], [5]])('refuses %j', (mode) => {
    expect(() => parseFailPointMode(mode)).toThrow(CommandError);
  });
});

describe('evaluateMode', () => {
  it('counts times down to off', () => {
    let mode: FailPointMode = { kind: 'times', remaining: 2 };
    const fired: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const r = evaluateMode(mode);
      fired.push(r.fire);
      mode = r.next;
    }
    expect(fired).toEqual([true, true, false]);
    expect(mode).toEqual({ kind: 'off' });
  });

  it('lets the first skip passes through, then fires every time', () => {
    let mode: FailPointMode = { kind: 'skip', toSkip: 2 };
    const fired: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = evaluateMode(mode);
      fired.push(r.fire);
      mode = r.next;
    }
    expect(fired).toEqual([false, false, true, true]);
  });

  it('fires by probability with the given random source', () => {
    expect(evaluateMode({ kind: 'probability', p: 0.5 }, () => 0.4).fire).toBe(true);
    expect(evaluateMode({ kind: 'probability', p: 0.5 }, () => 0.6).fire).toBe(false);
  });
});

describe('failCommandApplies', () => {
  it.each<[string, Record<string, unknown>, Partial<FailCommandTarget>, boolean]>([
    ['a listed command', { failCommands: ['find'] }, {}, true],
    ['an unlisted command', { failCommands: ['insert'] }, {}, false],
    ['an alias of hello', { failCommands: ['isMaster'] }, { commandName: 'hello' }, true],
    ['configureFailPoint, even when listed', { failCommands: ['configureFailPoint'] }, { commandName: 'configureFailPoint' }, false],
    ['another appName', { failCommands: ['find'], appName: 'x' }, { appName: 'y' }, false],
    ['the same appName', { failCommands: ['find'], appName: 'x' }, { appName: 'x' }, true],
    ['another namespace', { failCommands: ['find'], namespace: 'db.d' }, {}, false],
    ['an internal client', { failCommands: ['find'] }, { internalClient: true }, false],
    ['an internal client with failInternalCommands', { failCommands: ['find'], failInternalCommands: true }, { internalClient: true }, true],
    ['failAllCommands', { failAllCommands: true }, { commandName: 'ping' }, true],
  ])('%s', (_name, data, overrides, expected) => {
    expect(failCommandApplies(data, target(overrides))).toBe(expected);
  });
});

describe('codeNameOf', () => {
  it.each([[2, 'BadValue'], [91, 'ShutdownInProgress'], [112, 'WriteConflict'], [123456, 'Location123456']])('%d is %s', (code, name) => {
    expect(codeNameOf(code)).toBe(name);
  });
});

import { countResults, formatCauses, suiteTotals } from '../../conformance/report.js';
import type { TestResult } from '../../conformance/test_result.js';

function result(overrides: Partial<TestResult>): TestResult {
  return {
    suite: 'crud',
    file: 'f.json',
    description: 'd',
    status: 'passed',
    reason: '',
    cause: '',
    plain: true,
    clientSideOnly: false,
    indexRunnable: true,
    ...overrides,
  };
}

describe('countResults', () => {
  it('counts applicable tests as passed plus failed', () => {
    expect(
      countResults([
        result({}),
        result({ status: 'failed' }),
        result({ status: 'not-applicable', indexRunnable: false }),
      ]),
    ).toEqual({ applicable: 2, passed: 1, failed: 1, notApplicable: 1 });
  });
});

describe('suiteTotals', () => {
  it('separates suites, counts the plain subset and client-side-only passes', () => {
    const [crud, changeStreams] = suiteTotals([
      result({}),
      result({ plain: false, clientSideOnly: true }),
      result({ suite: 'change-streams', status: 'failed' }),
    ]);
    expect(crud).toMatchObject({ all: { passed: 2 }, plain: { passed: 1 }, clientSideOnlyPassed: 1 });
    expect(changeStreams).toMatchObject({ all: { failed: 1, applicable: 1 } });
  });

  it('lists tests whose applicability differs from the index', () => {
    const [crud] = suiteTotals([result({ status: 'not-applicable', indexRunnable: true, description: 'x' })]);
    expect(crud!.indexDisagreements).toEqual(['f.json: x (index runnable=true, runner not-applicable)']);
  });
});

describe('formatCauses', () => {
  it('groups failures by suite and cause, most frequent first', () => {
    const text = formatCauses([
      result({ status: 'failed', cause: 'b' }),
      result({ status: 'failed', cause: 'a' }),
      result({ status: 'failed', cause: 'a' }),
    ]);
    expect(text.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      ['2', 'crud', 'a'],
      ['1', 'crud', 'b'],
    ]);
  });
});

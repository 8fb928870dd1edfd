import { baselineRegressions, raisedBaseline } from '../../conformance/baseline.js';

describe('baselineRegressions', () => {
  it('reports a suite that passes fewer tests than its baseline', () => {
    expect(
      baselineRegressions({ crud: { passed: 10 }, 'change-streams': { passed: 5 } }, { crud: 9, 'change-streams': 5 }),
    ).toEqual(['crud: 9 passed, baseline 10']);
  });

  it('accepts equal and higher counts', () => {
    expect(baselineRegressions({ crud: { passed: 10 } }, { crud: 11, 'change-streams': 0 })).toEqual([]);
  });
});

describe('raisedBaseline', () => {
  it('raises a suite that passes more tests and never lowers one', () => {
    expect(raisedBaseline({ crud: { passed: 10 }, 'change-streams': { passed: 5 } }, { crud: 12, 'change-streams': 3 })).toEqual({
      crud: { passed: 12 },
      'change-streams': { passed: 5 },
    });
  });
});

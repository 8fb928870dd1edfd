import {
  compareVersions,
  unmetRequirements,
  type DeploymentFacts,
  type RunOnRequirement,
} from '../../conformance/run_on_requirements.js';

const replicaSet70: DeploymentFacts = {
  serverVersion: '7.0.14',
  topology: 'replicaset',
  serverless: false,
  auth: false,
  csfle: false,
  serverParameters: {},
};

describe('compareVersions', () => {
  it.each([
    ['4.0.10', '4.0.9', 1],
    ['3.6', '4.2.0', -1],
    ['7.0', '7.0.0', 0],
    ['7.0.14', '8.1.99', -1],
  ])('compares %s with %s as %d', (a, b, sign) => {
    expect(compareVersions(a, b)).toBe(sign);
  });
});

describe('unmetRequirements', () => {
  it.each<[string, RunOnRequirement[] | undefined]>([
    ['no requirements', undefined],
    ['an empty list', []],
    ['a lower minimum', [{ minServerVersion: '4.4' }]],
    ['an inclusive minimum', [{ minServerVersion: '7.0.14' }]],
    ['an inclusive maximum', [{ maxServerVersion: '7.0.14' }]],
    ['our topology among others', [{ topologies: ['single', 'replicaset'] }]],
    ['serverless forbidden', [{ serverless: 'forbid' }]],
    ['auth disabled', [{ auth: false }]],
    ['one met requirement among unmet ones', [{ minServerVersion: '8.0' }, { topologies: ['replicaset'] }]],
  ])('is satisfied by %s', (_name, requirements) => {
    expect(unmetRequirements(requirements, replicaSet70)).toBeUndefined();
  });

  it.each<[string, RunOnRequirement[], RegExp]>([
    ['a higher minimum', [{ minServerVersion: '8.0' }], />= 8.0/],
    ['a lower maximum', [{ maxServerVersion: '4.2.99' }], /<= 4.2.99/],
    ['sharded only', [{ topologies: ['sharded', 'load-balanced'] }], /topology/],
    ['sharded replica sets only', [{ topologies: ['sharded-replicaset'] }], /topology/],
    ['serverless required', [{ serverless: 'require' }], /serverless/],
    ['auth required', [{ auth: true }], /auth/],
    ['CSFLE required', [{ csfle: true }], /encryption/],
    ['an unknown server parameter', [{ serverParameters: { enableTestCommands: true } }], /parameter/],
    ['every requirement unmet', [{ minServerVersion: '8.0' }, { topologies: ['single'] }], /8\.0.*single/],
  ])('is not satisfied by %s', (_name, requirements, reason) => {
    expect(unmetRequirements(requirements, replicaSet70)).toMatch(reason);
  });

  it('compares server parameters by value across numeric types', () => {
    const facts = { ...replicaSet70, serverParameters: { someLimit: 2 } };
    expect(unmetRequirements([{ serverParameters: { someLimit: 2 } }], facts)).toBeUndefined();
    expect(unmetRequirements([{ serverParameters: { someLimit: 3 } }], facts)).toMatch(/someLimit/);
  });
});

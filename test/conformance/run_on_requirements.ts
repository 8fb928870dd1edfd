/**
 * Evaluation of `runOnRequirements` (unified test format, "runOnRequirement"): a test runs when at least one
 * requirement is met; each requirement is met when every field it has is met.
 */

/** What the runner knows about the deployment under test. */
export interface DeploymentFacts {
  /** Server version, e.g. "7.0.14". */
  serverVersion: string;
  /** One of "single", "replicaset", "sharded", "load-balanced". */
  topology: string;
  /** Whether this is Atlas Serverless. */
  serverless: boolean;
  /** Whether authentication is enabled. */
  auth: boolean;
  /** Whether client-side field level encryption is available to the runner (never, here). */
  csfle: boolean;
  /** Server parameters by name; a missing name means the server does not know the parameter. */
  serverParameters: Readonly<Record<string, unknown>>;
}

/** One runOnRequirement object as it appears in a test file. */
export interface RunOnRequirement {
  minServerVersion?: string;
  maxServerVersion?: string;
  topologies?: string[];
  serverless?: 'require' | 'forbid' | 'allow';
  auth?: boolean;
  authMechanism?: string;
  csfle?: boolean;
  serverParameters?: Record<string, unknown>;
}

/** Compares dotted version strings component by component, numerically; missing components count as 0. */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const y = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function topologyMatches(wanted: string, actual: string): boolean {
  // "sharded-replicaset" is a sharded cluster whose shards are replica sets; "sharded" accepts any sharded cluster.
  if (wanted === 'sharded-replicaset') return actual === 'sharded';
  return wanted === actual;
}

function parameterEquals(expected: unknown, actual: unknown): boolean {
  const toComparable = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && 'valueOf' in v ? (v as { valueOf(): unknown }).valueOf() : v;
  const a = toComparable(expected);
  const b = toComparable(actual);
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Why one requirement is not met, or undefined when it is. */
export function unmetRequirement(requirement: RunOnRequirement, facts: DeploymentFacts): string | undefined {
  if (requirement.minServerVersion && compareVersions(facts.serverVersion, requirement.minServerVersion) < 0) {
    return `needs server >= ${requirement.minServerVersion}`;
  }
  if (requirement.maxServerVersion && compareVersions(facts.serverVersion, requirement.maxServerVersion) > 0) {
    return `needs server <= ${requirement.maxServerVersion}`;
  }
  if (requirement.topologies && !requirement.topologies.some((t) => topologyMatches(t, facts.topology))) {
    return `needs topology ${requirement.topologies.join('|')}`;
  }
  if (requirement.serverless === 'require' && !facts.serverless) return 'needs serverless';
  if (requirement.serverless === 'forbid' && facts.serverless) return 'forbids serverless';
  if (requirement.auth !== undefined && requirement.auth !== facts.auth) {
    return requirement.auth ? 'needs auth' : 'needs auth disabled';
  }
  if (requirement.authMechanism !== undefined) return `needs auth mechanism ${requirement.authMechanism}`;
  if (requirement.csfle !== undefined && requirement.csfle !== facts.csfle) {
    return requirement.csfle ? 'needs client-side field level encryption' : 'needs CSFLE unavailable';
  }
  for (const [name, value] of Object.entries(requirement.serverParameters ?? {})) {
    if (!(name in facts.serverParameters) || !parameterEquals(value, facts.serverParameters[name])) {
      return `needs server parameter ${name}=${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

/**
 * Why a `runOnRequirements` list is not satisfied (the reason of its first requirement), or undefined when it is
 * (an absent or empty list is always satisfied).
 */
export function unmetRequirements(
  requirements: readonly RunOnRequirement[] | undefined,
  facts: DeploymentFacts,
): string | undefined {
  if (!requirements || requirements.length === 0) return undefined;
  const reasons = requirements.map((r) => unmetRequirement(r, facts));
  return reasons.includes(undefined) ? undefined : reasons.join('; ');
}

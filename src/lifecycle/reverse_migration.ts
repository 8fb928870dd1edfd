/**
 * The reverse (state REVERSING -> RUNNING in the other direction), after a commit: the old to-side becomes the
 * side changes are read from, starting right after the moment its write block was lifted (`commit.openedAt`), so
 * the changes this tool wrote never travel back and every application write after the commit does. The old
 * from-side, write-blocked since the commit (`sourceAndDestination`), gets the sync-time index rewrites (unique ->
 * non-unique, TTL -> 2147483647, hidden -> visible, capped -> largest size) that the next commit restores.
 */
import { Timestamp } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, StateError } from '../errors.js';
import { childLogger, type Logger } from '../log/logger.js';
import { clusterTimeField } from '../log/fields.js';
import { readSourceCatalog } from '../catalog/source_catalog.js';
import { syncRewritePlan } from '../catalog/restore_rules.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { CheckpointStore } from '../state/checkpoint_store.js';
import { setUserWriteBlocking } from '../topology/write_blocking.js';
import type { ClusterClients } from '../topology/clients.js';
import { definitionsOn } from './commit_migration.js';
import { directionOf, syncSides } from './sync_sides.js';

export interface ReverseDeps {
  readonly clients: Pick<ClusterClients, 'source' | 'destination'>;
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** Carries out (or continues) the reverse of a migration in state REVERSING; returns it RUNNING the other way. */
export async function runReverse(deps: ReverseDeps): Promise<MigrationDocument> {
  const { config, now } = deps;
  const logger = childLogger(deps.logger, 'reverse');
  const store = new MigrationStore(deps.clients.destination);
  const migration = await store.get(config.id);
  const openedAt = migration?.commit?.openedAt;
  if (migration === null || migration.state !== 'REVERSING' || openedAt === undefined) {
    throw new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, `Migration "${config.id}" is not REVERSING after a commit.`);
  }
  const direction = directionOf(migration) === 'forward' ? 'reverse' : 'forward';
  const sides = syncSides(deps.clients, direction);

  // Idempotent: a reverse interrupted here and run again blocks and rewrites what is left.
  await setUserWriteBlocking(sides.to, true);
  let rewrites = 0;
  for (const entry of (await readSourceCatalog(sides.from, config)).filter((e) => e.kind === 'collection')) {
    const current = await definitionsOn(sides.to, entry);
    if (current === undefined) continue;
    for (const command of syncRewritePlan(entry.ns.coll, current)) {
      await sides.to.db(entry.ns.db).command({ ...command, writeConcern: { w: 'majority' } });
      rewrites++;
    }
  }
  // Right after openedAt: the to-side's own restore steps up to it must not travel back.
  const start = new Timestamp({ t: openedAt.high, i: openedAt.low + 1 });
  const checkpoints = new CheckpointStore(sides.state);
  const previous = await checkpoints.load(config.id);
  await checkpoints.save(config.id, { kind: 'start', clusterTime: start }, previous?.eventsApplied ?? 0, now());
  await store.beginDirection(config.id, direction, now());
  logger.info('reverse ready: changes now flow the other way', {
    from: sides.fromSide, to: sides.toSide, indexRewrites: rewrites, ...clusterTimeField(start),
  });
  return { ...migration, direction, state: 'RUNNING', commit: undefined };
}

import { Int32, Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';

/**
 * fsync (admin): data is in memory, so there is nothing to flush. `{lock: true}` is answered as mongod answers it
 * but does not block writes here; fsyncUnlock counts the locks back down.
 */
export const fsync: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    if (ctx.body.lock === true || (typeof ctx.body.lock === 'object' && ctx.body.lock !== null && Number(ctx.body.lock) !== 0)) {
      const locks = fsyncLocksOf(ctx);
      locks.count++;
      return { info: 'now locked against writes, use db.fsyncUnlock() to unlock', lockCount: Long.fromNumber(locks.count), seeAlso: 'http://dochub.mongodb.org/core/fsynccommand' };
    }
    return { numFiles: new Int32(1) };
  },
};

/** fsyncUnlock (admin). */
export const fsyncUnlock: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const locks = fsyncLocksOf(ctx);
    if (locks.count === 0) throw new CommandError('CommandFailed', 'fsyncUnlock called when not locked');
    locks.count--;
    return { info: 'fsyncUnlock completed', lockCount: Long.fromNumber(locks.count) };
  },
};

/** fsync lock counts per server. */
const fsyncLocks = new WeakMap<object, { count: number }>();

function fsyncLocksOf(ctx: CommandContext): { count: number } {
  let locks = fsyncLocks.get(ctx.server);
  if (!locks) {
    locks = { count: 0 };
    fsyncLocks.set(ctx.server, locks);
  }
  return locks;
}

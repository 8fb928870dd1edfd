import { serialize, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import type { OperationContext } from '../engine/write_path.js';
import { typeName } from '../engine/query/bson_types.js';

/** Where mongod persists the global critical section (NamespaceString::kUserWritesCriticalSectionsNamespace). */
export const CRITICAL_SECTIONS_DB = 'config';
export const CRITICAL_SECTIONS_COLLECTION = 'user_writes_critical_sections';

/** The server's own writes to config (not a user's): never blocked. */
const INTERNAL_OPERATION: OperationContext = Object.freeze({ bypassWriteBlocking: true });

/**
 * setUserWriteBlockMode {global} (mongod 6.0+, set_user_write_block_mode_command.cpp): on any database (it is not
 * adminOnly), never on a standalone (IllegalOperation), without writeConcern (it waits for majority itself).
 * `{global: true}` persists the global critical section as `{_id: "", blockNewUserShardedDDL: false,
 * blockUserWrites: true}` in config.user_writes_critical_sections (UserWritesRecoverableCriticalSectionService),
 * `{global: false}` deletes it; either is a no-op when already so, and the reply's operationTime is then the last
 * optime. While it is set, the write path refuses user writes (UserWritesBlocked, 371) outside admin, config and
 * local of clients without bypassWriteBlockingMode; serverStatus reports it as `repl.userWriteBlockMode` (1 off,
 * 2 on). The setUserWriteBlockMode privilege (clusterManager, root) is checked by the auth module.
 */
export const setUserWriteBlockMode: CommandDefinition = {
  supportsWriteConcern: false,
  run(ctx: CommandContext): Document {
    const global = ctx.body.global;
    if (global === undefined) {
      throw new CommandError('IDLFailedToParse', "BSON field 'setUserWriteBlockMode.global' is missing but a required field", {}, 40414);
    }
    if (typeof global !== 'boolean') {
      throw new CommandError('TypeMismatch', `BSON field 'setUserWriteBlockMode.global' is the wrong type '${typeName(global)}', expected type 'bool'`);
    }
    if (ctx.server.options.standalone) {
      throw new CommandError('IllegalOperation', 'setUserWriteBlockMode cannot be run on standalones');
    }
    const { server, writes } = ctx;
    const sections = server.catalog.getCollection(CRITICAL_SECTIONS_DB, CRITICAL_SECTIONS_COLLECTION);
    const current = sections?.findById('');
    if (global && !current) {
      const collection = writes.ensureCollection(CRITICAL_SECTIONS_DB, CRITICAL_SECTIONS_COLLECTION, INTERNAL_OPERATION);
      const doc = { _id: '', blockNewUserShardedDDL: false, blockUserWrites: true };
      writes.insert(collection, Buffer.from(serialize(doc)), INTERNAL_OPERATION);
    } else if (!global && sections && current) {
      writes.delete(sections, current, INTERNAL_OPERATION);
    }
    server.userWritesBlocked = global;
    return {};
  },
};

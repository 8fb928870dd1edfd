import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { builtinRoleNames, isBuiltinRole } from '../auth/builtin_roles.js';
import { parseRoleName, privilegeToDocument, privilegesOfRoles, type RoleName } from '../auth/privileges.js';
import { isNumeric } from '../engine/bson_order.js';

/**
 * A built-in role as mongod describes it: its privileges are flattened (included roles' privileges merged in), so
 * `roles` and `inheritedRoles` are empty.
 */
function describe(r: RoleName, showPrivileges: boolean): Document {
  const out: Document = { _id: `${r.db}.${r.role}`, role: r.role, db: r.db, isBuiltin: true, roles: [], inheritedRoles: [] };
  if (showPrivileges) {
    const privileges = privilegesOfRoles([r]).map(privilegeToDocument);
    out.privileges = privileges;
    out.inheritedPrivileges = privileges;
  }
  return out;
}

/**
 * rolesInfo: `1` (the database's roles: only built-in ones exist here, listed with showBuiltinRoles), a role name,
 * `{role, db}`, or a list of those. User-defined roles (createRole) are not supported by this server.
 */
export const rolesInfo: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const { body, db } = ctx;
    const arg = body.rolesInfo;
    const showPrivileges = body.showPrivileges === true;
    let roles: RoleName[];
    if (isNumeric(arg) && Number(arg) === 1) {
      roles = body.showBuiltinRoles === true ? builtinRoleNames(db).map((role) => ({ role, db })) : [];
    } else {
      const list = Array.isArray(arg) ? arg : [arg];
      roles = list.map((v) => {
        const parsed = parseRoleName(v, db);
        if (!parsed) throw new CommandError('BadValue', 'Role names must be either strings or objects with "role" and "db" fields');
        return parsed;
      }).filter((r) => isBuiltinRole(r.role, r.db));
    }
    return { roles: roles.map((r) => describe(r, showPrivileges)) };
  },
};

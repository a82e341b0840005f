import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';
import { Database } from '../db/database.js';
import { resolveDatabaseUrl } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { generatePassword, hashPassword } from '../console/passwords.js';
import { parseRole } from '../console/roles.js';
import { USER_NAME_PATTERN, UserStore } from '../console/user-store.js';
import { AuditLog } from '../store/audit-log.js';

export const USERS_USAGE = `  users add <name> --role <role>   add a console user (ops, integrator, marketing, planning, finance or
                            partner:<id>) and print the first password: "password: <it>"
  users passwd <name>       give a console user a new password (printed the same way; their sessions end)
  users disable <name>      keep a console user but refuse their sign-ins, and end their sessions
  users enable <name>       let a disabled console user sign in again (same password)
  users remove <name>       remove a console user and end their sessions
  users list                console users with their roles`;

/** A refusal of the users command: printed to stderr, exit code 2 for a wrong call, 1 otherwise. */
export class UsersCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** `hub users …`: the console's users in the hub's PostgreSQL schema (the one the running hubs use). */
export async function usersCommand(args: string[], config: HubConfig, logger: Logger, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' } } });
  const [action, name, ...extra] = positionals;
  const known = ['add', 'passwd', 'disable', 'enable', 'remove', 'list'];
  if (!action || !known.includes(action) || extra.length || (action !== 'list' && !name)) {
    throw new UsersCommandError(`hub users needs add <name> --role <role>, passwd <name>, disable <name>, enable <name>, remove <name> or list.\n\n${USERS_USAGE}`, 2);
  }
  if (name !== undefined && !USER_NAME_PATTERN.test(name)) throw new UsersCommandError(`user name "${name}": use letters, digits and . _ @ - (at most 64, starting with a letter or digit)`, 2);
  let role: string | undefined;
  if (action === 'add') {
    if (!values.role) throw new UsersCommandError('hub users add needs --role <role> (ops, integrator, marketing, planning, finance or partner:<id>)', 2);
    const parsed = parseRole(values.role, config);
    if ('error' in parsed) throw new UsersCommandError(`${parsed.error} (${config.configFile})`, 2);
    role = values.role;
  } else if (values.role) throw new UsersCommandError(`--role is only for hub users add`, 2);

  const url = await resolveDatabaseUrl(config.database.url, config.paths.var, logger);
  await migrate(url, config.database.schema);
  const db = new Database({ ...config.database, url, applicationName: 'b2b-hub cli' });
  try {
    const users = new UserStore(db);
    const audit = new AuditLog(db, logger);
    if (action === 'list') {
      for (const u of await users.list()) out.write(`${u.name}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\tcreated ${u.createdAt}\n`);
      return;
    }
    if (action === 'add') {
      const password = generatePassword();
      const user = await users.add(name!, role!, await hashPassword(password));
      if (!user) throw new UsersCommandError(`a console user "${name}" exists already (names are compared ignoring case); use hub users passwd ${name} for a new password`, 1);
      await audit.record({ event: 'console.user.added', actor: 'cli', detail: `${user.name}: role ${user.role}` });
      out.write(`added console user ${user.name} with role ${user.role}; the first password (shown once):\npassword: ${password}\n`);
      return;
    }
    if (action === 'passwd') {
      const password = generatePassword();
      const user = await users.setPassword(name!, await hashPassword(password));
      if (!user) throw new UsersCommandError(`no console user "${name}" (hub users list shows them)`, 1);
      await audit.record({ event: 'console.user.password-changed', actor: 'cli', detail: `${user.name}: new password, sessions ended` });
      out.write(`new password for ${user.name} (shown once; their sessions have ended):\npassword: ${password}\n`);
      return;
    }
    if (action === 'disable' || action === 'enable') {
      const done = await users.setDisabled(name!, action === 'disable');
      if (!done) throw new UsersCommandError(`no console user "${name}" (hub users list shows them)`, 1);
      if (!done.changed) {
        out.write(`console user ${done.user.name} is already ${action === 'disable' ? 'disabled' : 'enabled'}\n`);
        return;
      }
      await audit.record({ event: `console.user.${action}d`, actor: 'cli', detail: `${done.user.name}: role ${done.user.role}${action === 'disable' ? `, ${done.sessions} session(s) ended` : ''}` });
      out.write(action === 'disable' ? `disabled console user ${done.user.name}; ${done.sessions} session(s) ended\n` : `enabled console user ${done.user.name}; they can sign in with their password again\n`);
      return;
    }
    const removed = await users.remove(name!);
    if (!removed) throw new UsersCommandError(`no console user "${name}" (hub users list shows them)`, 1);
    await audit.record({ event: 'console.user.removed', actor: 'cli', detail: `${removed.user.name}: role ${removed.user.role}, ${removed.sessions} session(s) ended` });
    out.write(`removed console user ${removed.user.name}; ${removed.sessions} session(s) ended\n`);
  } finally {
    await db.close();
  }
}

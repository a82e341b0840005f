import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { HubError } from '../errors/hub-error.js';
import { createHub, createLogger, type Hub } from '../main.js';
import { projectRoot } from '../util/project-root.js';
import { CredentialStore, parsePrincipal, principalName } from '../auth/credentials.js';
import { Database } from '../db/database.js';
import { resolveDatabaseUrl } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { AuditLog } from '../store/audit-log.js';
import { retentionRuns, scheduledRetention } from '../store/retention.js';
import { OfflineMapper, runMappingFixtures, runOutboundFixtures } from './offline.js';
import { usersCommand, UsersCommandError, USERS_USAGE } from './users.js';

const USAGE = `Usage: hub <command> [options]

Commands:
  start                     serve the HTTP API and run the workers (127.0.0.1:\${PORT:-8080})
  start --no-workers        serve the HTTP API only (run workers with "hub worker")
  worker                    run transform and delivery workers only (scale out: start several)
  map <file>                detect the format, validate, map and print the canonical JSON (an EDI
                            interchange: one document per transaction, a JSON array when several)
  ack <file> [--partner id] print the acknowledgements (997/999/TA1 or CONTRL) the hub would send for an
                            EDI interchange (control numbers 1: the hub numbers its own)
      [--mapping <file.yaml>] [--partner <id>]
  map --outbound <canonical.json> --partner <id> [--mapping <mappings/outbound/x.yaml>]
                            print the document the hub would send the partner for a canonical document
                            (its outbound format for the type, or the mapping given; validated; EDI with
                            control numbers 1)
  test-mappings             map every fixtures/<format>/<case>.xml and diff against <case>.expected.json;
                            build every fixtures/outbound/<format>/<case>.json and compare with its
                            <case>.expected.xml or .expected.edi
  keys list                 active keys per principal (creation times; keys themselves are never stored)
  keys rotate <principal>   new key for partner:<id>, erp or ops, printed once; the previous one stays valid
  keys revoke <principal>   revoke all but the newest key [--all: every key, locking the principal out]
  db migrate                apply the schema migrations (the hub also does at start, under a lock)
  db retention              run the retention job once now and print what it removed
  db url                    print the database URL in use (starts the private PostgreSQL when none is set)
${USERS_USAGE}

Environment: HUB_CONFIG (default config/hub.yaml), PORT, HOST, DATABASE_URL, HUB_DB_SCHEMA, REDIS_URL, HUB_KEY_PREFIX,
HUB_VAR_DIR, LOG_LEVEL.`;

function fail(message: string, code = 1): never {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  process.exit(code);
}

function describe(error: unknown): string {
  if (error instanceof HubError) {
    const lines = [`${error.code}: ${error.message}`];
    for (const item of error.errors) lines.push(`  ${item.line ? `line ${item.line}${item.column ? `:${item.column}` : ''}: ` : ''}${item.path ? `${item.path}: ` : ''}${item.message}`);
    return lines.join('\n');
  }
  return `unexpected error: ${(error as Error)?.stack ?? String(error)}`;
}

function runUntilSignal(hub: Hub): void {
  let stopping = false;
  const stop = (signal: string) => {
    // A second signal while draining: stop at once (what is accepted is in PostgreSQL; jobs are handed out again).
    if (stopping) process.exit(1);
    stopping = true;
    hub.logger.info({ signal }, 'stopping');
    hub.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'no-workers': { type: 'boolean', default: false } } });
  const config = loadConfig();
  const hub = await createHub(config, { server: true, workers: !values['no-workers'] });
  hub.logger.info({ url: hub.url, redis: hub.redisUrl.replace(/\/\/[^@]*@/, '//***@'), workers: hub.workers.length > 0, credentials: hub.credentialsFile }, `hub listening on ${hub.url}; API keys are in ${hub.credentialsFile}`);
  runUntilSignal(hub);
}

async function worker(): Promise<void> {
  const config = loadConfig();
  const hub = await createHub(config, { server: false, workers: true });
  hub.logger.info({ redis: hub.redisUrl.replace(/\/\/[^@]*@/, '//***@'), pid: process.pid }, 'worker running');
  process.send?.({ ready: true });
  runUntilSignal(hub);
}

/** `hub map --outbound`: the document the hub would send a partner for a canonical document. */
async function mapOutbound(file: string, values: { mapping?: string; partner?: string }): Promise<void> {
  if (!values.partner) fail(`hub map --outbound needs --partner <id>: the partner the document goes to.\n\n${USAGE}`, 2);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read ${file} as JSON: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
  }
  const mapper = await OfflineMapper.create(loadConfig());
  try {
    const { mapping, built } = await mapper.buildOutbound(doc, { partner: values.partner, ...(values.mapping ? { mappingFile: values.mapping } : {}) });
    process.stdout.write(built.body.endsWith('\n') ? built.body : `${built.body}\n`);
    const numbers = built.controlNumbers ? '; control numbers 1 (interchange, group, transaction): the hub takes the real ones per partner when it sends' : '';
    process.stderr.write(`${mapping.name} (${built.contentType}) for ${values.partner}, valid${numbers}\n`);
  } catch (error) {
    fail(`${file}: ${describe(error)}`);
  } finally {
    mapper.close();
  }
}

async function map(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { mapping: { type: 'string' }, partner: { type: 'string' }, outbound: { type: 'string' } } });
  if (values.outbound !== undefined) {
    if (positionals.length) fail(`hub map --outbound takes the canonical JSON file as its value, no other file.\n\n${USAGE}`, 2);
    return mapOutbound(values.outbound, values);
  }
  if (positionals.length !== 1) fail(`hub map needs one XML file.\n\n${USAGE}`, 2);
  const file = positionals[0]!;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`, 2);
  }
  const mapper = await OfflineMapper.create(loadConfig(), values.mapping);
  try {
    const format = values.mapping ? path.basename(values.mapping).replace(/\.ya?ml$/, '') : undefined;
    if (mapper.ediSyntax(bytes)) {
      // An interchange: one canonical document per transaction (a JSON array when there are several); a
      // transaction the intake would refuse, or one that does not map, is reported and fails the command.
      // A batch file of several interchanges: each one's transactions, in order.
      const transactions = (await mapper.interchanges(bytes, { ...(format ? { format } : {}), ...(values.partner ? { partner: values.partner } : {}) })).flatMap((i) => i.transactions);
      const problems = transactions.filter((t) => t.error).map((t) => `transaction ${t.setId} ${t.controlNumber}: ${t.error!.code}: ${t.error!.message}${t.error!.errors.length ? '\n' + t.error!.errors.map((e) => `  ${e.message}`).join('\n') : ''}`);
      const mapped = transactions.filter((t) => t.canonical).map((t) => t.canonical);
      if (mapped.length) process.stdout.write(JSON.stringify(mapped.length === 1 ? mapped[0] : mapped, null, 2) + '\n');
      if (problems.length) fail(`${file}:\n${problems.join('\n')}`);
      if (!transactions.length) fail(`${file}: the interchange holds no transaction`);
      return;
    }
    const { canonical } = await mapper.map(bytes, { format, partner: values.partner });
    process.stdout.write(JSON.stringify(canonical, null, 2) + '\n');
  } catch (error) {
    fail(`${file}: ${describe(error)}`);
  } finally {
    mapper.close();
  }
}

async function ack(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { partner: { type: 'string' } } });
  if (positionals.length !== 1) fail(`hub ack needs one EDI file.\n\n${USAGE}`, 2);
  const file = positionals[0]!;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`, 2);
  }
  const mapper = await OfflineMapper.create(loadConfig());
  try {
    const acks = await mapper.acknowledgements(bytes, values.partner ? { partner: values.partner } : {});
    if (!acks.length) process.stderr.write('the partner is configured for no acknowledgement of this interchange (partners.<id>.acknowledgements)\n');
    for (const a of acks) process.stdout.write(`${a.content}${a.content.endsWith('\n') ? '' : '\n'}`);
  } catch (error) {
    fail(`${file}: ${describe(error)}`);
  } finally {
    mapper.close();
  }
}

async function testMappings(): Promise<void> {
  const mapper = await OfflineMapper.create(loadConfig());
  try {
    const fixtures = path.join(projectRoot(), 'fixtures');
    const results = [...(await runMappingFixtures(mapper, fixtures)), ...(await runOutboundFixtures(mapper, fixtures))];
    for (const r of results) {
      const name = path.relative(projectRoot(), r.file);
      process.stdout.write(r.ok ? `ok   ${name}\n` : `FAIL ${name}\n${r.problems.map((p) => `     ${p}`).join('\n')}\n`);
    }
    const failed = results.filter((r) => !r.ok).length;
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    if (failed || results.length === 0) process.exitCode = 1;
  } finally {
    mapper.close();
  }
}

async function keys(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean', default: false } } });
  const [action, name] = positionals;
  const config = loadConfig();
  const store = CredentialStore.forVarDir(config.paths.var);
  if (action === 'list') {
    for (const entry of store.list()) process.stdout.write(`${entry.principal}\t${entry.keys.length} active\t${entry.keys.map((k) => k.createdAt).join(', ')}\n`);
    return;
  }
  if ((action !== 'rotate' && action !== 'revoke') || !name) fail(`hub keys needs list, rotate <principal> or revoke <principal>.\n\n${USAGE}`, 2);
  const principal = parsePrincipal(name);
  if (principal.role === 'partner' && !config.partners[principal.id]) fail(`no partner ${principal.id} in ${config.configFile}`, 2);
  let detail: string;
  if (action === 'rotate') {
    const { key, active } = store.rotate(principal);
    process.stdout.write(`${key}\n`);
    process.stderr.write(`new key for ${principalName(principal)} (shown once); ${active} key(s) active. Revoke the old one when the partner has switched: hub keys revoke ${principalName(principal)}\n`);
    detail = `${principalName(principal)}: new key, ${active} active`;
  } else {
    const { revoked } = store.revoke(principal, { all: values.all });
    process.stderr.write(`${revoked} key(s) of ${principalName(principal)} revoked\n`);
    detail = `${principalName(principal)}: ${revoked} key(s) revoked${values.all ? ' (all)' : ''}`;
  }
  // The change is audited where the running hubs keep their audit log; without a reachable database, say so.
  const logger = createLogger({ level: 'warn' });
  try {
    const url = await resolveDatabaseUrl(config.database.url, config.paths.var, logger);
    await migrate(url, config.database.schema);
    const db = new Database({ ...config.database, url, applicationName: 'b2b-hub cli' });
    try {
      await new AuditLog(db, logger).record({ event: action === 'rotate' ? 'credential.rotated' : 'credential.revoked', actor: 'cli', detail });
    } finally {
      await db.close();
    }
  } catch (error) {
    process.stderr.write(`warning: the change is made but could not be written to the audit log: ${(error as Error).message}\n`);
  }
}

async function dbCommand(args: string[]): Promise<void> {
  const [action] = args;
  const config = loadConfig();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const url = await resolveDatabaseUrl(config.database.url, config.paths.var, logger);
  const redacted = url.replace(/\/\/[^@/]*@/, '//***@');
  if (action === 'url') {
    process.stdout.write(`${url}\n`);
    return;
  }
  if (action === 'migrate') {
    const { applied, current } = await migrate(url, config.database.schema);
    process.stdout.write(applied.length ? `applied ${applied.join(', ')} to schema ${config.database.schema} (${redacted}); now at ${current}\n` : `schema ${config.database.schema} is up to date (migration ${current})\n`);
    return;
  }
  if (action === 'retention') {
    await migrate(url, config.database.schema);
    const db = new Database({ ...config.database, url, applicationName: 'b2b-hub cli' });
    try {
      const result = await scheduledRetention(db, config.retention, logger);
      if (!result) fail('another hub process is running retention right now; try again when it is done', 1);
      const { raw, records, refusals, audit, ms } = result;
      process.stdout.write(`removed ${records} message record(s), the raw bytes of ${raw} more, ${refusals} refusal(s) and ${audit} audit entr${audit === 1 ? 'y' : 'ies'} in ${ms} ms\n`);
      const [last] = await retentionRuns(db, 1);
      if (last) process.stdout.write(`recorded as retention run ${last.id} (GET /v1/ops/retention)\n`);
    } finally {
      await db.close();
    }
    return;
  }
  fail(`hub db needs migrate, retention or url.\n\n${USAGE}`, 2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'worker':
      return worker();
    case 'map':
      return map(rest);
    case 'ack':
      return ack(rest);
    case 'test-mappings':
      return testMappings();
    case 'keys':
      return keys(rest);
    case 'db':
      return dbCommand(rest);
    case 'users':
      return usersCommand(rest, loadConfig(), createLogger({ level: process.env.LOG_LEVEL ?? 'warn' })).catch((error) => {
        if (error instanceof UsersCommandError) fail(error.message, error.exitCode);
        throw error;
      });
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).catch((error) => {
  const logger = createLogger();
  if (error instanceof HubError) fail(describe(error));
  logger.error({ err: error }, 'hub failed');
  process.exit(1);
});

/**
 * The test command: makes sure PostgreSQL (DATABASE_URL, else the private server under var/pg, as `npm start`
 * uses) and Redis (REDIS_URL, else 127.0.0.1:6379, else a private redis-server) are reachable, runs every
 * compiled test file with mocha and ends with one line: `N passed, N failed`. Each test hub works in a schema
 * of its own, dropped when it closes.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { createLogger } from '../src/main.js';
import { resolveRedisUrl } from '../src/redis/connect.js';
import { resolveDatabaseUrl } from '../src/db/embedded.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];

const varDir = process.env.HUB_VAR_DIR ?? path.join(here, '../../var');
process.env.REDIS_URL = await resolveRedisUrl(process.env.REDIS_URL, varDir, createLogger({ level: 'warn' }));
process.env.DATABASE_URL = await resolveDatabaseUrl(process.env.DATABASE_URL, varDir, createLogger({ level: 'warn' }));

const mocha = new Mocha({ timeout: 30_000, reporter: process.env.MOCHA_REPORTER ?? 'spec' });
const files = (readdirSync(here, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
for (const file of files) mocha.addFile(path.join(here, file));
await mocha.loadFilesAsync();
const runner = mocha.run(() => {
  const stats = runner.stats!;
  process.stdout.write(`\n${stats.passes} passed, ${stats.failures} failed\n`);
  process.exit(stats.failures > 0 ? 1 : 0);
});

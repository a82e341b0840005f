/**
 * The test command: makes sure Redis is reachable (REDIS_URL, else 127.0.0.1:6379, else a private
 * redis-server), runs every compiled test file with mocha and ends with one line: `N passed, N failed`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { createLogger } from '../src/main.js';
import { resolveRedisUrl } from '../src/redis/connect.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];

process.env.REDIS_URL = await resolveRedisUrl(process.env.REDIS_URL, process.env.HUB_VAR_DIR ?? path.join(here, '../../var'), createLogger({ level: 'warn' }));

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

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The project's root: the nearest folder above this module holding package.json (works from src/ and dist/src/). */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** A path for messages: relative to the project root when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(projectRoot(), file);
  return rel.startsWith('..') ? file : rel;
}

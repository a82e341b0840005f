/**
 * A structural JSON diff for golden tests: one human-readable line per difference, each naming the path
 * (`lines[2].quantity`) and both values. Numbers compare by value, arrays by position, objects by key.
 */

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${safe}` : safe;
}

function walk(expected: unknown, actual: unknown, path: string, out: string[]): void {
  const where = path || '(root)';
  const expectedKind = kind(expected);
  const actualKind = kind(actual);
  if (expectedKind !== actualKind) {
    if (actual === undefined) out.push(`${where}: expected ${show(expected)}, got nothing (missing)`);
    else if (expected === undefined) out.push(`${where}: unexpected ${show(actual)}`);
    else out.push(`${where}: expected ${show(expected)}, got ${show(actual)} (${actualKind} instead of ${expectedKind})`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) out.push(`${where}: expected ${expected.length} item(s), got ${actual.length}`);
    const shared = Math.min(expected.length, actual.length);
    for (let i = 0; i < shared; i++) walk(expected[i], actual[i], join(path, i), out);
    for (let i = shared; i < expected.length; i++) out.push(`${join(path, i)}: expected ${show(expected[i])}, got nothing (missing)`);
    for (let i = shared; i < actual.length; i++) out.push(`${join(path, i)}: unexpected ${show(actual[i])}`);
    return;
  }
  if (expectedKind === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])];
    for (const key of keys) {
      // A key holding undefined is the same as an absent key (as in JSON).
      if (e[key] === undefined && a[key] === undefined) continue;
      walk(e[key], a[key], join(path, key), out);
    }
    return;
  }
  if (!Object.is(expected, actual) && !(expected === 0 && actual === 0)) {
    out.push(`${where}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Structural JSON diff for golden tests: lines like `lines[2].quantity: expected 5, got 4`; empty when equal. */
export function diffJson(expected: unknown, actual: unknown): string[] {
  const out: string[] = [];
  walk(expected, actual, '', out);
  return out;
}

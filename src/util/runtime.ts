/**
 * Which Node.js runtimes the hub supports, and the known defects of the others. The hub warns at start on a
 * runtime outside the list, so ops see it in the log before a partner's document finds the defect.
 * Supported: 20.19+ (while the CI machines still ship it; end of life since 2026-04-30), 22.12+, 24.22+.
 */
export const SUPPORTED_NODE = '^20.19.0 || ^22.12.0 || >=24.22.0';

function parse(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  return [major, minor, patch];
}

/** What is wrong with running the hub on this Node version, one sentence each; empty when nothing is. */
export function runtimeWarnings(version: string = process.versions.node): string[] {
  const [major, minor] = parse(version);
  const warnings: string[] = [];
  if (major === 24 && minor >= 16 && minor <= 21) {
    warnings.push(
      `Node ${version} overflows the heap by one byte when a Buffer is decoded as UTF-16 from an odd offset with an odd length (Buffer#toString('utf16le'); docs/upstream/node-ucs2-unaligned-overflow.md); the hub avoids that call, but upgrade to Node 24.22 or later.`,
    );
  }
  if (major === 20) warnings.push(`Node ${version}: Node 20 reached its end of life on 2026-04-30 and gets no more security fixes; move to Node 24 (or 22).`);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || (major === 24 && minor >= 22) || major > 24;
  if (!supported || (major > 24 && major % 2 === 1)) {
    warnings.push(`Node ${version} is not a runtime the hub is tested on (${SUPPORTED_NODE}); use the current Node 24 or 22 LTS.`);
  }
  return warnings;
}

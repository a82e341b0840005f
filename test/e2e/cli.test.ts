import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/test-hub.js';
import { FIXTURES, goldenFixtures } from '../helpers/fixtures.js';

function hub(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/hub.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
}

describe('the hub command line', function () {
  this.timeout(60_000);

  it('hub map prints the canonical JSON of a real UBL order', () => {
    const fixture = goldenFixtures(['ubl-order'])[0]!;
    const r = hub('map', fixture.file);
    expect(r.status, r.stderr).to.equal(0);
    const canonical = JSON.parse(r.stdout);
    expect(canonical.type).to.equal('Order');
    expect(canonical.lines.length).to.be.greaterThan(0);
  });

  it('hub map exits non-zero with the XSD errors and their lines for an invalid document', () => {
    const r = hub('map', path.join(FIXTURES, 'invalid', 'peppol-billing-gr-base-example-correct.xml'));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('HUB_ERR_XSD_INVALID');
    expect(r.stderr).to.contain('line 85');
  });

  it('hub map with --mapping uses that mapping file', () => {
    const fixture = goldenFixtures(['ubl-invoice'])[0]!;
    const r = hub('map', fixture.file, '--mapping', path.join(ROOT, 'mappings', 'ubl-invoice.yaml'));
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).type).to.equal('Invoice');
    const wrong = hub('map', fixture.file, '--mapping', path.join(ROOT, 'mappings', 'ubl-order.yaml'));
    expect(wrong.status).to.equal(1);
    expect(wrong.stderr).to.contain('HUB_ERR_DOCUMENT_TYPE_UNKNOWN');
  });

  it('hub test-mappings passes every golden fixture', () => {
    const r = hub('test-mappings');
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/(\d+) passed, 0 failed/);
    // Every golden file of fixtures/ (XML and EDI, at any depth) is one case run: none is left out.
    const files = readdirSync(FIXTURES, { recursive: true }).map(String);
    const expectedFailures = files.filter((f) => f.endsWith('.expected-error.json')).length;
    expect(expectedFailures).to.be.greaterThan(0);
    expect(goldenFixtures().length).to.be.greaterThan(0);
    expect(Number(/(\d+) passed/.exec(r.stdout)![1])).to.equal(files.filter((f) => f.endsWith('.expected.json') || f.endsWith('.expected-error.json')).length);
  });

  it('hub with an unknown command prints the usage and exits 2', () => {
    const r = hub('frobnicate');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('Usage: hub');
  });
});

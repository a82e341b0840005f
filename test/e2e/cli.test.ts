import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
    // … and every outbound golden file (fixtures/outbound/<format>/<case>.expected.xml or .expected.edi).
    const outbound = files.filter((f) => f.startsWith(`outbound${path.sep}`) && /\.expected\.(xml|edi)$/.test(f)).length;
    expect(outbound).to.be.greaterThan(0);
    expect(r.stdout).to.match(/^ok {3}fixtures\/outbound\/ubl-order\/purchase-globex\.expected\.xml$/m);
    expect(Number(/(\d+) passed/.exec(r.stdout)![1])).to.equal(files.filter((f) => f.endsWith('.expected.json') || f.endsWith('.expected-error.json')).length + outbound);
  });

  it('hub map --outbound prints the document the hub would send the partner, EDI with control numbers 1 said to be such', () => {
    const order = path.join(FIXTURES, 'outbound', 'ubl-order', 'purchase-globex.json');
    const r = hub('map', '--outbound', order, '--partner', 'globex');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(readFileSync(path.join(FIXTURES, 'outbound', 'ubl-order', 'purchase-globex.expected.xml'), 'utf8'));
    expect(r.stderr).to.contain('ubl-order (application/xml) for globex, valid');
    // A mapping given: the EDIFACT ORDERS globex is not configured for, with its envelope ids and numbers 1.
    const edi = hub('map', '--outbound', path.join(FIXTURES, 'outbound', 'edifact-orders', 'orders-d96a-purchase.json'), '--partner', 'globex', '--mapping', path.join(ROOT, 'mappings', 'outbound', 'edifact-orders.yaml'));
    expect(edi.status, edi.stderr).to.equal(0);
    expect(edi.stdout).to.match(/^UNB\+UNOC:3\+8712345000004:14\+8711111000015:14\+\d{6}:\d{4}\+1'UNH\+1\+ORDERS:D:96A:UN:EAN008'/);
    expect(edi.stderr).to.contain('control numbers 1');
    // A partner not sent that type, and one the purchase's supplier and items have no rows for: refused, with why.
    const none = hub('map', '--outbound', order, '--partner', 'acme');
    expect(none.status).to.equal(1);
    expect(none.stderr).to.contain('partner acme is sent no Order');
    const missing = hub('map', '--outbound', order, '--partner', 'x12-supplier', '--mapping', path.join(ROOT, 'mappings', 'outbound', 'ubl-order.yaml'));
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.contain('HUB_ERR_LOOKUP_MISSING');
    expect(hub('map', '--outbound', order).status, 'no --partner').to.equal(2);
  });

  it('hub with an unknown command prints the usage and exits 2', () => {
    const r = hub('frobnicate');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('Usage: hub');
  });
});

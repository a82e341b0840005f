import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { XmlDocument } from 'libxml2-wasm';
import { stringify } from 'yaml';
import { OfflineMapper, runMappingFixtures } from '../../../src/cli/offline.js';
import { loadConfig } from '../../../src/config/load.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { demoConfig, ROOT } from '../../helpers/test-hub.js';
import { CXML_SENDER, cxmlMappingsDir, withCxmlPartners } from './cxml-partners.js';

const FIXTURES = path.join(ROOT, 'fixtures', 'cxml');

/** What a cXML document itself says, read with XPath (not through the mappings): its lines and its total. */
function sourceFacts(format: string, file: string): { lines: number; total: number } {
  const doc = XmlDocument.fromBuffer(readFileSync(file));
  try {
    const num = (xpath: string) => Number(doc.eval(`number(${xpath})`));
    switch (format) {
      case 'cxml-order-request':
        return { lines: num('count(/cXML/Request/OrderRequest/ItemOut)'), total: num('/cXML/Request/OrderRequest/OrderRequestHeader/Total/Money') };
      case 'cxml-ship-notice':
        return { lines: num('count(//ShipNoticeItem)'), total: num('sum(//ShipNoticeItem/@quantity)') };
      case 'cxml-invoice-detail':
        return { lines: num('count(//InvoiceDetailItem)'), total: num('/cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/SubtotalAmount/Money') };
      default:
        throw new Error(`no source facts for ${format}`);
    }
  } finally {
    doc.dispose();
  }
}

describe('cXML golden mappings (fixtures/cxml/<format>/<case>.xml)', function () {
  this.timeout(30_000);
  let dir: string;
  let mappingsDir: string;
  let mapper: OfflineMapper;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hub-cxml-golden-'));
    mappingsDir = cxmlMappingsDir();
    const file = path.join(dir, 'hub.yaml');
    const raw = withCxmlPartners(demoConfig());
    raw.paths = { ...raw.paths, mappings: mappingsDir };
    writeFileSync(file, stringify(raw));
    mapper = await OfflineMapper.create(loadConfig({ file, env: {} }));
  });
  after(() => {
    mapper?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(mappingsDir, { recursive: true, force: true });
  });

  it('maps every fixture to its expected canonical JSON, or fails with its expected error', async () => {
    const results = await runMappingFixtures(mapper, FIXTURES);
    expect(results.map((r) => path.relative(FIXTURES, r.file)).sort()).to.deep.equal(
      readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.xml')).sort(),
      'every copied document has an expected file',
    );
    expect(results.filter((r) => !r.ok).map((r) => `${path.relative(FIXTURES, r.file)}: ${r.problems.join('; ')}`)).to.deep.equal([]);
    expect(results.length).to.equal(11);
  });

  it('each expected file agrees with what the document itself says (line count, total) and with its sender', () => {
    for (const format of Object.keys(CXML_SENDER)) {
      for (const name of readdirSync(path.join(FIXTURES, format)).filter((n) => n.endsWith('.expected.json'))) {
        const expected = JSON.parse(readFileSync(path.join(FIXTURES, format, name), 'utf8'));
        const facts = sourceFacts(format, path.join(FIXTURES, format, name.replace('.expected.json', '.xml')));
        expect(expected.lines.length, name).to.equal(facts.lines);
        const total = format === 'cxml-order-request' ? expected.totals.payableAmount : format === 'cxml-ship-notice' ? expected.totals.totalQuantity : expected.totals.lineTotal;
        expect(total, name).to.equal(facts.total);
        const sender = format === 'cxml-order-request' ? expected.buyer : expected.seller;
        expect(sender.internalId, name).to.match(format === 'cxml-order-request' ? /^CUST-/ : /^VEND-/);
      }
    }
  });

  it('tells an OrderRequest from another cXML request by its path, naming the paths it accepts', async () => {
    const order = readFileSync(path.join(FIXTURES, 'cxml-order-request', 'cxml-php-sample-order-request.xml'), 'utf8');
    const punchOut = order.replaceAll('OrderRequest>', 'PunchOutSetupRequest>').replace('<OrderRequestHeader', '<X').replace('</OrderRequestHeader>', '</X>');
    const error = await mapper.map(Buffer.from(punchOut), { format: 'cxml-order-request' }).then(
      () => undefined,
      (e: unknown) => e as HubError,
    );
    expect(error?.code).to.equal('HUB_ERR_DOCUMENT_TYPE_UNKNOWN');
    expect(error?.message).to.contain('Accepted: cxml-order-request (/cXML/Request/OrderRequest)');
    expect(error?.message).to.contain('/cXML/Request/PunchOutSetupRequest');
    // Without a format given, each cXML kind goes to its own mapping.
    for (const [format, file] of [['cxml-ship-notice', 'cxml-ship-notice/cxml-php-sample-ship-notice-request.xml'], ['cxml-invoice-detail', 'cxml-invoice-detail/officeluv-invoice-taxes-at-line.xml'], ['cxml-order-request', 'cxml-order-request/officeluv-order-request.xml']]) {
      expect((await mapper.map(readFileSync(path.join(FIXTURES, file!)))).format.name).to.equal(format);
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { HubError } from '../../../src/errors/hub-error.js';
import { loadMappingFile } from '../../../src/mapping/mapping-file.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { MappingRegistry } from '../../../src/mapping/registry.js';

const root = projectRoot();

/** The mapping-file keys for DTD formats: dtd (instead of schema), detect.path and doctype.systemIds. */
describe('mapping file keys for DTD formats (dtd, detect.path, doctype.systemIds)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hub-cxml-keys-'));
    writeFileSync(path.join(dir, 'local.dtd'), '<!ELEMENT cXML ANY>\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(head: string): string {
    const file = path.join(dir, 'test-cxml.yaml');
    writeFileSync(
      file,
      `format: test-cxml
documentType: Order
${head}
documentNumber: { xpath: /cXML/Request/OrderRequest/OrderRequestHeader/@orderID }
sender: { party: buyer, xpath: /cXML/Header/From/Credential/Identity }
canonical:
  documentNumber: "'X'"
businessKeys: { documentNumber: documentNumber }
`,
    );
    return file;
  }

  function refusal(head: string): HubError {
    const file = write(head);
    try {
      loadMappingFile(file);
    } catch (error) {
      expect(error).to.be.instanceOf(HubError);
      return error as HubError;
    }
    throw new Error('expected the mapping file to be refused');
  }

  const ids = 'doctype: { systemIds: ["http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd", "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd"] }';

  it('loads a DTD format with its path, language, detection path and allowed system ids', () => {
    const mapping = loadMappingFile(write(`detect: { root: cXML, path: /cXML/Request/OrderRequest }\ndtd: local.dtd\n${ids}`));
    expect(mapping.schemaPath).to.equal(path.join(dir, 'local.dtd'));
    expect(mapping.schemaLanguage).to.equal('dtd');
    expect(mapping.detectPath).to.equal('/cXML/Request/OrderRequest');
    expect(mapping.namespace).to.equal('');
    expect(mapping.doctypeSystemIds).to.deep.equal(['http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd', 'http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd']);
  });

  it('keeps XSD formats as they were: schema language xsd, no detection path, no system ids', () => {
    const order = new MappingRegistry([loadMappingFile(path.join(root, 'mappings', 'ubl-order.yaml'))]).get('ubl-order')!;
    expect(order.schemaLanguage).to.equal('xsd');
    expect(order.schemaPath).to.equal(path.join(root, 'schemas', 'ubl-2.1', 'maindoc', 'UBL-Order-2.1.xsd'));
    expect(order.doctypeSystemIds).to.deep.equal([]);
    expect(order).not.to.have.property('detectPath');
  });

  it('refuses both schema and dtd, and neither', () => {
    const xsd = path.join(root, 'schemas', 'hub', 'hub-purchase-order-1.0.xsd');
    expect(refusal(`detect: { root: cXML }\nschema: ${xsd}\ndtd: local.dtd`).message).to.contain('declare exactly one of schema (an XSD file) or dtd (a DTD file)');
    expect(refusal('detect: { root: cXML }').message).to.contain('declare exactly one of schema (an XSD file) or dtd (a DTD file)');
  });

  it('refuses a dtd that does not exist or is not a .dtd, and a .dtd declared as schema', () => {
    expect(refusal('detect: { root: cXML }\ndtd: missing.dtd').message).to.match(/dtd .*missing\.dtd does not exist/);
    writeFileSync(path.join(dir, 'local.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
    expect(refusal('detect: { root: cXML }\ndtd: local.xsd').message).to.match(/must be a \.dtd file/);
    expect(refusal('detect: { root: cXML }\nschema: local.dtd').message).to.contain('is a DTD: declare it as dtd: instead of schema:');
  });

  it('refuses a detection path that is not absolute, not element names, or not starting at the root', () => {
    expect(refusal('detect: { root: cXML, path: cXML/Request }\ndtd: local.dtd').message).to.contain('must be an absolute path of element names');
    expect(refusal('detect: { root: cXML, path: "/cXML//Request" }\ndtd: local.dtd').message).to.contain('must be an absolute path of element names');
    expect(refusal('detect: { root: cXML, path: "/cXML/Request[1]" }\ndtd: local.dtd').message).to.contain('must be an absolute path of element names');
    const error = refusal('detect: { root: cXML, path: /Envelope/Request }\ndtd: local.dtd');
    expect(error.message).to.contain('detect.path starts at Envelope but detect.root is cXML');
    expect(error.details.line).to.equal(3);
  });

  it('refuses unknown detect and doctype keys', () => {
    expect(refusal('detect: { root: cXML, version: 1 }\ndtd: local.dtd').message).to.contain('unknown key(s) detect.version; allowed: root, namespace, path');
    expect(refusal('detect: { root: cXML }\ndtd: local.dtd\ndoctype: { publicIds: [x] }').message).to.contain('unknown key(s) doctype.publicIds; allowed: systemIds');
  });

  it('refuses a doctype on an XSD format, an empty list and a system id with quotes or spaces', () => {
    const xsd = path.join(root, 'schemas', 'hub', 'hub-purchase-order-1.0.xsd');
    expect(refusal(`detect: { root: cXML }\nschema: ${xsd}\n${ids}`).message).to.contain('doctype is only for formats validated by a DTD');
    expect(refusal('detect: { root: cXML }\ndtd: local.dtd\ndoctype: { systemIds: [] }').message).to.contain('doctype.systemIds must be a non-empty list');
    expect(refusal('detect: { root: cXML }\ndtd: local.dtd\ndoctype: { systemIds: [\'a"b\'] }').message).to.contain('doctype.systemIds[0] must be a system id');
    expect(refusal('detect: { root: cXML }\ndtd: local.dtd\ndoctype: { systemIds: ["a b"] }').message).to.contain('doctype.systemIds[0] must be a system id');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { xmlCleanupInputProvider, xmlRegisterInputProvider } from 'libxml2-wasm';
import { HubError } from '../../src/errors/hub-error.js';
import { loadMappings, type FormatDefinition, type MappingRegistry } from '../../src/mapping/registry.js';
import { decodeXml } from '../../src/xml/decode.js';
import { inspectDocument } from '../../src/xml/inspect.js';
import { XsdCache } from '../../src/xml/xsd-cache.js';
import { cxmlMappingsDir } from '../unit/cxml/cxml-partners.js';
import { cxmlInputArb, onlyAllowedDoctype, type Targets } from './cxml-generators.js';

/** The CI-sized run: a fixed seed, so the same inputs every time. */
const SEED = 20261202;
const RUNS = 1_500;

describe('fuzz: cXML bodies (DOCTYPE lines, entities, splices, encodings), fixed seed', function () {
  this.timeout(180_000);
  let server: http.Server;
  let connections = 0;
  let dir: string;
  let registry: MappingRegistry;
  let formats: FormatDefinition[];
  let targets: Targets;
  const xsd = new XsdCache();
  const opened: string[] = [];
  const outcomes = new Map<string, number>();
  const kinds = new Map<string, Set<string>>();
  const violations: string[] = [];
  let accepted = 0;
  let mapped = 0;

  before(async () => {
    server = http.createServer((_req, res) => res.end('<!ENTITY x "FROM-NET">'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(path.join(tmpdir(), 'hub-cxml-fuzz-'));
    const markerFile = path.join(dir, 'marker.dtd');
    writeFileSync(markerFile, '<!ATTLIST cXML marker CDATA "FROM-FILE"><!ENTITY x "FROM-FILE">');
    const mappingsDir = cxmlMappingsDir();
    try {
      registry = await loadMappings({ mappingsDir });
    } finally {
      rmSync(mappingsDir, { recursive: true, force: true });
    }
    const socketUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cXML.dtd`;
    // The watched socket and file go on every allow-list, so accepted documents do name them.
    formats = registry.formats.map((f) => ({ ...f, doctypeSystemIds: [...f.doctypeSystemIds, socketUrl, markerFile, `file://${markerFile}`] }));
    targets = {
      allowed: [...new Set(formats.flatMap((f) => f.doctypeSystemIds))],
      allowedByFormat: Object.fromEntries(formats.map((f) => [f.name, f.doctypeSystemIds])),
      socketUrl,
      markerFile,
    };
    xsd.compile(formats.map((f) => f.schemaPath));

    xmlRegisterInputProvider({ match: (name: string) => (opened.push(name), false), open: () => undefined, read: () => -1, close: () => true });
    try {
      await fc.assert(
        fc.asyncProperty(cxmlInputArb(targets), async (input) => {
          let outcome = 'ok';
          try {
            const inspected = inspectDocument(input.bytes, formats, xsd);
            accepted++;
            if (!onlyAllowedDoctype(input.bytes, targets.allowed)) violations.push(`accepted with a DOCTYPE/ENTITY beyond the allow-list: ${input.kind} ${input.source}`);
            try {
              await registry.map(inspected.format.name, decodeXml(input.bytes), { partner: 'cxml-customer', documentNumber: inspected.documentNumber });
              mapped++;
            } catch (error) {
              if (!(error instanceof HubError)) violations.push(`map threw ${String(error)}: ${input.kind} ${input.source}`);
              else outcome = `map:${error.code}`;
            }
          } catch (error) {
            if (!(error instanceof HubError)) violations.push(`inspect threw ${(error as Error)?.stack ?? String(error)}: ${input.kind} ${input.source}`);
            else outcome = error.code;
          }
          if (outcome === 'HUB_ERR_INTERNAL' || outcome === 'map:HUB_ERR_INTERNAL') violations.push(`internal error: ${input.kind} ${input.source}`);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          const kind = input.kind.split(/[+/]/)[0]!;
          (kinds.get(kind) ?? kinds.set(kind, new Set()).get(kind)!).add(outcome);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    } finally {
      xmlCleanupInputProvider();
    }
    if (process.env.FUZZ_VERBOSE) console.log({ accepted, mapped, outcomes, kinds });
  });
  after(async () => {
    xsd.dispose();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`throws only HubError for ${RUNS} inputs, never HUB_ERR_INTERNAL, and accepts no DOCTYPE or ENTITY beyond the allow-list`, () => {
    expect(violations).to.deep.equal([]);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).to.equal(RUNS);
  });

  it('opens no file and no URL, whatever the DOCTYPE names (socket and input-provider spy)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections).to.equal(0);
    expect(opened).to.deep.equal([]);
  });

  it('exercises both paths: accepts and maps allowed DOCTYPE lines, refuses every hostile kind', () => {
    expect(accepted).to.be.above(100);
    expect(mapped).to.be.above(50);
    expect(outcomes.get('HUB_ERR_XML_DOCTYPE_FORBIDDEN') ?? 0).to.be.above(100);
    expect(outcomes.get('HUB_ERR_DTD_INVALID') ?? 0).to.be.above(0);
    for (const kind of ['subset-entity', 'subset-pe', 'subset-internal', 'subset-attlist', 'subset-empty', 'laughs', 'public', 'second-doctype', 'entity-outside', 'foreign-id', 'undeclared-reference']) {
      const seen = kinds.get(kind);
      expect(seen, `kind ${kind} was generated`).to.not.equal(undefined);
      expect([...seen!].filter((o) => o === 'ok' || o.startsWith('map:')), `kind ${kind} is never accepted`).to.deep.equal([]);
    }
  });
});

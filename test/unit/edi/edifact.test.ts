import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { buildContrl, readContrl, readEdifact } from '../../../src/edi/edifact/index.js';
import { EdiSyntaxError, type EdiInterchange, type EdiProblem } from '../../../src/edi/types.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { loadMappingFile } from '../../../src/mapping/mapping-file.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { checkCanonical } from '../../../src/canonical/check.js';
import { formatOfTransaction } from '../../../src/formats/edi.js';
import { HubError } from '../../../src/errors/hub-error.js';

const dir = path.join(projectRoot(), 'fixtures', 'edifact');
const fixture = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
const numbers = { interchange: 5001, group: 1, transaction: 7001 };
const now = new Date('2026-12-02T09:30:00Z');

/** Segments of an EDIFACT text, one per entry, whatever line breaks it was written with. */
function segmentsOf(text: string, terminator = "'"): string[] {
  const out: string[] = [];
  let rest = text.replace(/\r?\n/g, '');
  if (rest.startsWith('UNA')) { out.push(rest.slice(0, 9)); rest = rest.slice(9); }
  let current = '';
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (ch === '?' && i + 1 < rest.length) { current += ch + rest[i + 1]; i++; continue; }
    current += ch;
    if (ch === terminator) { out.push(current); current = ''; }
  }
  if (current) out.push(current);
  return out;
}

function allProblems(ic: EdiInterchange): EdiProblem[] {
  return [...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])];
}

describe('EDIFACT reader', () => {
  it('reads the UNA, the envelope and the message of a clean EANCOM ORDERS D96A', () => {
    const ic = readEdifact(fixture('orders_d96a_eancom.edi'));
    expect(ic.syntax).to.equal('edifact');
    expect(ic.syntaxVersion).to.equal('UNOC:3');
    expect(ic.controlNumber).to.equal('ORD000123');
    expect(ic.sender).to.deep.equal({ id: '5412345000013', qualifier: '14' });
    expect(ic.receiver).to.deep.equal({ id: '8711111000015', qualifier: '14' });
    expect([ic.date, ic.time, ic.test]).to.deep.equal(['261130', '0915', false]);
    expect(ic.delimiters).to.include({ component: ':', element: '+', decimal: '.', release: '?', segment: "'" });
    expect(allProblems(ic)).to.deep.equal([]);
    const tx = ic.groups[0]!.transactions[0]!;
    expect([tx.setId, tx.controlNumber, tx.version, tx.associationCode, tx.segments.length]).to.deep.equal(['ORDERS', 'ME000001', 'D96A', 'EAN008', 30]);
  });

  it('resolves release characters and builds the tree with groups nested by trigger segment', () => {
    const tx = readEdifact(fixture('orders_d96a_eancom.edi')).groups[0]!.transactions[0]!;
    const tree = tx.tree as Record<string, any>;
    expect(tree.UNB[0].UNB05).to.equal('ORD000123');
    expect(tree.BGM[0]).to.deep.equal({ BGM01: '220', BGM02: 'PO-4711', BGM03: '9' });
    expect(tree.FTX[0].FTX04).to.equal('Deliver to gate 3: ring first');
    expect(tree.NAD.map((n: any) => n.NAD01)).to.deep.equal(['BY', 'SU', 'DP']);
    expect(tree.NAD[0].NAD02).to.deep.equal(['5412345000013', '', '9']);
    expect(tree.NAD[0].RFF[0].RFF01).to.deep.equal(['VA', 'BE0123456789']);
    expect(tree.NAD[0].CTA[0].COM[0].COM01).to.deep.equal(['3222220000', 'TE']);
    expect(tree.LIN).to.have.length(2);
    expect(tree.LIN[1].IMD[0].IMD03).to.deep.equal(['', '', '', 'Gadget 20+ pack']);
    expect(tree.LIN[0].QTY[0].QTY01).to.deep.equal(['21', '48', 'PCE']);
    expect(tree.LIN[0].PRI[0].PRI01).to.deep.equal(['AAA', '3.00']);
    expect(tree.UNS[0].MOA[0].MOA01).to.deep.equal(['86', '394.00']);
    expect(tree.UNS[0].CNT[0].CNT01).to.deep.equal(['2', '2']);
    expect(tree.UNT[0].UNT01).to.equal('30');
  });

  it('reads a UNA with other delimiters and a release character before a plain character (staedi invoic_d97b_una)', () => {
    const ic = readEdifact(fixture('invoic_d97b_una.edi'));
    expect(ic.delimiters).to.include({ component: '=', element: '*', segment: '~', release: '?' });
    expect(ic.receiver.id).to.equal('006415160');
    expect(allProblems(ic)).to.deep.equal([]);
    expect(ic.groups[0]!.transactions[0]!.segments).to.have.length(24);
  });

  it('reads the decimal comma of UNA:+,? and checks numbers with it', () => {
    const text = fixture('orders_d96a_eancom.edi').replace("UNA:+.? '", "UNA:+,? '");
    const problems = allProblems(readEdifact(text));
    // 144.00, 3.00, 250.00, 25.00, 394.00 use '.', which this interchange does not declare.
    expect(problems.map((p) => [p.code, p.segmentId, p.elementPosition, p.componentPosition])).to.deep.equal([
      ['19', 'MOA', 1, 2], ['19', 'PRI', 1, 2], ['19', 'MOA', 1, 2], ['19', 'PRI', 1, 2], ['19', 'MOA', 1, 2],
    ]);
  });

  it('finds each error of the bad INVOIC (staedi invoic_d97b_bad) at its segment, element and component', () => {
    const tx = readEdifact(fixture('invoic_d97b_bad.edi')).groups[0]!.transactions[0]!;
    expect(tx.problems.map((p) => [p.code, p.segmentId, p.segmentPosition, p.elementPosition ?? null, p.componentPosition ?? null])).to.deep.equal([
      ['39', 'NAD', 5, 1, null],
      ['37', 'QTY', 10, 1, 2],
      ['21', 'PRI', 13, 1, 2],
      ['35', 'UNS', 21, null, null],
    ]);
  });

  it('checks the UNOA repertoire: lower case and Ü are invalid characters (code 21), unless the check is off', () => {
    const strict = readEdifact(fixture('invoic_d97b.edi'));
    expect(allProblems(strict).map((p) => [p.code, p.segmentId, p.elementPosition])).to.deep.equal([['21', 'NAD', 4]]);
    expect(allProblems(readEdifact(fixture('invoic_d97b.edi'), { characterCheck: 'off' }))).to.deep.equal([]);
    const unoc = fixture('invoic_d97b.edi').replace('UNOA:3', 'UNOC:3');
    expect(allProblems(readEdifact(unoc))).to.deep.equal([]);
  });

  it('reports the real UNG and UNT errors of staedi orders-with-group (4 components in S008, UNT 21 for 18 segments)', () => {
    const ic = readEdifact(fixture('orders-with-group.edi'));
    expect(ic.test).to.equal(true);
    const group = ic.groups[0]!;
    expect(group.functionalId).to.equal('ORDERS');
    expect(group.problems.map((p) => [p.code, p.segmentId, p.elementPosition, p.componentPosition ?? null])).to.deep.equal([['16', 'UNG', 7, 4], ['39', 'UNG', 7, 3]]);
    const tx = group.transactions[0]!;
    expect(tx.problems.map((p) => [p.code, p.segmentId])).to.deep.equal([['29', 'UNT'], ['39', 'UNH']]);
    expect((tx.tree as any).UNG[0].UNG01).to.equal('ORDERS');
  });

  it('checks the control counts and references: UNT count, UNZ reference, UNZ count, UNE', () => {
    expect(readEdifact(fixture('orders_d96a_eancom_unt_count.edi')).groups[0]!.transactions[0]!.problems.map((p) => p.code)).to.deep.equal(['29']);
    expect(readEdifact(fixture('orders_d96a_eancom_unz_reference.edi')).problems.map((p) => [p.code, p.segmentId, p.elementPosition])).to.deep.equal([['28', 'UNZ', 2]]);
    const count = readEdifact(fixture('orders_d96a_eancom.edi').replace('UNZ+1+', 'UNZ+2+'));
    expect(count.problems.map((p) => [p.code, p.elementPosition])).to.deep.equal([['29', 1]]);
    const ref = readEdifact(fixture('orders_d96a_eancom.edi').replace("UNT+30+ME000001'", "UNT+30+ME000002'"));
    expect(ref.groups[0]!.transactions[0]!.problems.map((p) => [p.code, p.elementPosition])).to.deep.equal([['28', 2]]);
    const une = readEdifact(fixture('orders-with-group.edi').replace("UNE+1+1'", "UNE+2+9'"));
    expect(une.groups[0]!.problems.map((p) => p.code)).to.include.members(['29', '28']);
  });

  it('finds a missing mandatory segment, a segment out of place and a missing UNT', () => {
    const noUns = readEdifact(fixture('orders_d96a_eancom.edi').replace("UNS+S'\n", '').replace('UNT+30', 'UNT+29'));
    expect(noUns.groups[0]!.transactions[0]!.problems.map((p) => [p.code, p.segmentId])).to.deep.equal([['13', 'UNS']]);
    const misplaced = readEdifact(fixture('orders_d96a_eancom.edi').replace("BGM+220+PO-4711+9'\n", '').replace("UNS+S'", "UNS+S'\nBGM+220+PO-4711+9'"));
    const p = misplaced.groups[0]!.transactions[0]!.problems.map((q) => [q.code, q.segmentId]);
    expect(p).to.deep.include(['13', 'BGM']);
    expect(p).to.deep.include(['15', 'BGM']);
    const noUnt = readEdifact(fixture('orders_d96a_eancom.edi').replace("UNT+30+ME000001'\n", ''));
    expect(noUnt.groups[0]!.transactions[0]!.problems.map((q) => [q.code, q.segmentId])).to.deep.equal([['13', 'UNT']]);
  });

  it('refuses a document name code the message is not read with, and an unsupported version', () => {
    const bgm = readEdifact(fixture('orders_d96a_eancom.edi').replace('BGM+220+', 'BGM+380+')).groups[0]!.transactions[0]!;
    expect(bgm.problems.map((p) => [p.code, p.segmentId, p.elementReference])).to.deep.equal([['14', 'BGM', '1001']]);
    const version = readEdifact(fixture('orders_d96a_eancom.edi').replace('ORDERS:D:96A', 'ORDERS:D:95B')).groups[0]!.transactions[0]!;
    expect(version.problems.map((p) => [p.level, p.code, p.elementPosition, p.componentPosition])).to.deep.equal([['transaction', '14', 2, 2]]);
    expect(version.tree).to.have.property('LIN'); // read flat, still usable
  });

  it('uses the ISO 9735 defaults without UNA, and the level B information separators', () => {
    const plain = readEdifact(fixture('orders_d96a_eancom.edi').replace("UNA:+.? '\n", ''));
    expect(plain.delimiters).to.include({ element: '+', component: ':', release: '?', segment: "'" });
    expect(allProblems(plain)).to.deep.equal([]);
    const levelB = "UNB\x1dUNOB\x1f3\x1dSENDER\x1dRECEIVER\x1d261130\x1f0915\x1dREF1\x1cUNH\x1d1\x1dORDCHG\x1fD\x1f01B\x1fUN\x1cBGM\x1d230\x1dX1\x1cDTM\x1d137\x1f20261130\x1f102\x1cUNS\x1dS\x1cUNT\x1d5\x1d1\x1cUNZ\x1d1\x1dREF1\x1c";
    const b = readEdifact(levelB);
    expect(b.delimiters).to.include({ element: '\x1d', component: '\x1f', segment: '\x1c' });
    expect(allProblems(b)).to.deep.equal([]);
  });

  it('reports a bad UNA and an unsupported syntax identifier, and throws only for text that is not EDIFACT', () => {
    const una = readEdifact(fixture('orders_d96a_eancom.edi').replace("UNA:+.? '", "UNA:+;? '"));
    expect(una.problems.map((p) => [p.code, p.segmentId])).to.deep.include(['19', 'UNA']);
    const syntax = readEdifact(fixture('orders_d96a_eancom.edi').replace('UNOC:3', 'UNOZ:3'));
    expect(syntax.problems.map((p) => [p.code, p.elementReference])).to.deep.equal([['2', '0001']]);
    expect(() => readEdifact('ISA*00*          *00*')).to.throw(EdiSyntaxError, /not EDIFACT/);
    expect(() => readEdifact('<?xml version="1.0"?><Order/>')).to.throw(EdiSyntaxError);
  });

  it('reports a release character at the very end of the text', () => {
    const ic = readEdifact("UNB+UNOA:3+A+B+261130:0915+R'UNH+1+ORDCHG:D:01B:UN'BGM+230+X?");
    expect(ic.problems.map((p) => p.code)).to.include('13');
    expect(ic.problems[0]!.message).to.match(/release character/);
  });
});

describe('EDIFACT CONTRL', () => {
  const cases: Array<[string, string]> = [
    ['orders_d96a_eancom.edi', 'orders_d96a_eancom.contrl'],
    ['orders_d96a_eancom_unt_count.edi', 'orders_d96a_eancom_unt_count.contrl'],
    ['orders_d96a_eancom_unz_reference.edi', 'orders_d96a_eancom_unz_reference.contrl'],
    ['invoic_d97b_bad.edi', 'invoic_d97b_bad.contrl'],
  ];
  for (const [source, expected] of cases) {
    it(`${source}: the CONTRL equals fixtures/edifact/expected/${expected}, segment by segment`, () => {
      const contrl = buildContrl(readEdifact(fixture(source)), { numbers, now });
      expect(segmentsOf(contrl)).to.deep.equal(segmentsOf(fixture(path.join('expected', expected))));
    });
  }

  it('reads its own CONTRL back: what it acknowledges and rejects', () => {
    const contrl = buildContrl(readEdifact(fixture('invoic_d97b_bad.edi')), { numbers, now });
    const ic = readEdifact(contrl);
    expect(allProblems(ic)).to.deep.equal([]);
    const report = readContrl(ic.groups[0]!.transactions[0]!);
    expect(report.outcome).to.equal('partly rejected');
    expect(report.interchange).to.deep.include({ reference: '00000000000778', action: '7' });
    expect(report.messages).to.have.length(1);
    expect(report.messages[0]).to.deep.include({ reference: '00000000000117', type: 'INVOIC', version: 'D97B', action: '4' });
    expect(report.messages[0]!.segments).to.deep.equal([
      { position: 5, elements: [{ code: '39', elementPosition: 1 }] },
      { position: 10, elements: [{ code: '37', elementPosition: 1, componentPosition: 2 }] },
      { position: 13, elements: [{ code: '21', elementPosition: 1, componentPosition: 2 }] },
      { position: 21, code: '35', elements: [] },
    ]);
    const rejected = readContrl(readEdifact(buildContrl(readEdifact(fixture('orders_d96a_eancom_unz_reference.edi')), { numbers, now })).groups[0]!.transactions[0]!);
    expect(rejected.outcome).to.equal('rejected');
    expect(rejected.interchange).to.deep.include({ code: '28', segmentTag: 'UNZ', elementPosition: 2 });
  });

  it('writes a UCF for a rejected group, escapes separators in references and keeps the test indicator', () => {
    const contrl = buildContrl(readEdifact(fixture('orders-with-group.edi')), { numbers, now });
    expect(segmentsOf(contrl)).to.deep.equal([
      "UNB+UNOA:3+5013546107732:14+5400110000009:14+261202:0930+5001++++++1'",
      "UNH+7001+CONTRL:D:3:UN'",
      "UCI+2722166169492+5400110000009:14+5013546107732:14+7'",
      "UCF+1+5400110000009:14+5013546107732:14+4+16+UNG+7:4'",
      "UNT+4+7001'",
      "UNZ+1+5001'",
    ]);
    const escaped = buildContrl(readEdifact(fixture('invoic_d97b_una.edi').replace('*00000000000778~U', '*REF?*1~U').replace('*00000000000778~', '*REF?*1~')), { numbers, now });
    expect(escaped).to.contain('UCI*REF?*1*');
  });
});

describe('EDIFACT mappings (mappings/edifact-*.yaml over the tree)', () => {
  const cases: Array<[string, string, string]> = [
    ['edifact-orders.yaml', 'orders_d96a_eancom', 'acme'],
    ['edifact-invoic.yaml', 'invoic_d01b_eancom', 'globex'],
    ['edifact-desadv.yaml', 'desadv_d96a_eancom', 'globex'],
    ['edifact-ordchg.yaml', 'ordchg_d01b_eancom', 'acme'],
    ['edifact-ordchg.yaml', 'ordchg_d01b_eancom_lines', 'acme'],
    ['edifact-ordchg-cancel.yaml', 'ordchg_d01b_eancom_cancel', 'acme'],
    ['edifact-invoic-credit.yaml', 'invoic_d01b_eancom_credit', 'globex'],
  ];
  for (const [mapping, name, partner] of cases) {
    it(`${mapping} maps ${name}.edi to ${name}.expected.json`, async () => {
      // The demo configuration's cross-reference tables (config/xref), which hold the EDIFACT samples' rows.
      const compiled = loadMappingFile(path.join(projectRoot(), 'mappings', mapping));
      const tx = readEdifact(fixture(`${name}.edi`)).groups[0]!.transactions[0]!;
      const canonical = await evaluateMapping(compiled, tx.tree, { partner, document: tx.controlNumber });
      expect(canonical).to.deep.equal(JSON.parse(fixture(`${name}.expected.json`)));
      checkCanonical(canonical, { file: `mappings/${mapping}`, document: tx.controlNumber });
    });
  }

  // The change, cancellation and credit note cases against their source: the line count against CNT 2 (none for the
  // cancellation), each LIN's quantity against its QTY 21/47 and the payable amount against the summary MOA.
  for (const [mapping, name, qty, total] of [
    ['edifact-ordchg.yaml', 'ordchg_d01b_eancom_lines', '21', '86'],
    ['edifact-ordchg-cancel.yaml', 'ordchg_d01b_eancom_cancel', '21', undefined],
    ['edifact-invoic-credit.yaml', 'invoic_d01b_eancom_credit', '47', '77'],
  ] as const) {
    it(`${mapping} on ${name}: lines, quantities and the total as the segments state them`, async () => {
      const compiled = loadMappingFile(path.join(projectRoot(), 'mappings', mapping));
      const tx = readEdifact(fixture(`${name}.edi`)).groups[0]!.transactions[0]!;
      const doc = await evaluateMapping(compiled, tx.tree, { partner: mapping.includes('invoic') ? 'globex' : 'acme', document: tx.controlNumber });
      type Seg = Record<string, Array<string | string[]> & Array<never>> & { QTY?: Array<{ QTY01: string[] }> };
      const tree = tx.tree as unknown as { LIN?: Seg[]; UNS: Array<{ CNT?: Array<{ CNT01: string[] }>; MOA: Array<{ MOA01: string[] }> }> };
      const lines = doc.lines as Array<{ quantity?: number }>;
      const cnt = tree.UNS[0]!.CNT?.[0]?.CNT01[1];
      expect(lines.length).to.equal(cnt === undefined ? 0 : Number(cnt));
      (tree.LIN ?? []).forEach((lin, i) => {
        const q = lin.QTY?.find((x) => x.QTY01[0] === qty)?.QTY01[1];
        expect(lines[i]!.quantity, `line ${i + 1}`).to.equal(q === undefined ? undefined : Number(q));
      });
      if (total) {
        const stated = tree.UNS[0]!.MOA.find((m) => m.MOA01[0] === total)!.MOA01[1];
        expect((doc.totals as { payableAmount: number }).payableAmount).to.equal(Number(stated));
      }
    });
  }

  it('the written and edited change, cancellation and credit note samples are valid messages of their directory', () => {
    for (const name of ['ordchg_d01b_eancom.edi', 'ordchg_d01b_eancom_lines.edi', 'ordchg_d01b_eancom_cancel.edi', 'invoic_d01b_eancom_credit.edi']) {
      const ic = readEdifact(fixture(name));
      const problems = [...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])];
      expect(problems, name).to.deep.equal([]);
    }
  });

  it('detect.when sends ORDCHG by BGM 1225 (1: the cancellation) and INVOIC by BGM 1001 (381: the credit note)', async () => {
    const formats = ['edifact-orders', 'edifact-ordchg', 'edifact-ordchg-cancel', 'edifact-invoic', 'edifact-invoic-credit']
      .map((f) => loadMappingFile(path.join(projectRoot(), 'mappings', `${f}.yaml`)));
    const formatOf = async (name: string, edit?: (bgm: Record<string, unknown>) => void): Promise<string | undefined> => {
      const ic = readEdifact(fixture(name));
      const tx = ic.groups[0]!.transactions[0]!;
      edit?.((tx.tree as unknown as { BGM: Array<Record<string, unknown>> }).BGM[0]!);
      return (await formatOfTransaction(formats, ic.groups[0]!, tx))?.name;
    };
    expect(await formatOf('ordchg_d01b_eancom.edi')).to.equal('edifact-ordchg');
    expect(await formatOf('ordchg_d01b_eancom_cancel.edi')).to.equal('edifact-ordchg-cancel');
    // Without a message function the ORDCHG is still a change (JSONata's != would have left it to no format).
    expect(await formatOf('ordchg_d01b_eancom.edi', (bgm) => { delete bgm.BGM03; })).to.equal('edifact-ordchg');
    expect(await formatOf('invoic_d01b_eancom_credit.edi')).to.equal('edifact-invoic-credit');
    expect(await formatOf('invoic_d01b_eancom.edi')).to.equal('edifact-invoic');
    expect(await formatOf('orders_d96a_eancom.edi')).to.equal('edifact-orders');
  });

  it('edifact-ordchg: a header-only change (no LIN) is an OrderChange with no lines', async () => {
    const compiled = loadMappingFile(path.join(projectRoot(), 'mappings', 'edifact-ordchg.yaml'));
    const tree = readEdifact(fixture('ordchg_d01b_eancom.edi')).groups[0]!.transactions[0]!.tree as unknown as Record<string, unknown>;
    delete tree.LIN;
    const doc = await evaluateMapping(compiled, tree as never, { partner: 'acme', document: 'ordchg' });
    checkCanonical(doc, { file: 'mappings/edifact-ordchg.yaml', document: 'ordchg' });
    expect(doc.lines).to.deep.equal([]);
  });

  it('edifact-ordchg reads LIN 1229 1-4 as add/delete/change/unchanged, none as change, and refuses a response code by name', async () => {
    const compiled = loadMappingFile(path.join(projectRoot(), 'mappings', 'edifact-ordchg.yaml'));
    const actionOf = async (code: string | undefined): Promise<unknown> => {
      const tree = readEdifact(fixture('ordchg_d01b_eancom.edi')).groups[0]!.transactions[0]!.tree as unknown as { LIN: Array<Record<string, unknown>> };
      if (code === undefined) delete tree.LIN[0]!.LIN02;
      else tree.LIN[0]!.LIN02 = code;
      const doc = await evaluateMapping(compiled, tree as never, { partner: 'acme', document: 'ordchg' });
      return (doc.lines as Array<{ action: string }>)[0]!.action;
    };
    for (const [code, action] of [['1', 'add'], ['2', 'delete'], ['3', 'change'], ['4', 'unchanged'], [undefined, 'change']] as const) {
      expect(await actionOf(code), String(code)).to.equal(action);
    }
    const error = await actionOf('7').then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(HubError);
    expect((error as HubError).code).to.equal('HUB_ERR_MAPPING');
    expect((error as HubError).message).to.contain('LIN 1229 "7" (line 1)');
  });
});

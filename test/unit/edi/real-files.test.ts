import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CanonicalDocument } from '../../../src/canonical/types.js';
import { OfflineMapper } from '../../../src/cli/offline.js';
import { loadConfig } from '../../../src/config/load.js';
import type { HubConfig } from '../../../src/config/types.js';
import type { EdiSegment, EdiTransaction } from '../../../src/edi/types.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { interchangeWarnings } from '../../../src/edi/warnings.js';

/*
 * Every real (not written-by-us) X12 and EDIFACT sample in fixtures/x12 and fixtures/edifact (SOURCES.md says which),
 * judged per transaction as `hub test-mappings` judges them (OfflineMapper, the demo config, the partner whose
 * formats take the file). Each transaction either maps, with as many canonical lines as the source says and the
 * source's totals (read below from the reader's segments, not from the mapping), or is refused with the code and
 * problems written in REFUSED, each with why.
 */

const root = projectRoot();
const folder = (syntax: 'x12' | 'edifact'): string => path.join(root, 'fixtures', syntax);

/**
 * Placeholder senders of samples, added to a demo partner's party ids for this test only (the demo config keeps
 * real-looking ids only): anonymised zeros, SENDER, dummy DUNS numbers. Their cross-references are rows of
 * config/xref/* naming the sample.
 */
const SAMPLE_PARTY_IDS: Record<string, string[]> = {
  // node-x12-850-3 (ISA06 0000000000, anonymised), stupidedi-850-isa107 (ISA06 SENDER), stupidedi's 003050 850
  // (ISA06 054481205NPPT, the sample of Nissan's guide).
  'x12-customer': ['0000000000', 'SENDER', '054481205NPPT'],
  // stupidedi-856 (N1 SF 123456789), stupidedi-856-002001-isa78 (N1 SU 1234567).
  'x12-supplier': ['123456789', '1234567'],
};

/** Batch files: how many interchanges each holds (each is taken on its own, src/formats/edi-split.ts). */
const BATCHES: Record<string, number> = { 'x12/node-x12-850-fat.edi': 2 };

/** The files whose every transaction maps, and the partner to judge them for when no demo partner's formats take them. */
const MAPS = [
  'x12/node-x12-850-fat.edi',
  'x12/node-x12-850.edi', 'x12/node-x12-850-2.edi', 'x12/node-x12-850-3.edi', 'x12/node-x12-855.edi', 'x12/node-x12-856-004060.edi',
  'x12/stupidedi-855.edi', 'x12/stupidedi-856.edi', 'x12/stupidedi-850-isa107.edi', 'x12/stupidedi-850-003050-isa-line-break.edi',
  'x12/stupidedi-856-002001-isa78.edi', 'x12/staedi-simple810.edi', 'x12/staedi-invoice810-po850-dual.edi', 'edifact/invoic_d97b_una.edi',
];

/**
 * Transactions judged for another partner than their file's: staedi's dual sample carries an 810 (a supplier's
 * set) and an 850 (a customer's) in one interchange, which one demo partner does not both send; each is judged
 * for the partner that sends its set, as the intake would for a partner configured with both.
 */
const PARTNER_OF: Record<string, Record<string, string>> = {
  'x12/staedi-invoice810-po850-dual.edi': { '000191240': 'x12-customer' },
};

/** Envelope warnings each file's reading gives (TA1 TA104 E with these TA105 note codes): code:segment:element. */
const WARNINGS: Record<string, string[]> = {
  'x12/stupidedi-850-003010-isa86.edi': ['011:ISA:2', '013:ISA:4', '006:ISA:6', '008:ISA:8'],
  'x12/stupidedi-850-003050-isa-line-break.edi': ['011:ISA:2', '013:ISA:4', '006:ISA:6', '008:ISA:8'],
  'x12/stupidedi-856-002001-isa78.edi': ['011:ISA:2', '013:ISA:4', '006:ISA:6', '008:ISA:8'],
  'x12/stupidedi-850-isa107.edi': ['008:ISA:8'],
};

interface Refusal {
  /** Transaction control number (ST02 / UNH 0062). */
  transaction: string;
  code: string;
  /** level:code:segment[:element] of each problem, in order: AK5/AK3/AK4, AK9, TA1 or CONTRL codes. */
  problems: string[];
  why: string;
}

/** Files (or transactions of a file) that are refused; partner when no demo partner's formats take the file. */
const REFUSED: Record<string, { partner?: string; refusals: Refusal[] }> = {
  'x12/gozer-asn856.edi': { partner: 'x12-supplier', refusals: [{ transaction: '0008', code: 'HUB_ERR_EDI_ENVELOPE', problems: ['interchange:001:IEA:2'], why: 'IEA02 000000049 differs from ISA13 000003438 (TA1 R 001): which control number is the interchange\'s cannot be told' }] },
  'x12/gozer-po850.edi': { refusals: [{ transaction: '000000010', code: 'HUB_ERR_EDI_INVALID', problems: ['transaction:4:SE'], why: 'SE01 says 33 segments, the set has 21 (AK5 R 4)' }] },
  'x12/staedi-invoice810-po850-dual.edi': { refusals: [{ transaction: '000191240', code: 'HUB_ERR_EDI_INVALID', problems: ['segment:8:N1', 'element:2:N1:4'], why: 'its 850 (the 003010 group, read with 004010\'s tables) has N1*ST*…*92 with no N104: syntax note P0304 pairs N103 and N104 (AK3 N1 9 8, AK4 4 67 2); the two 810s of the first group map' }] },
  'x12/stupidedi-810-ghx.edi': { refusals: [{ transaction: '108650001', code: 'HUB_ERR_EDI_INVALID', problems: ['transaction:4:SE'], why: 'SE01 says 47 segments, the set has 46 (AK5 R 4)' }] },
  'x12/stupidedi-810-pipes.edi': { refusals: [{ transaction: '5639689', code: 'HUB_ERR_EDI_INVALID', problems: ['segment:8:IT1', 'element:2:IT1:3', 'segment:8:IT1', 'element:2:IT1:3'], why: 'both IT1 give quantity and price without the unit IT103 (IT1||4||70: syntax note P020304 pairs IT102-IT104); AK3 IT1 8, AK4 3 355 2' }] },
  'x12/stupidedi-850-003010-isa86.edi': { partner: 'x12-customer', refusals: [{ transaction: '0001', code: 'HUB_ERR_EDI_INVALID', problems: ['transaction:4:SE'], why: 'SE01 says 28 segments, the set has 27 (AK5 R 4), and CTT01 says 1 line for its 2 PO1 (stupidedi files it under fail/); its ISA of 86 characters is read (warnings 011, 013, 006, 008) and 003010 with 004010\'s tables' }] },
  'x12/stupidedi-856-mixed-terminators.edi': { refusals: [{ transaction: '0000001', code: 'HUB_ERR_EDI_INVALID', problems: ['transaction:4:SE', 'segment:8:N1', 'element:6:N1:4', 'element:6:N1:5', 'element:5:N1:6', 'element:3:N1:7', 'segment:2:PRF'], why: "terminator '$' with three '~' segments inside: they run into N104 (control characters, AK4 6), the count is off (AK5 4) and PRF is out of place" }] },
  'edifact/invoic_d93a_una.edi': { partner: 'globex', refusals: [{ transaction: 'INVOIC0001', code: 'HUB_ERR_EDI_INVALID', problems: ['element:21:NAD:3', 'element:21:NAD:5', 'element:21:NAD:6', 'element:21:NAD:3', 'element:21:NAD:5', 'element:21:NAD:6', 'element:21:IMD:3', 'element:21:IMD:3', 'element:21:IMD:3'], why: "INVOIC D93A is read with D96A's structure (no structure problem); UNB says UNOA and the NADs and IMDs carry lower case and 'ü' (CONTRL 21), like invoic_d97b; it would then fail on its seller too (NAD SE by name only, no id)" }] },
  'edifact/invoic_d97b.edi': { refusals: [{ transaction: '00000000000117', code: 'HUB_ERR_EDI_INVALID', problems: ['element:21:NAD:4'], why: "UNB says UNOA and NAD 3036 has 'Ü' (CONTRL 21 invalid character); its UNA copy invoic_d97b_una.edi maps" }] },
  'edifact/invoic_d97b_bad.edi': { refusals: [{ transaction: '00000000000117', code: 'HUB_ERR_EDI_INVALID', problems: ['element:39:NAD:1', 'element:37:QTY:1', 'element:21:PRI:1', 'segment:35:UNS'], why: "staedi's bad sample: NAD 3035 BYZZ (an..3), QTY 1020A not numeric, PRI $1.179 outside UNOA, a second UNS" }] },
  'edifact/orders-with-group.edi': { refusals: [{ transaction: '1', code: 'HUB_ERR_EDI_ENVELOPE', problems: ['group:16:UNG:7', 'group:39:UNG:7'], why: 'UNG S008 has 4 components (D:96A:EAN008A:IGNORED) and 0057 EAN008A is 7 characters (an..6), and the group says D:96A EAN008A where its message says D:96B EAN008B: which directory the codes are from cannot be told, so it is not read through; the message itself is wrong too (UNT says 21 segments, it has 18; UNH 0057 EAN008B is 7 characters), so it would be refused with its group read through' }] },
};

/** The real files SOURCES.md lists (X12: origin "real…"; EDIFACT: the staedi row's files). */
function realFiles(): string[] {
  const x12 = readFileSync(path.join(folder('x12'), 'SOURCES.md'), 'utf8')
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => cells[2]?.startsWith('real'))
    .map((cells) => `x12/${cells[1]}`);
  const edifact = readFileSync(path.join(folder('edifact'), 'SOURCES.md'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('xlate/staedi'))
    .flatMap((line) => line.split('|')[1]!.split(',').map((name) => `edifact/${name.trim()}`));
  return [...x12, ...edifact].sort();
}

/** Every file of the two tables once (a file whose transactions partly map is in both). */
const FILES = [...new Set([...MAPS, ...Object.keys(REFUSED)])].sort();
for (const file of Object.keys(WARNINGS)) if (!FILES.includes(file)) throw new Error(`WARNINGS names ${file}, which neither maps nor is refused`);

// --- A reader of the sources' own counts and totals, from the segments (not the mapping). ---

const value = (segment: EdiSegment | undefined, element: number, component = 0): string | undefined => {
  const e = segment?.elements[element - 1];
  const v = Array.isArray(e) ? e[component] : component === 0 ? e : undefined;
  return v === undefined || v === '' ? undefined : v;
};
const num = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text.replace(',', '.')));
const round = (n: number): number => Math.round(n * 1e6) / 1e6;
const all = (tx: EdiTransaction, id: string): EdiSegment[] => tx.segments.filter((s) => s.id === id);
const first = (tx: EdiTransaction, id: string): EdiSegment | undefined => tx.segments.find((s) => s.id === id);

interface SourceFacts {
  lines: number;
  /** canonical totals field -> the source's amount. */
  totals: Record<string, number>;
}

function x12Facts(tx: EdiTransaction): SourceFacts {
  const ctt = first(tx, 'CTT');
  if (tx.setId === '850') {
    const po1 = all(tx, 'PO1');
    const amt = all(tx, 'AMT').find((s) => ['TT', '1'].includes(value(s, 1) ?? ''));
    const sum = po1.reduce((acc, s) => acc + num(value(s, 2))! * num(value(s, 4))!, 0);
    return { lines: num(value(ctt, 1)) ?? po1.length, totals: { payableAmount: round(num(value(amt, 2)) ?? sum), lineTotal: round(sum) } };
  }
  if (tx.setId === '855') {
    // CTT02 is the hash total of ACK02 (the confirmed quantities); without CTT or ACK, a line confirms PO102 as ordered.
    const po1 = tx.segments.flatMap((s, i) => (s.id === 'PO1' ? [i] : []));
    const confirmed = po1.map((at, k) => {
      const ack = tx.segments.slice(at + 1, po1[k + 1] ?? tx.segments.length).find((s) => s.id === 'ACK');
      return num(value(ack, 2)) ?? num(value(tx.segments[at], 2))!;
    });
    const sum = round(confirmed.reduce((a, b) => a + b, 0));
    return { lines: num(value(ctt, 1)) ?? po1.length, totals: { lineCount: num(value(ctt, 1)) ?? po1.length, totalQuantity: num(value(ctt, 2)) ?? sum } };
  }
  if (tx.setId === '810') {
    return { lines: num(value(ctt, 1)) ?? all(tx, 'IT1').length, totals: { payableAmount: num(value(first(tx, 'TDS'), 1))! / 100 } };
  }
  if (tx.setId === '856') {
    // CTT01 counts HL segments of every level in an 856; its lines are the item HLs (HL03 I).
    const items = all(tx, 'HL').filter((s) => value(s, 3) === 'I').length;
    const sum = all(tx, 'SN1').reduce((acc, s) => acc + num(value(s, 2))!, 0);
    return { lines: items, totals: { lineCount: items, totalQuantity: round(num(value(ctt, 2)) ?? sum) } };
  }
  throw new Error(`no reader for X12 ${tx.setId}`);
}

function edifactFacts(tx: EdiTransaction): SourceFacts {
  const cnt = all(tx, 'CNT').find((s) => value(s, 1, 0) === '2');
  const lines = num(value(cnt, 1, 1)) ?? all(tx, 'LIN').length;
  const uns = tx.segments.findIndex((s) => s.id === 'UNS');
  const summary = uns < 0 ? [] : tx.segments.slice(uns + 1).filter((s) => s.id === 'MOA');
  const moa = (qualifiers: string[]): number | undefined => num(value(summary.find((s) => qualifiers.includes(value(s, 1, 0) ?? '')), 1, 1));
  const totals: Record<string, number | undefined> =
    tx.setId === 'INVOIC'
      ? { lineTotal: moa(['79']), taxExclusive: moa(['125']), taxInclusive: moa(['77']), payableAmount: moa(['9', '39', '77']) }
      : { payableAmount: moa(['86', '128', '79']) };
  return { lines, totals: Object.fromEntries(Object.entries(totals).filter((e): e is [string, number] => e[1] !== undefined)) };
}

describe('Real X12 and EDIFACT samples: mapped with the source lines and totals, or refused as written', function () {
  this.timeout(60_000);
  let mapper: OfflineMapper;

  before(async () => {
    const demo = loadConfig();
    const partners = Object.fromEntries(Object.entries(demo.partners).map(([id, p]) => [id, { ...p, partyIds: [...p.partyIds, ...(SAMPLE_PARTY_IDS[id] ?? [])] }]));
    mapper = await OfflineMapper.create({ ...demo, partners } as HubConfig);
  });
  after(() => mapper.close());

  it('covers every real file of SOURCES.md, each file on disk once', () => {
    const listed = FILES;
    expect(listed).to.deep.equal(realFiles());
    for (const file of listed) expect(readdirSync(path.join(root, 'fixtures', path.dirname(file)))).to.include(path.basename(file));
  });

  for (const file of FILES) {
    const entry = REFUSED[file];
    it(`${file}: ${entry ? entry.refusals.map((r) => `${r.transaction} ${r.code}`).join(', ') : 'maps'}${MAPS.includes(file) && entry ? ' and the rest maps' : ''}`, async () => {
      const bytes = readFileSync(path.join(root, 'fixtures', file));
      // A batch file (several interchanges) is judged interchange by interchange, as the intake takes it.
      const pieces = await mapper.interchanges(bytes, entry?.partner ? { partner: entry.partner } : {});
      const transactions = [];
      for (const [index, { ic, transactions: judged }] of pieces.entries()) {
        expect(judged.length, 'transactions').to.be.greaterThan(0);
        const warnings = interchangeWarnings(ic).map((w) => [w.code, w.segmentId, w.elementPosition].filter((x) => x !== undefined).join(':'));
        expect(warnings, `${file}: envelope warnings`).to.deep.equal(WARNINGS[file] ?? []);
        for (const j of judged) {
          const partner = PARTNER_OF[file]?.[j.controlNumber];
          const t = partner ? (await mapper.interchanges(bytes, { partner }))[index]!.transactions.find((x) => x.controlNumber === j.controlNumber)! : j;
          transactions.push(t);
          const refusal = entry?.refusals.find((r) => r.transaction === t.controlNumber);
          const label = `${file} ${t.setId} ${t.controlNumber}`;
          if (refusal) {
            expect(t.outcome, `${label}: ${refusal.why}`).to.equal('rejected');
            expect(t.error?.code, `${label}: ${t.error?.message}`).to.equal(refusal.code);
            expect(t.problems.map((p) => [p.level, p.code, p.segmentId, p.elementPosition].filter((x) => x !== undefined).join(':')), label).to.deep.equal(refusal.problems);
            continue;
          }
          expect(MAPS, `${label} is neither expected to map nor refused: ${t.error?.code} ${t.error?.message}`).to.include(file);
          expect(t.error, `${label}: ${t.error?.code}: ${t.error?.message}`).to.equal(undefined);
          const canonical = t.canonical as CanonicalDocument & { lines: unknown[]; totals: Record<string, number> };
          const tx = ic.groups.flatMap((g) => g.transactions).find((x) => x.controlNumber === t.controlNumber && x.setId === t.setId)!;
          const facts = ic.syntax === 'x12' ? x12Facts(tx) : edifactFacts(tx);
          expect(canonical.lines.length, `${label}: canonical lines`).to.equal(facts.lines);
          expect(Object.keys(facts.totals), `${label}: the source states a total`).to.not.be.empty;
          for (const [field, amount] of Object.entries(facts.totals)) expect(canonical.totals[field], `${label}: totals.${field}`).to.equal(amount);
        }
      }
      if (BATCHES[file]) expect(pieces.length, `${file}: interchanges`).to.equal(BATCHES[file]);
      for (const refusal of entry?.refusals ?? []) expect(transactions.map((t) => t.controlNumber), `${file}: transaction ${refusal.transaction}`).to.include(refusal.transaction);
    });
  }
});

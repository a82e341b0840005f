/**
 * The segment tables of the transaction sets the hub reads, for 004010 and 005010 (the tables of the two
 * versions agree for the segments and loops written here); the other releases the hub reads use them too
 * (READ_VERSIONS says which, and why that is sound). Maximum use as in the standard; `U` is ">1".
 * Segments a set allows but the hub never reads are listed too so a partner's full document places cleanly;
 * a few rarely used loops (LM, SPI, ADV, LH1, V1, FA1) are left out and would be reported as unexpected (AK304 2).
 */
import { SEGMENTS_004010, SEGMENTS_005010, SEGMENTS_BEFORE_004010 } from './segments.js';
import { UNBOUNDED as U, loop, seg, type TableEntry, type TransactionSpec } from './types.js';

const N1_HEADER = (max: number): TableEntry =>
  loop('N1', 'O', max, [seg('N1', 'O'), seg('N2', 'O', 2), seg('N3', 'O', 2), seg('N4', 'O', U), seg('NX2', 'O', U), seg('REF', 'O', 12),
    seg('PER', 'O', U), seg('SI', 'O', U), seg('FOB', 'O'), seg('TD1', 'O', 2), seg('TD5', 'O', 12), seg('TD3', 'O', 12),
    seg('TD4', 'O', 5), seg('PKG', 'O', 200)]);

const N9_LOOP = (max: number): TableEntry => loop('N9', 'O', max, [seg('N9', 'O'), seg('DTM', 'O', U), seg('MSG', 'O', 1000)]);
const SAC_LOOP = (max: number): TableEntry => loop('SAC', 'O', max, [seg('SAC', 'O'), seg('CUR', 'O')]);
const PID_LOOP = loop('PID', 'O', 1000, [seg('PID', 'O'), seg('MEA', 'O', 10)]);
const CTT_LOOP = loop('CTT', 'O', 1, [seg('CTT', 'O'), seg('AMT', 'O')]);

/** 850 and 860 share their header after the beginning segment and most of the line loop. */
const orderHeader = (): TableEntry[] => [
  seg('CUR', 'O'), seg('REF', 'O', U), seg('PER', 'O', 3), seg('TAX', 'O', U), seg('FOB', 'O', U), seg('CTP', 'O', U),
  seg('PAM', 'O', 10), seg('CSH', 'O', 5), seg('TC2', 'O', U), SAC_LOOP(25), seg('ITD', 'O', U), seg('DIS', 'O', 20),
  seg('INC', 'O'), seg('DTM', 'O', 10), seg('LDT', 'O', 12), seg('LIN', 'O', 5), seg('SI', 'O', U), seg('PID', 'O', 200),
  seg('MEA', 'O', 40), seg('PWK', 'O', 25), seg('PKG', 'O', 200), seg('TD1', 'O', 2), seg('TD5', 'O', 12), seg('TD3', 'O', 12),
  seg('TD4', 'O', 5), seg('MAN', 'O', 10), seg('PCT', 'O', U), seg('CTB', 'O', 5), seg('TXI', 'O', U),
  loop('AMT', 'O', U, [seg('AMT', 'O'), seg('REF', 'O', U), seg('DTM', 'O'), seg('TXI', 'O', U)]),
  N9_LOOP(1000), N1_HEADER(200),
];

const lineMembers = (): TableEntry[] => [
  seg('LIN', 'O', U), seg('SI', 'O', U), seg('CUR', 'O'), seg('CN1', 'O'), seg('PO3', 'O', 25),
  loop('CTP', 'O', U, [seg('CTP', 'O'), seg('CUR', 'O')]), seg('PAM', 'O', 10), seg('MEA', 'O', 40), PID_LOOP, seg('PWK', 'O', 25),
  seg('PO4', 'O', U), seg('REF', 'O', U), seg('PER', 'O', 3), SAC_LOOP(25), seg('IT8', 'O'), seg('CSH', 'O', U), seg('ITD', 'O', 2),
  seg('DIS', 'O', 20), seg('INC', 'O'), seg('TAX', 'O', U), seg('FOB', 'O', U), seg('SDQ', 'O', 500), seg('IT3', 'O', 5),
  seg('DTM', 'O', 10), seg('TC2', 'O', U), seg('TD1', 'O'), seg('TD5', 'O', 12), seg('TD3', 'O', 12), seg('TD4', 'O', 5),
  seg('PCT', 'O', U), seg('MAN', 'O', 10), seg('MSG', 'O', U), seg('SPI', 'O', U), seg('TXI', 'O', U), seg('CTB', 'O', U),
  loop('QTY', 'O', U, [seg('QTY', 'O'), seg('SI', 'O', U)]),
  loop('SCH', 'O', 200, [seg('SCH', 'O'), seg('TD1', 'O'), seg('TD5', 'O', 12), seg('TD3', 'O', 12), seg('TD4', 'O', 5), seg('REF', 'O', U)]),
  loop('PKG', 'O', 200, [seg('PKG', 'O'), seg('MEA', 'O', U)]), seg('LS', 'O'),
  loop('LDT', 'O', U, [seg('LDT', 'O'), seg('QTY', 'O', U), seg('MSG', 'O'), seg('REF', 'O', 3)]), seg('LE', 'O'),
  loop('N9', 'O', 1000, [seg('N9', 'O'), seg('DTM', 'O', U), seg('MEA', 'O', 40), seg('MSG', 'O', 1000)]),
  loop('N1', 'O', 200, [seg('N1', 'O'), seg('N2', 'O', 2), seg('N3', 'O', 2), seg('N4', 'O'), seg('QTY', 'O', U), seg('NX2', 'O', U),
    seg('REF', 'O', 12), seg('PER', 'O', 3), seg('SI', 'O', U), seg('DTM', 'O'), seg('FOB', 'O'), seg('SCH', 'O', 200), seg('TD1', 'O'),
    seg('TD5', 'O', 12), seg('TD3', 'O', 12), seg('TD4', 'O', 5), seg('PKG', 'O', 200)]),
  loop('SLN', 'O', 1000, [seg('SLN', 'O'), seg('MSG', 'O', U), seg('SI', 'O', U), seg('PID', 'O', 1000), seg('PO3', 'O', 104),
    seg('TC2', 'O', U), seg('ADV', 'O', U), seg('DTM', 'O', 10), seg('CTP', 'O', 25), seg('PAM', 'O', 10), seg('PO4', 'O'), seg('TAX', 'O', 3)]),
  loop('AMT', 'O', U, [seg('AMT', 'O'), seg('DTM', 'O'), seg('PCT', 'O', U)]),
];

const ST = seg('ST', 'M');
const SE = seg('SE', 'M');

const PO850: TableEntry[] = [ST, seg('BEG', 'M'), ...orderHeader(), loop('PO1', 'M', 100000, [seg('PO1', 'M'), ...lineMembers()]), CTT_LOOP, SE];

const PC860: TableEntry[] = [ST, seg('BCH', 'M'), ...orderHeader(), loop('POC', 'O', U, [seg('POC', 'O'), ...lineMembers()]), CTT_LOOP, SE];

const PR855: TableEntry[] = [
  ST, seg('BAK', 'M'), seg('CUR', 'O'), seg('REF', 'O', U), seg('PER', 'O', 3), seg('TAX', 'O', U), seg('FOB', 'O', U), seg('CTP', 'O', U),
  seg('PAM', 'O', 10), seg('CSH', 'O'), seg('TC2', 'O', U), SAC_LOOP(25), seg('ITD', 'O', U), seg('DIS', 'O', 20), seg('INC', 'O'),
  seg('DTM', 'O', 10), seg('LDT', 'O', 12), seg('LIN', 'O', 5), seg('SI', 'O', U), seg('PID', 'O', 200), seg('MEA', 'O', 40),
  seg('PWK', 'O', 25), seg('PKG', 'O', 200), seg('TD1', 'O', 2), seg('TD5', 'O', 12), seg('TD3', 'O', 12), seg('TD4', 'O', 5),
  seg('MAN', 'O', 10), seg('TXI', 'O', U), seg('CTB', 'O', 5), N9_LOOP(1000), N1_HEADER(200),
  loop('PO1', 'O', 100000, [seg('PO1', 'O'), seg('LIN', 'O', U), seg('SI', 'O', U), seg('CUR', 'O'), seg('CN1', 'O'), seg('PO3', 'O', 25),
    loop('CTP', 'O', U, [seg('CTP', 'O'), seg('CUR', 'O')]), seg('PAM', 'O', 10), seg('MEA', 'O', 40), PID_LOOP, seg('PWK', 'O', 25),
    seg('PO4', 'O', U), seg('REF', 'O', U), seg('PER', 'O', 3), SAC_LOOP(25), seg('IT8', 'O'), seg('CSH', 'O', U), seg('ITD', 'O', 2),
    seg('DIS', 'O', 20), seg('INC', 'O'), seg('TAX', 'O', U), seg('FOB', 'O', U), seg('SDQ', 'O', 500), seg('IT3', 'O', 5),
    seg('DTM', 'O', 10), seg('TC2', 'O', U), seg('TD1', 'O'), seg('TD5', 'O', 12), seg('TD3', 'O', 12), seg('TD4', 'O', 5),
    seg('PCT', 'O', U), seg('MAN', 'O', 10), seg('MSG', 'O', U), seg('SPI', 'O', U), seg('TXI', 'O', U), seg('CTB', 'O', U),
    loop('ACK', 'O', 104, [seg('ACK', 'O'), seg('DTM', 'O')]),
    loop('SCH', 'O', 200, [seg('SCH', 'O'), seg('TD1', 'O'), seg('TD5', 'O', 12), seg('TD3', 'O', 12), seg('TD4', 'O', 5), seg('REF', 'O', U)]),
    N9_LOOP(1000),
    loop('N1', 'O', 200, [seg('N1', 'O'), seg('N2', 'O', 2), seg('N3', 'O', 2), seg('N4', 'O'), seg('QTY', 'O', U), seg('NX2', 'O', U),
      seg('REF', 'O', 12), seg('PER', 'O', 3), seg('SI', 'O', U), seg('DTM', 'O'), seg('FOB', 'O'), seg('SCH', 'O', 200)]),
    loop('SLN', 'O', 1000, [seg('SLN', 'O'), seg('MSG', 'O', U), seg('SI', 'O', U), seg('PID', 'O', 1000), seg('PO3', 'O', 104),
      seg('ADV', 'O', U), seg('DTM', 'O', 10), seg('SAC', 'O', 25)])]),
  CTT_LOOP, SE,
];

const SH856: TableEntry[] = [
  ST, seg('BSN', 'M'), seg('DTM', 'O', 10),
  loop('HL', 'M', 200000, [seg('HL', 'M'), seg('LIN', 'O'), seg('SN1', 'O'), seg('SLN', 'O', 1000), seg('PRF', 'O'), seg('PO4', 'O'),
    seg('PID', 'O', 200), seg('MEA', 'O', 40), seg('PWK', 'O', 25), seg('PKG', 'O', 25), seg('TD1', 'O', 20), seg('TD5', 'O', 10),
    seg('TD3', 'O', 12), seg('TD4', 'O', 5), seg('REF', 'O', U), seg('PER', 'O', 3),
    loop('CLD', 'O', 200, [seg('CLD', 'O'), seg('REF', 'O', 200), seg('DTM', 'O')]), seg('MAN', 'O', U), seg('DTM', 'O', 10),
    seg('FOB', 'O'), seg('PAL', 'O'),
    loop('N1', 'O', 200, [seg('N1', 'O'), seg('N2', 'O', 2), seg('N3', 'O', 2), seg('N4', 'O'), seg('REF', 'O', 12), seg('PER', 'O', 3),
      seg('FOB', 'O')]),
    seg('SDQ', 'O', 50), seg('ETD', 'O'), seg('CUR', 'O'), SAC_LOOP(U), seg('GF', 'O'), seg('YNQ', 'O', 10)]),
  seg('CTT', 'O'), SE,
];

const IN810: TableEntry[] = [
  ST, seg('BIG', 'M'), seg('NTE', 'O', 100), seg('CUR', 'O'), seg('REF', 'O', 12), seg('YNQ', 'O', 10), seg('PER', 'O', 3),
  loop('N1', 'O', 200, [seg('N1', 'O'), seg('N2', 'O', 2), seg('N3', 'O', 2), seg('N4', 'O'), seg('REF', 'O', 12), seg('PER', 'O', 3),
    seg('DMG', 'O')]),
  seg('ITD', 'O', U), seg('DTM', 'O', 10), seg('FOB', 'O'), seg('PID', 'O', 200), seg('MEA', 'O', 40), seg('PWK', 'O', 25),
  seg('PKG', 'O', 25), seg('L7', 'O'), seg('BAL', 'O', U), seg('INC', 'O'), seg('PAM', 'O', U),
  loop('N9', 'O', 1, [seg('N9', 'O'), seg('MSG', 'O', 10)]),
  loop('IT1', 'O', 200000, [seg('IT1', 'O'), seg('CRC', 'O'), seg('QTY', 'O', 5), seg('CUR', 'O'), seg('IT3', 'O', 5), seg('TXI', 'O', 10),
    seg('CTP', 'O', 25), seg('PAM', 'O', 10), seg('MEA', 'O', 40), PID_LOOP, seg('PWK', 'O', 25), seg('PKG', 'O', 25), seg('PO4', 'O'),
    seg('ITD', 'O', 2), seg('REF', 'O', U), seg('YNQ', 'O', 10), seg('PER', 'O', 5), seg('SDQ', 'O', 500), seg('DTM', 'O', 10),
    seg('CAD', 'O', U), seg('L7', 'O', U), seg('SR', 'O'),
    loop('SAC', 'O', 25, [seg('SAC', 'O'), seg('TXI', 'O', 10)]),
    loop('SLN', 'O', 1000, [seg('SLN', 'O'), seg('DTM', 'O'), seg('REF', 'O', U), seg('PID', 'O', 1000), seg('SAC', 'O', 25),
      seg('TC2', 'O', 2), seg('TXI', 'O', 10)]),
    loop('N1', 'O', 200, [seg('N1', 'O'), seg('N2', 'O', 2), seg('N3', 'O', 2), seg('N4', 'O'), seg('REF', 'O', 12), seg('PER', 'O', 3),
      seg('DMG', 'O')])]),
  seg('TDS', 'M'), seg('TXI', 'O', 10), seg('CAD', 'O'), seg('AMT', 'O', U),
  loop('SAC', 'O', 25, [seg('SAC', 'O'), seg('TXI', 'O', 10)]),
  loop('ISS', 'O', U, [seg('ISS', 'O'), seg('PID', 'O')]), seg('CTT', 'O'), SE,
];

const FA997: TableEntry[] = [
  ST, seg('AK1', 'M'),
  loop('AK2', 'O', U, [seg('AK2', 'O'), loop('AK3', 'O', U, [seg('AK3', 'O'), seg('AK4', 'O', 99)]), seg('AK5', 'M')]),
  seg('AK9', 'M'), SE,
];

const FA999: TableEntry[] = [
  ST, seg('AK1', 'M'),
  loop('AK2', 'O', U, [seg('AK2', 'O'),
    loop('IK3', 'O', U, [seg('IK3', 'O'), seg('CTX', 'O', 10), loop('IK4', 'O', 99, [seg('IK4', 'O'), seg('CTX', 'O', 10)])]),
    seg('IK5', 'M')]),
  seg('AK9', 'M'), SE,
];

const TABLES: Array<[string, string, TableEntry[]]> = [
  ['850', 'Purchase Order', PO850],
  ['855', 'Purchase Order Acknowledgment', PR855],
  ['856', 'Ship Notice/Manifest', SH856],
  ['860', 'Purchase Order Change Request - Buyer Initiated', PC860],
  ['810', 'Invoice', IN810],
  ['997', 'Functional Acknowledgment', FA997],
];

const SPECS = new Map<string, TransactionSpec>();
for (const [version, segments] of [['004010', SEGMENTS_004010], ['005010', SEGMENTS_005010]] as const) {
  for (const [setId, description, members] of TABLES) SPECS.set(`${setId}/${version}`, { setId, version, description, members, segments });
}
SPECS.set('999/005010', { setId: '999', version: '005010', description: 'Implementation Acknowledgment', members: FA999, segments: SEGMENTS_005010 });

/** The versions the hub has tables for (GS08 starts with one of them: 004010, 004010VICS, 005010, 005010X231 …). */
export const SUPPORTED_VERSIONS = ['004010', '005010'] as const;

/**
 * The releases read with those tables, by their six-digit GS08 prefix: 002001 to 004060 with 004010's, 005010 to
 * 005050 with 005010's. Why that is sound for what the hub reads: the segments its mappings read (BEG, BAK, BCH,
 * BSN, BIG, CUR, REF, N1-N4, DTM, PO1, POC, ACK, PID, HL, LIN, SN1, PRF, IT1, TDS, CTT, AMT) keep their element
 * positions and meanings from 002001 to 005050; later releases add elements at the end and codes to lists, and
 * earlier ones lack some, which an optional-only reading does not miss. The one change the checks must know is
 * the date: element 373 is YYMMDD (DT 6/6) before 004010 and CCYYMMDD (DT 8/8) from it, so the tables of the
 * releases before 004010 take a date of 6 or 8 digits (SEGMENTS_BEFORE_004010); the mappings' $date reads YYMMDD
 * with a stated century window (src/mapping/functions.ts). TDS01, the invoice total the 810 mapping reads, has
 * another element number in the 003xxx dictionaries (361, the only TDS element there) and the same position.
 */
export const READ_VERSIONS = '002001 to 004060 and 005010 to 005050';

/** The hub's table version for a release's six-digit prefix, or undefined when it has none. */
function tableVersion(release: string): '004010' | '005010' | undefined {
  if (!/^\d{6}$/.test(release)) return undefined;
  if (release >= '002001' && release <= '004060') return '004010';
  if (release >= '005010' && release <= '005050') return '005010';
  return undefined;
}

/**
 * The release of a GS08/ST03 value (its first six characters: 004010 of 004010VICS, 005010 of 005010X231) when the
 * hub reads it, else undefined.
 */
export function baseVersion(version: string): string | undefined {
  const release = version.slice(0, 6);
  return tableVersion(release) ? release : undefined;
}

/**
 * What the tables of the releases before 004010 have besides 004010's: NTE (notes) after the beginning segment
 * of the 850 and 860 (004010 has free text in N9/MSG), where stupidedi's 003050 850 places it (position 030).
 */
const withHeaderNotes = (members: TableEntry[]): TableEntry[] => [members[0]!, members[1]!, seg('NTE', 'O', 100), ...members.slice(2)];
const TABLES_BEFORE_004010 = new Map<string, TableEntry[]>([['850', withHeaderNotes(PO850)], ['860', withHeaderNotes(PC860)]]);

/** Specs of the releases read with another release's tables (003010 with 004010's), made once per release. */
const BORROWED = new Map<string, TransactionSpec>();

/**
 * The spec of a transaction set for a GS08 version, or undefined when the hub does not know it. A release read
 * with another's tables gets a spec named after itself (errors say "850 003010"), with the dictionary of its
 * own dates and DTM (SEGMENTS_BEFORE_004010) and its header notes (TABLES_BEFORE_004010).
 */
export function transactionSpec(setId: string, version: string): TransactionSpec | undefined {
  const release = version.slice(0, 6);
  const table = tableVersion(release);
  if (!table) return undefined;
  const own = SPECS.get(`${setId}/${table}`);
  if (!own || release === table) return own;
  const key = `${setId}/${release}`;
  let spec = BORROWED.get(key);
  if (!spec) {
    spec = release < '004010'
      ? { ...own, version: release, members: TABLES_BEFORE_004010.get(setId) ?? own.members, segments: SEGMENTS_BEFORE_004010 }
      : { ...own, version: release };
    BORROWED.set(key, spec);
  }
  return spec;
}

/** Every segment id some supported table uses (to tell an unexpected segment from an unrecognized one). */
export const KNOWN_SEGMENT_IDS: ReadonlySet<string> = new Set(
  [...SPECS.values()].flatMap((spec) => {
    const ids: string[] = [];
    const visit = (entries: TableEntry[]): void => {
      for (const entry of entries) if (entry.kind === 'segment') ids.push(entry.id); else visit(entry.members);
    };
    visit(spec.members);
    return ids;
  }),
);

/**
 * The segment dictionary of X12 004010 and 005010 for the segments of the sets the hub reads (850, 855, 856, 860,
 * 810, 997, 999). Each element is written `ref req type min/max [codeList]`; `-` is an element the hub does not
 * check (it is placed and kept in the tree). Syntax notes as the standard prints them (P0304, R0203, C0403 …).
 * 005010 differs from 004010 in the few places listed in V5010 below.
 */
import type { ElementRule, ElementType, Requirement, SegmentRule, SyntaxNote } from './types.js';

function element(text: string): ElementRule | undefined {
  if (text === '-') return undefined;
  const match = /^(\w+) ([MOX]) (AN|ID|N0|N2|R|DT|TM) (\d+)\/(\d+)(?: (\w+))?$/.exec(text);
  if (!match) throw new Error(`bad element rule: ${text}`);
  const [, ref, req, type, min, max, codes] = match;
  return { ref: ref!, req: req as Requirement, type: type as ElementType, min: Number(min), max: Number(max), ...(codes ? { codes } : {}) };
}

function note(text: string): SyntaxNote {
  const match = /^([PRECL])((?:\d\d){2,})$/.exec(text);
  if (!match) throw new Error(`bad syntax note: ${text}`);
  return { text, kind: match[1] as SyntaxNote['kind'], positions: match[2]!.match(/\d\d/g)!.map(Number) };
}

function define(id: string, count: number, elements: string[], notes: string[] = []): SegmentRule {
  if (elements.length > count) throw new Error(`segment ${id}: more element rules than elements`);
  return { id, count, elements: elements.map(element), ...(notes.length ? { notes: notes.map(note) } : {}) };
}

const pairs = (from: number, to: number): string[] => {
  const notes: string[] = [];
  for (let i = from; i < to; i += 2) notes.push(`P${String(i).padStart(2, '0')}${String(i + 1).padStart(2, '0')}`);
  return notes;
};
/** Product/service id qualifier and id pairs (235/234), from element `from` to `to`. */
const idPairs = (count: number): string[] => Array.from({ length: count }, (_, i) => (i % 2 === 0 ? '235 X ID 2/2' : '234 X AN 1/48'));

const V4010: SegmentRule[] = [
  define('ST', 2, ['143 M ID 3/3', '329 M AN 4/9']),
  define('SE', 2, ['96 M N0 1/10', '329 M AN 4/9']),
  // 850 Purchase Order
  define('BEG', 12, ['353 M ID 2/2 purpose353', '92 M ID 2/2 poType92', '324 M AN 1/22', '328 O AN 1/30', '373 M DT 8/8', '367 O AN 1/30',
    '587 O ID 2/2', '1019 O ID 3/3', '1166 O ID 2/2', '1232 O ID 2/2', '786 O ID 2/2', '640 O ID 2/2']),
  define('CUR', 21, ['98 M ID 2/3 entity98', '100 M ID 3/3', '280 O R 4/10']),
  define('REF', 4, ['128 M ID 2/3', '127 X AN 1/30', '352 X AN 1/80', '-'], ['R0203']),
  define('PER', 9, ['366 M ID 2/2', '93 O AN 1/60', '365 X ID 2/2', '364 X AN 1/80', '365 X ID 2/2', '364 X AN 1/80', '365 X ID 2/2',
    '364 X AN 1/80', '443 O AN 1/20'], ['P0304', 'P0506', 'P0708']),
  define('FOB', 9, ['146 M ID 2/2']),
  define('ITD', 15, ['336 O ID 2/2', '333 O ID 1/2', '338 X R 1/6', '370 X DT 8/8', '351 X N0 1/3', '446 O DT 8/8', '386 O N0 1/3',
    '362 O N2 1/10', '388 O DT 8/8', '389 O N2 1/10', '342 X R 1/5', '352 O AN 1/80', '765 X N0 1/2', '107 X ID 1/1', '954 X R 1/10']),
  define('DTM', 6, ['374 M ID 3/3', '373 X DT 8/8', '337 X TM 4/8', '623 O ID 2/2', '1250 X ID 2/3', '1251 X AN 1/35'],
    ['R020305', 'C0403', 'P0506']),
  define('N9', 7, ['128 M ID 2/3', '127 X AN 1/30', '369 X AN 1/45'], ['R0203']),
  define('MSG', 3, ['933 M AN 1/264', '934 O ID 2/2', '1470 O N0 1/9']),
  define('N1', 6, ['98 M ID 2/3 entity98', '93 X AN 1/60', '66 X ID 1/2', '67 X AN 2/80', '706 O ID 2/2', '98 O ID 2/3'],
    ['R0203', 'P0304']),
  define('N2', 2, ['93 M AN 1/60', '93 O AN 1/60']),
  define('N3', 2, ['166 M AN 1/55', '166 O AN 1/55']),
  define('N4', 6, ['19 O AN 2/30', '156 O ID 2/2', '116 O ID 3/15', '26 O ID 2/3', '309 X ID 1/2', '310 O AN 1/30'], ['C0605']),
  define('PO1', 25, ['350 O AN 1/20', '330 X R 1/15', '355 O ID 2/2 unit355', '212 X R 1/17', '639 O ID 2/2', ...idPairs(20)],
    ['C0302', 'C0504', ...pairs(6, 25)]),
  define('PID', 9, ['349 M ID 1/1 description349', '750 O ID 2/3', '559 X ID 2/2', '751 X AN 1/12', '352 X AN 1/80', '752 O ID 2/3',
    '822 O AN 1/15', '1073 O ID 1/1', '819 O ID 2/3'], ['C0403', 'R0405']),
  define('PO4', 18, ['356 O N0 1/6', '357 X R 1/8', '355 X ID 2/2', '103 O ID 3/5', '187 X ID 1/2', '384 X R 1/9',
    '355 X ID 2/2', '385 X R 1/9', '355 X ID 2/2', '82 X R 1/8', '189 X R 1/8', '65 X R 1/8', '355 X ID 2/2',
    '810 O N0 1/6', '752 O ID 2/3', '350 O AN 1/20', '350 O AN 1/20', '1470 O N0 1/9'], ['C0302']),
  define('CTT', 7, ['354 M N0 1/6', '347 O R 1/10', '81 X R 1/10', '355 X ID 2/2', '183 X R 1/8', '355 X ID 2/2',
    '352 O AN 1/80'], ['P0304', 'P0506']),
  define('AMT', 3, ['522 M ID 1/3', '782 M R 1/18', '478 O ID 1/1']),
  define('PKG', 6, ['753 X ID 1/1', '754 O ID 2/3', '559 O ID 2/2', '754 X AN 1/7', '352 X AN 1/80', '400 O AN 1/25']),
  define('TD1', 10, ['103 O ID 3/5', '80 X N0 1/7', '23 O ID 1/1', '22 X AN 1/30', '79 O AN 1/50', '187 O ID 1/2', '81 X R 1/10',
    '355 X ID 2/2', '183 X R 1/8', '355 X ID 2/2']),
  define('TD5', 15, ['133 O ID 1/2', '66 X ID 1/2', '67 X AN 2/80', '91 X ID 1/2', '387 X AN 1/35']),
  define('TD3', 10, ['40 O ID 2/2', '206 O AN 1/4', '207 X AN 1/10']),
  define('SAC', 16, ['248 M ID 1/1', '1300 X ID 4/4']),
  define('CSH', 9, []),
  define('SCH', 12, ['380 M R 1/15', '355 M ID 2/2', '98 X ID 2/3', '93 X AN 1/60', '374 M ID 3/3', '373 M DT 8/8',
    '337 X TM 4/8', '374 X ID 3/3', '373 X DT 8/8', '337 X TM 4/8', '326 O AN 1/45', '350 O AN 1/20']),
  // 855 Purchase Order Acknowledgment
  define('BAK', 10, ['353 M ID 2/2 purpose353', '587 M ID 2/2', '324 M AN 1/22', '373 M DT 8/8', '328 O AN 1/30', '326 O AN 1/45',
    '367 O AN 1/30', '127 O AN 1/30', '373 O DT 8/8', '640 O ID 2/2']),
  define('ACK', 29, ['668 M ID 2/2', '380 X R 1/15', '355 X ID 2/2', '374 X ID 3/3', '373 X DT 8/8', '326 O AN 1/45',
    ...idPairs(20)], ['P0203', 'C0405']),
  // 860 Purchase Order Change Request - Buyer Initiated
  // BCH09 is the seller's order number (127), BCH10 the acknowledgment date, BCH11 the change request date.
  define('BCH', 16, ['353 M ID 2/2 purpose353', '92 M ID 2/2 poType92', '324 M AN 1/22', '328 O AN 1/30', '327 O AN 1/8',
    '373 M DT 8/8', '326 O AN 1/45', '367 O AN 1/30', '127 O AN 1/30', '373 O DT 8/8', '373 O DT 8/8', '1166 O ID 2/2',
    '786 O ID 2/2', '587 O ID 2/2', '640 O ID 2/2', '1232 O ID 2/2']),
  define('POC', 27, ['350 O AN 1/20', '670 M ID 2/2', '330 X R 1/15', '671 X R 1/15', '355 O ID 2/2', '212 X R 1/17',
    '639 O ID 2/2', ...idPairs(20)], pairs(8, 27)),
  // 856 Ship Notice/Manifest
  define('BSN', 7, ['353 M ID 2/2 purpose353', '396 M AN 2/30', '373 M DT 8/8', '337 M TM 4/8', '1005 O ID 4/4', '640 X ID 2/2',
    '641 O ID 3/3'], ['C0706']),
  define('HL', 4, ['628 M AN 1/12', '734 O AN 1/12', '735 M ID 1/2', '736 O ID 1/1']),
  define('LIN', 31, ['350 O AN 1/20', '235 M ID 2/2', '234 M AN 1/48', ...idPairs(28)], pairs(4, 31)),
  define('SN1', 8, ['350 O AN 1/20', '382 M R 1/10', '355 M ID 2/2 unit355', '646 O R 1/9', '330 X R 1/15', '355 X ID 2/2',
    '728 O R 1/9', '668 O ID 2/2'], ['P0506']),
  define('PRF', 7, ['324 M AN 1/22', '328 O AN 1/30', '327 O AN 1/8', '373 O DT 8/8', '350 O AN 1/20', '367 O AN 1/30', '92 O ID 2/2']),
  define('MEA', 10, ['737 O ID 2/2', '738 O ID 1/3', '739 X R 1/20']),
  // 810 Invoice
  define('BIG', 10, ['373 M DT 8/8', '76 M AN 1/22', '373 O DT 8/8', '324 O AN 1/22', '328 O AN 1/30', '327 O AN 1/8', '640 O ID 2/2',
    '353 O ID 2/2 purpose353', '306 O ID 1/2', '76 O AN 1/22']),
  define('IT1', 25, ['350 O AN 1/20', '358 X R 1/10', '355 X ID 2/2 unit355', '212 X R 1/17', '639 O ID 2/2', ...idPairs(20)],
    ['P020304', ...pairs(6, 25)]),
  define('TDS', 4, ['610 M N2 1/15', '610 O N2 1/15', '610 O N2 1/15', '610 O N2 1/15']),
  define('CAD', 9, ['91 O ID 1/2', '206 O AN 1/4', '207 O AN 1/10', '140 X ID 2/4', '387 X AN 1/35'], ['R0405']),
  define('ISS', 8, ['382 X R 1/10', '355 X ID 2/2', '81 X R 1/10', '355 X ID 2/2'], ['P0102', 'P0304']),
  define('TXI', 10, ['963 M ID 2/2', '782 X R 1/18', '954 X R 1/10']),
  define('NTE', 2, ['363 O ID 3/3', '352 M AN 1/80']),
  // 997 Functional Acknowledgment
  define('AK1', 2, ['479 M ID 2/2', '28 M N0 1/9']),
  define('AK2', 2, ['143 M ID 3/3', '329 M AN 4/9']),
  define('AK3', 4, ['721 M ID 2/3', '719 M N0 1/6', '447 O AN 1/4', '720 O ID 1/3 segmentError720']),
  define('AK4', 4, ['-', '725 O N0 1/4', '723 M ID 1/3 elementError723', '724 O AN 1/99']),
  define('AK5', 6, ['717 M ID 1/1 setAck717', '718 O ID 1/3 setError718', '718 O ID 1/3 setError718', '718 O ID 1/3 setError718',
    '718 O ID 1/3 setError718', '718 O ID 1/3 setError718']),
  define('AK9', 9, ['715 M ID 1/1 groupAck715', '97 M N0 1/6', '123 M N0 1/6', '2 M N0 1/6', '716 O ID 1/3 groupError716',
    '716 O ID 1/3 groupError716', '716 O ID 1/3 groupError716', '716 O ID 1/3 groupError716', '716 O ID 1/3 groupError716']),
];

/** What 005010 changes in these segments. */
const V5010: SegmentRule[] = [
  define('ST', 3, ['143 M ID 3/3', '329 M AN 4/9', '1705 O AN 1/35']),
  define('REF', 4, ['128 M ID 2/3', '127 X AN 1/50', '352 X AN 1/80', '-'], ['R0203']),
  define('PER', 9, ['366 M ID 2/2', '93 O AN 1/60', '365 X ID 2/2', '364 X AN 1/256', '365 X ID 2/2', '364 X AN 1/256', '365 X ID 2/2',
    '364 X AN 1/256', '443 O AN 1/20'], ['P0304', 'P0506', 'P0708']),
  define('N1', 6, ['98 M ID 2/3 entity98', '93 X AN 1/60', '66 X ID 1/2', '67 X AN 2/80', '706 O ID 2/2', '98 O ID 2/3'],
    ['R0203', 'P0304']),
  define('N4', 7, ['19 O AN 2/30', '156 X ID 2/2', '116 O ID 3/15', '26 X ID 2/3', '309 X ID 1/2', '310 O AN 1/30', '1715 X ID 1/3'],
    ['E0207', 'C0605', 'C0704']),
  define('AK1', 3, ['479 M ID 2/2', '28 M N0 1/9', '480 O AN 1/12']),
  define('AK2', 3, ['143 M ID 3/3', '329 M AN 4/9', '1705 O AN 1/35']),
  define('IK3', 4, ['721 M ID 2/3', '719 M N0 1/10', '447 O AN 1/4', '620 O ID 1/3 segmentError620']),
  define('IK4', 4, ['-', '725 O N0 1/4', '621 M ID 1/3 elementError621', '724 O AN 1/99']),
  define('IK5', 6, ['717 M ID 1/1 setAck717', '618 O ID 1/3 setError618', '618 O ID 1/3 setError618', '618 O ID 1/3 setError618',
    '618 O ID 1/3 setError618', '618 O ID 1/3 setError618']),
  define('CTX', 6, []),
];

function dictionary(...layers: SegmentRule[][]): ReadonlyMap<string, SegmentRule> {
  const map = new Map<string, SegmentRule>();
  for (const layer of layers) for (const rule of layer) map.set(rule.id, rule);
  return map;
}

export const SEGMENTS_004010 = dictionary(V4010);
export const SEGMENTS_005010 = dictionary(V4010, V5010);

/**
 * 004010's dictionary for the releases before it (002001-003070): element 373 (DT) was YYMMDD then, 6 digits;
 * 6 or 8 are taken, since partners on 003xxx releases sent CCYYMMDD too after 2000. DTM05 was the century (624,
 * N0 2/2) of DTM02, with 1250/1251 after it (7 elements, no P0506); the mappings pass DTM05 to $date as the
 * century. Everything else as 004010.
 */
export const SEGMENTS_BEFORE_004010: ReadonlyMap<string, SegmentRule> = new Map([
  ...[...SEGMENTS_004010].map(([id, rule]): [string, SegmentRule] => [id, {
    ...rule, elements: rule.elements.map((e) => (e?.type === 'DT' ? { ...e, min: 6 } : e)),
  }]),
  ['DTM', define('DTM', 7, ['374 M ID 3/3', '373 X DT 6/8', '337 X TM 4/8', '623 O ID 2/2', '624 O N0 2/2', '1250 X ID 2/3', '1251 X AN 1/35'],
    ['C0403', 'P0607'])],
]);

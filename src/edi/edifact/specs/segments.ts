/**
 * Element definitions of the segments the mappings read and of the service segments, per directory family
 * (D.96A/D.96B/D.97B share them; D.01B differs where noted), from the UNTDID segment directories (EDSD) and ISO 9735.
 * Notation: elements separated by `|`; a simple element `TAG M|C an..35` (or `n..15`, `a1`, `an3` for a fixed
 * length); a composite `TAG M|C [component, component, ...]`. Segments not listed are checked for structure only.
 */
import { type ElementDef, parseSegmentDefs } from './structure.js';

const COMMON: Record<string, string> = {
  DTM: 'C507 M [2005 M an..3, 2380 C an..35, 2379 C an..3]',
  FTX: '4451 M an..3 | 4453 C an..3 | C107 C [4441 M an..17, 1131 C an..17, 3055 C an..3] | C108 C [4440 M an..512, 4440 C an..512, 4440 C an..512, 4440 C an..512, 4440 C an..512] | 3453 C an..3',
  LIN: '1082 C an..6 | 1229 C an..3 | C212 C [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3] | C829 C [5495 M an..3, 1082 C an..6] | 1222 C n..2 | 7083 C an..3',
  PIA: '4347 M an..3 | C212 M [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3] | C212 C [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3] | C212 C [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3] | C212 C [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3] | C212 C [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3]',
  IMD: '7077 C an..3 | C272 C [7081 C an..3, 1131 C an..17, 3055 C an..3] | C273 C [7009 C an..17, 1131 C an..17, 3055 C an..3, 7008 C an..256, 7008 C an..256, 3453 C an..3] | 7383 C an..3',
  PRI: 'C509 C [5125 M an..3, 5118 C n..15, 5375 C an..3, 5387 C an..3, 5284 C n..9, 6411 C an..3] | 5213 C an..3',
  CUX: 'C504 C [6347 M an..3, 6345 C an..3, 6343 C an..3, 6348 C n..4] | C504 C [6347 M an..3, 6345 C an..3, 6343 C an..3, 6348 C n..4] | 5402 C n..12 | 6341 C an..3',
  UNS: '0081 M a1 {D,S}',
  CNT: 'C270 M [6069 M an..3, 6066 M n..18, 6411 C an..3]',
  TAX: '5283 M an..3 | C241 C [5153 C an..6, 1131 C an..17, 3055 C an..3, 5152 C an..35] | C533 C [5289 M an..6, 1131 C an..17, 3055 C an..3] | 5286 C an..15 | C243 C [5279 C an..7, 1131 C an..17, 3055 C an..3, 5278 C an..17] | 5305 C an..3 | 3446 C an..20',
  ALC: '5463 M an..3 | C552 C [1230 C an..35, 5189 C an..3] | 4471 C an..3 | 1227 C an..3 | C214 C [7161 C an..3, 1131 C an..17, 3055 C an..3, 7160 C an..35, 7160 C an..35]',
  ALI: '3239 C an..3 | 9213 C an..3 | 4183 C an..3 | 4183 C an..3 | 4183 C an..3 | 4183 C an..3 | 4183 C an..3',
};

const NAD_PARTS = '3035 M an..3 | C082 C [3039 M an..35, 1131 C an..17, 3055 C an..3] | C058 C [3124 M an..35, 3124 C an..35, 3124 C an..35, 3124 C an..35, 3124 C an..35] | C080 C [3036 M an..35, 3036 C an..35, 3036 C an..35, 3036 C an..35, 3036 C an..35, 3045 C an..3] | C059 C [3042 M an..35, 3042 C an..35, 3042 C an..35, 3042 C an..35] | 3164 C an..35';

/** D.96A, D.96B, D.97B. */
const D96: Record<string, string> = {
  ...COMMON,
  BGM: 'C002 C [1001 C an..3, 1131 C an..17, 3055 C an..3, 1000 C an..35] | 1004 C an..35 | 1225 C an..3 | 4343 C an..3',
  NAD: `${NAD_PARTS} | 3229 C an..9 | 3251 C an..9 | 3207 C an..3`,
  QTY: 'C186 M [6063 M an..3, 6060 M n..15, 6411 C an..3]',
  MOA: 'C516 M [5025 M an..3, 5004 C n..18, 6345 C an..3, 6343 C an..3, 4405 C an..3]',
  RFF: 'C506 M [1153 M an..3, 1154 C an..35, 1156 C an..6, 4000 C an..35]',
  CPS: '7164 M an..12 | 7166 C an..12 | 7075 C an..3',
};

/** D.01B (EANCOM 2002): BGM C106, NAD C819 and 3251 an..17, QTY 6060 an..35, MOA 5004 n..35, RFF 1154 an..70. */
const D01B: Record<string, string> = {
  ...COMMON,
  BGM: 'C002 C [1001 C an..3, 1131 C an..17, 3055 C an..3, 1000 C an..35] | C106 C [1004 C an..35, 1056 C an..9, 1060 C an..6] | 1225 C an..3 | 4343 C an..3',
  NAD: `${NAD_PARTS} | C819 C [3229 C an..9, 1131 C an..17, 3055 C an..3, 3228 C an..70] | 3251 C an..17 | 3207 C an..3`,
  QTY: 'C186 M [6063 M an..3, 6060 M an..35, 6411 C an..3]',
  MOA: 'C516 M [5025 M an..3, 5004 C n..35, 6345 C an..3, 6343 C an..3, 4405 C an..3]',
  RFF: 'C506 M [1153 M an..3, 1154 C an..70, 1156 C an..6, 4000 C an..35, 1060 C an..6]',
  CPS: '7164 M an..35 | 7166 C an..35 | 7075 C an..3',
};

/** The service segments inside a message (ISO 9735 syntax version 3; version 4 adds elements, read the same). */
const SERVICE: Record<string, string> = {
  UNH: '0062 M an..14 | S009 M [0065 M an..6, 0052 M an..3, 0054 M an..3, 0051 M an..2, 0057 C an..6] | 0068 C an..35 | S010 C [0070 M n..2, 0073 C a1]',
  UNT: '0074 M n..6 | 0062 M an..14',
  UCI: '0020 M an..14 | S002 M [0004 M an..35, 0007 C an..4, 0008 C an..14] | S003 M [0010 M an..35, 0007 C an..4, 0014 C an..14] | 0083 M an..3 {4,7,8} | 0085 C an..3 | 0013 C an..3 | S011 C [0098 M n..3, 0104 C n..3]',
  UCM: '0062 M an..14 | S009 M [0065 M an..6, 0052 M an..3, 0054 M an..3, 0051 M an..2, 0057 C an..6] | 0083 M an..3 {4,7} | 0085 C an..3 | 0013 C an..3 | S011 C [0098 M n..3, 0104 C n..3]',
  UCS: '0096 M n..6 | 0085 C an..3',
  UCD: '0085 M an..3 | S011 M [0098 M n..3, 0104 C n..3]',
  UCF: '0048 M an..14 | S006 C [0040 M an..35, 0007 C an..4] | S007 C [0044 M an..35, 0007 C an..4] | 0083 M an..3 {4,7} | 0085 C an..3 | 0013 C an..3 | S011 C [0098 M n..3, 0104 C n..3]',
};

export type SegmentDefs = Record<string, ElementDef[]>;

export const SEGMENTS_D96: SegmentDefs = parseSegmentDefs({ ...D96, ...SERVICE });
export const SEGMENTS_D01B: SegmentDefs = parseSegmentDefs({ ...D01B, ...SERVICE });
export const SEGMENTS_SERVICE: SegmentDefs = parseSegmentDefs(SERVICE);

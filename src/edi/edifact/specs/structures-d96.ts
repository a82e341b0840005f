/**
 * Message structures of the UN/EDIFACT directories D.96A (and D.96B ORDERS, D.97B INVOIC, the directories of the
 * real documents in fixtures/edifact/), transcribed from the UNTDID message structure tables: one line per segment,
 * `TAG min max`; a segment followed by more deeply indented lines starts a segment group (its min/max are the
 * group's; the trigger itself is mandatory once in each repetition), exactly as the directory's "Segment group n
 * C 99 / NAD M 1" rows read. Parsed once by ./structure.ts.
 */

const ALC_BLOCK = (indent: string, max: number): string => `
${indent}ALC 0 ${max}
${indent}  ALI 0 5
${indent}  DTM 0 5
${indent}  QTY 0 1
${indent}    RNG 0 1
${indent}  PCD 0 1
${indent}    RNG 0 1
${indent}  MOA 0 2
${indent}    RNG 0 1
${indent}  RTE 0 1
${indent}    RNG 0 1
${indent}  TAX 0 5
${indent}    MOA 0 1`;

const PARTY_BLOCK = (indent: string, nadMax: number, locMax: number, rffMax: number): string => `
${indent}NAD 0 ${nadMax}
${indent}  LOC 0 ${locMax}
${indent}  FII 0 5
${indent}  RFF 0 ${rffMax}
${indent}    DTM 0 5
${indent}  DOC 0 5
${indent}    DTM 0 5
${indent}  CTA 0 5
${indent}    COM 0 5`;

const LINE_PARTY_BLOCK = (indent: string, nadMax: number): string => `
${indent}NAD 0 ${nadMax}
${indent}  LOC 0 5
${indent}  RFF 0 5
${indent}    DTM 0 5
${indent}  DOC 0 5
${indent}    DTM 0 5
${indent}  CTA 0 5
${indent}    COM 0 5`;

/** ORDERS and ORDCHG share most of their structure in D.96A/D.96B; `variant` adds what differs. */
function ordersLike(v: { headerRff: number; ajt: boolean; linMea: number; linRff: number }): string {
  return `
UNH 1 1
BGM 1 1
DTM 1 35
PAI 0 1
ALI 0 5
IMD 0 1
FTX 0 99
RFF 0 ${v.headerRff}
  DTM 0 5${v.ajt ? `
AJT 0 1
  FTX 0 5` : ''}${PARTY_BLOCK('', 99, 25, 10)}
TAX 0 5
  MOA 0 1
  LOC 0 5
CUX 0 5
  PCD 0 5
  DTM 0 5
PAT 0 10
  DTM 0 5
  PCD 0 1
  MOA 0 1
TDT 0 10
  LOC 0 10
    DTM 0 5
TOD 0 5
  LOC 0 2
PAC 0 10
  MEA 0 5
  PCI 0 5
    RFF 0 1
    DTM 0 5
    GIN 0 10
EQD 0 10
  HAN 0 5
  MEA 0 5
  FTX 0 5
SCC 0 10
  FTX 0 5
  RFF 0 5
  QTY 0 10
    DTM 0 5
APR 0 25
  DTM 0 5
  RNG 0 1${ALC_BLOCK('', 15)}
RCS 0 100
  RFF 0 5
  DTM 0 5
  FTX 0 5
LIN 0 200000
  PIA 0 25
  IMD 0 99
  MEA 0 ${v.linMea}
  QTY 0 10
  PCD 0 5
  ALI 0 5
  DTM 0 35
  MOA 0 10
  GIN 0 1000
  GIR 0 1000
  QVR 0 1
  DOC 0 5
  PAI 0 1
  FTX 0 99
  CCI 0 999
    CAV 0 10
    MEA 0 10
  PAT 0 10
    DTM 0 5
    PCD 0 1
    MOA 0 1${v.ajt ? `
  AJT 0 1
    FTX 0 5` : ''}
  PRI 0 25
    CUX 0 1
    APR 0 1
    RNG 0 1
    DTM 0 5
  RFF 0 ${v.linRff}
    DTM 0 5
  PAC 0 10
    MEA 0 5
    QTY 0 5
    DTM 0 5
    RFF 0 1
      DTM 0 5
    PCI 0 5
      RFF 0 1
      DTM 0 5
      GIN 0 10
  LOC 0 9999
    QTY 0 1
    DTM 0 5
  TAX 0 10
    MOA 0 1
    LOC 0 5${LINE_PARTY_BLOCK('  ', v.ajt ? 10 : 99)}${ALC_BLOCK('  ', 99)}
  TDT 0 10
    LOC 0 10
      DTM 0 5
  TOD 0 5
    LOC 0 2
  EQD 0 10
    HAN 0 5
    MEA 0 5
    FTX 0 5
  SCC 0 100
    FTX 0 5
    RFF 0 5
    QTY 0 10
      DTM 0 5
  RCS 0 100
    RFF 0 5
    DTM 0 5
    FTX 0 5
  STG 0 10
    QTY 0 3
      MOA 0 1
UNS 1 1
MOA 0 12
CNT 0 10
ALC 0 10
  ALI 0 1
  MOA 1 2
UNT 1 1`;
}

export const ORDERS_D96A = ordersLike({ headerRff: 10, ajt: false, linMea: 5, linRff: 10 });
export const ORDERS_D96B = ordersLike({ headerRff: 99, ajt: false, linMea: 99, linRff: 999 });
export const ORDCHG_D96A = ordersLike({ headerRff: 10, ajt: true, linMea: 5, linRff: 999 });

/** INVOIC D.96A; D.97B adds LOC/GIS/DGS in the header, the RFF group's members, TSR, EQD/SEL and FTX in ALC. */
function invoic(v: { d97b: boolean }): string {
  const b = v.d97b;
  return `
UNH 1 1
BGM 1 1
DTM 1 35
PAI 0 1
ALI 0 5
IMD 0 1
FTX 0 10${b ? `
LOC 0 10
GIS 0 10
DGS 0 1` : ''}
RFF 0 99
  DTM 0 5${b ? `
  GIR 0 5
  LOC 0 2
  MEA 0 5
  QTY 0 2
  FTX 0 5
  MOA 0 2` : ''}${PARTY_BLOCK('', 99, 25, 9999)}
TAX 0 5
  MOA 0 1
  LOC 0 5
CUX 0 5
  DTM 0 5
PAT 0 10
  DTM 0 5
  PCD 0 1
  MOA 0 1
  PAI 0 1
  FII 0 1
TDT 0 10${b ? `
  TSR 0 1` : ''}
  LOC 0 10
    DTM 0 5
  RFF 0 9999
    DTM 0 5
TOD 0 5
  LOC 0 2${b ? `
EQD 0 99
  SEL 0 9` : ''}
PAC 0 1000
  MEA 0 5${b ? `
  EQD 0 1` : ''}
  PCI 0 5
    RFF 0 1
    DTM 0 5
    GIN 0 5
ALC 0 9999
  ALI 0 5${b ? `
  FTX 0 1` : ''}
  RFF 0 5
    DTM 0 5
  QTY 0 1
    RNG 0 1
  PCD 0 1
    RNG 0 1
  MOA 0 2
    RNG 0 1${b ? `
    CUX 0 1
    DTM 0 1` : ''}
  RTE 0 1
    RNG 0 1
  TAX 0 5
    MOA 0 1
RCS 0 100
  RFF 0 5
  DTM 0 5
  FTX 0 5
AJT 0 1
  FTX 0 5
INP 0 1
  FTX 0 5
LIN 0 9999999
  PIA 0 25
  IMD 0 10
  MEA 0 5
  QTY 0 5
  PCD 0 1
  ALI 0 5
  DTM 0 35
  GIN 0 1000
  GIR 0 1000
  QVR 0 1
  EQD 0 1
  FTX 0 5${b ? `
  DGS 0 1` : ''}
  MOA 0 ${b ? 10 : 5}
    CUX 0 1
  PAT 0 10
    DTM 0 5
    PCD 0 1
    MOA 0 1
  PRI 0 25${b ? `
    CUX 0 1` : ''}
    APR 0 1
    RNG 0 1
    DTM 0 5
  RFF 0 10
    DTM 0 5
  PAC 0 10
    MEA 0 10${b ? `
    EQD 0 1` : ''}
    PCI 0 10
      RFF 0 1
      DTM 0 5
      GIN 0 10
  LOC 0 9999
    QTY 0 100
    DTM 0 5
  TAX 0 99
    MOA 0 1
    LOC 0 5${LINE_PARTY_BLOCK('  ', b ? 99 : 20)}
  ALC 0 ${b ? 30 : 15}
    ALI 0 5
    DTM 0 5${b ? `
    FTX 0 1` : ''}
    QTY 0 1
      RNG 0 1
    PCD 0 1
      RNG 0 1
    MOA 0 2
      RNG 0 1${b ? `
      CUX 0 1
      DTM 0 1` : ''}
    RTE 0 1
      RNG 0 1
    TAX 0 5
      MOA 0 1
  TDT 0 10
    LOC 0 10
      DTM 0 5
  TOD 0 5
    LOC 0 2
  RCS 0 100
    RFF 0 5
    DTM 0 5
    FTX 0 5${b ? `
  GIS 0 10
    RFF 0 1
    DTM 0 5
    GIR 0 5
    LOC 0 2
    MEA 0 5
    QTY 0 2
    FTX 0 5
    MOA 0 2` : ''}
UNS 1 1
CNT 0 10
MOA 1 100
  RFF 0 1
    DTM 0 5
TAX 0 10
  MOA 0 2
ALC 0 15
  ALI 0 1
  MOA 0 2${b ? `
  FTX 0 1` : ''}
UNT 1 1`;
}

export const INVOIC_D96A = invoic({ d97b: false });
export const INVOIC_D97B = invoic({ d97b: true });

export const DESADV_D96A = `
UNH 1 1
BGM 1 1
DTM 0 10
ALI 0 5
MEA 0 5
MOA 0 5
RFF 0 10
  DTM 0 1
NAD 0 10
  LOC 0 10
  RFF 0 10
    DTM 0 1
  CTA 0 10
    COM 0 5
TOD 0 10
  LOC 0 5
  FTX 0 5
TDT 0 10
  PCD 0 6
  LOC 0 10
    DTM 0 10
EQD 0 10
  MEA 0 5
  SEL 0 25
  EQA 0 5
  HAN 0 10
    FTX 0 10
CPS 0 9999
  FTX 0 5
  PAC 0 9999
    MEA 0 10
    QTY 0 10
    HAN 0 10
      FTX 0 10
    PCI 0 1000
      RFF 0 1
      DTM 0 5
      GIR 0 99
      GIN 0 99
        DLM 0 10
  LIN 0 9999
    PIA 0 10
    IMD 0 25
    MEA 0 10
    QTY 0 10
    ALI 0 10
    GIN 0 100
    GIR 0 100
    DLM 0 100
    DTM 0 5
    FTX 0 5
    MOA 0 5
    RFF 0 10
      DTM 0 1
    DGS 0 10
      QTY 0 1
      FTX 0 5
    LOC 0 100
      NAD 0 1
      DTM 0 1
      QTY 0 10
    SGP 0 1000
      QTY 0 10
    PCI 0 9999
      DTM 0 5
      MEA 0 10
      QTY 0 1
      GIN 0 10
        DLM 0 100
      HAN 0 10
        FTX 0 5
        GIN 0 1000
    QVR 0 10
      DTM 0 5
CNT 0 5
UNT 1 1`;

/**
 * ORDRSP D.96A, the purchase order response (issue 12: the hub sends it for a customer's confirmed order). The
 * UNTDID D.96A ORDRSP segment table is laid out as ORDCHG's: it answers an ORDERS or an ORDCHG and carries the
 * AJT-FTX adjustment group after the header RFF group. Its header up to the party group (SG1 RFF-DTM C 10, SG2
 * AJT-FTX C 1, SG3 NAD C 99 with LOC 25, FII 5, SG4 RFF 10, SG5 DOC 5, SG6 CTA 5, SG7 TAX 5, SG8 CUX 5, SG9 PAT 10)
 * was checked against a published D.96A ORDRSP implementation guide's segment table; the rest is ORDCHG D.96A's
 * table, not checked line by line against the ORDRSP one (no copy of it was at hand).
 */
export const ORDRSP_D96A = ORDCHG_D96A;

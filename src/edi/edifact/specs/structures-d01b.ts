/**
 * Message structures of the UN/EDIFACT directory D.01B (the directory of EANCOM 2002), transcribed from the UNTDID
 * message structure tables in the notation of ./structures-d96.ts: `TAG min max`, deeper indentation = the members of
 * the segment group the line above starts.
 */

const ALC_BLOCK = (indent: string, max: number, taxMoa: number): string => `
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
${indent}    MOA 0 ${taxMoa}`;

function ordersLike(v: { ordchg: boolean }): string {
  const c = v.ordchg;
  return `
UNH 1 1
BGM 1 1
DTM 1 35
PAI 0 1
ALI 0 5
IMD 0 999
FTX 0 99
GIR 0 10
RFF 0 9999
  DTM 0 5${c ? `
AJT 0 1
  FTX 0 5` : ''}
NAD 0 99
  LOC 0 99
  FII 0 5
  RFF 0 99
    DTM 0 5
  DOC 0 5
    DTM 0 5
  CTA 0 5
    COM 0 5
TAX 0 5
  MOA 0 1
  LOC 0 ${c ? 5 : 9}
CUX 0 5
  PCD 0 5
  DTM 0 5
PAT 0 10
  DTM 0 5
  PCD 0 1
  MOA 0 9999
    GIR 0 9
    RJL 0 99
TDT 0 10
  LOC 0 10
    DTM 0 5
TOD 0 5
  LOC 0 2
PAC 0 99
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
  RNG 0 1${ALC_BLOCK('', 99, 1)}
RCS 0 999
  RFF 0 5
  DTM 0 5
  FTX 0 99999${c ? '' : `
DGS 0 999
  FTX 0 5
  CTA 0 99
    COM 0 5`}
LIN 0 200000
  PIA 0 25
  IMD 0 99
  MEA 0 99
  QTY 0 99
  PCD 0 5
  ALI 0 5
  DTM 0 35
  MOA 0 10
  GIS 0 99
  GIN 0 1000
  GIR 0 1000
  QVR 0 1
  DOC 0 99
  PAI 0 1
  MTD 0 99
  FTX 0 99
  CCI 0 999
    CAV 0 10
    MEA 0 10
  PAT 0 10
    DTM 0 5
    PCD 0 1
    MOA 0 9999
      GIR 0 9${c ? `
  AJT 0 1
    FTX 0 5` : ''}
  PRI 0 25
    CUX 0 1
    APR 0 ${c ? 1 : 99}
    RNG 0 1
    DTM 0 5
  RFF 0 9999
    DTM 0 5${c ? '' : `
    GIS 0 99
    MOA 0 99`}
  PAC 0 99
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
    QTY 0 1${c ? '' : `
    PCD 0 1`}
    DTM 0 5
  TAX 0 10
    MOA 0 1
    LOC 0 5
  NAD 0 999
    LOC 0 5
    FII 0 5
    RFF 0 99
      DTM 0 5
    DOC 0 5
      DTM 0 5
    CTA 0 5
      COM 0 5${ALC_BLOCK('  ', 99, 1)}
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
  RCS 0 999
    RFF 0 5
    DTM 0 5
    FTX 0 99999
  STG 0 10
    QTY 0 3
      MOA 0 1${c ? '' : `
  DGS 0 999
    FTX 0 5
    CTA 0 99
      COM 0 5`}
UNS 1 1
MOA 0 ${c ? 12 : 99}
CNT 0 10
ALC 0 10
  ALI 0 1
  MOA 1 2
UNT 1 1`;
}

export const ORDERS_D01B = ordersLike({ ordchg: false });
export const ORDCHG_D01B = ordersLike({ ordchg: true });

export const INVOIC_D01B = `
UNH 1 1
BGM 1 1
DTM 1 35
PAI 0 1
ALI 0 5
IMD 0 1
FTX 0 99
LOC 0 10
GIS 0 10
DGS 0 1
GIR 0 10
RFF 0 99999
  DTM 0 5
  GIR 0 5
  LOC 0 2
  MEA 0 5
  QTY 0 2
  FTX 0 5
  MOA 0 2
  RTE 0 99
NAD 0 99
  LOC 0 25
  FII 0 5
  MOA 0 99
  RFF 0 9999
    DTM 0 5
  DOC 0 5
    DTM 0 5
  CTA 0 5
    COM 0 5
TAX 0 5
  MOA 0 1
  LOC 0 5
CUX 0 99
  DTM 0 5
PAT 0 10
  DTM 0 5
  PCD 0 1
  MOA 0 1
  PAI 0 1
  FII 0 1
TDT 0 10
  TSR 0 1
  LOC 0 10
    DTM 0 5
  RFF 0 9999
    DTM 0 5
TOD 0 5
  LOC 0 2
EQD 0 99
  SEL 0 9
PAC 0 1000
  MEA 0 5
  EQD 0 1
  PCI 0 5
    RFF 0 1
    DTM 0 5
    GIN 0 5
ALC 0 9999
  ALI 0 5
  FTX 0 1
  RFF 0 5
    DTM 0 5
  QTY 0 1
    RNG 0 1
  PCD 0 1
    RNG 0 1
  MOA 0 2
    RNG 0 1
    CUX 0 1
    DTM 0 1
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
  PGI 0 99
  IMD 0 99
  MEA 0 5
  QTY 0 5
  PCD 0 1
  ALI 0 5
  DTM 0 35
  GIN 0 1000
  GIR 0 1000
  QVR 0 1
  EQD 0 1
  FTX 0 99
  DGS 0 1
  MOA 0 99
    CUX 0 1
  PAT 0 10
    DTM 0 5
    PCD 0 99
    MOA 0 1
  PRI 0 25
    CUX 0 1
    APR 0 1
    RNG 0 1
    DTM 0 5
  RFF 0 10
    DTM 0 5
  PAC 0 10
    MEA 0 10
    EQD 0 1
    PCI 0 10
      RFF 0 1
      DTM 0 5
      GIN 0 10
  LOC 0 9999
    QTY 0 100
    DTM 0 5
  TAX 0 99
    MOA 0 2
    LOC 0 5
  NAD 0 99
    LOC 0 5
    FII 0 5
    RFF 0 5
      DTM 0 5
    DOC 0 5
      DTM 0 5
    CTA 0 5
      COM 0 5
  ALC 0 30
    ALI 0 5
    DTM 0 5
    FTX 0 1
    QTY 0 1
      RNG 0 1
    PCD 0 1
      RNG 0 1
    MOA 0 2
      RNG 0 1
      CUX 0 1
      DTM 0 1
    RTE 0 1
      RNG 0 1
    TAX 0 5
      MOA 0 2
  TDT 0 10
    LOC 0 10
      DTM 0 5
  TOD 0 5
    LOC 0 2
  RCS 0 100
    RFF 0 5
    DTM 0 5
    FTX 0 5
  GIS 0 10
    RFF 0 1
    DTM 0 5
    GIR 0 5
    LOC 0 2
    MEA 0 5
    QTY 0 2
    FTX 0 5
    MOA 0 2
UNS 1 1
CNT 0 10
MOA 1 100
  RFF 0 1
    DTM 0 5
TAX 0 10
  MOA 0 9
ALC 0 15
  ALI 0 1
  MOA 0 2
  FTX 0 1
UNT 1 1`;

export const DESADV_D01B = `
UNH 1 1
BGM 1 1
DTM 0 10
ALI 0 5
MEA 0 5
MOA 0 5
CUX 0 9
RFF 0 10
  DTM 0 1
NAD 0 99
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
  TMD 0 1
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
  QVR 0 9
  PAC 0 9999
    MEA 0 10
    QTY 0 10
    HAN 0 10
      FTX 0 10
    PCI 0 1000
      RFF 0 1
      DTM 0 5
      GIR 0 99
        DTM 0 5
      GIN 0 99
        DLM 0 10
      COD 0 99
        MEA 0 9
        QTY 0 9
        PCD 0 9
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
    NAD 0 99
    TDT 0 1
    TMD 0 1
    HAN 0 20
    FTX 0 99
    MOA 0 5
    RFF 0 99
      NAD 0 1
      CTA 0 1
      DTM 0 1
    DGS 0 9999
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

/** CONTRL (syntax versions 2 and 3, message version D:3 and 2:2): the acknowledgement itself. */
export const CONTRL_V3 = `
UNH 1 1
UCI 1 1
UCM 0 999999
  UCS 0 999
    UCD 0 99
UCF 0 999999
  UCM 0 999999
    UCS 0 999
      UCD 0 99
UNT 1 1`;

/**
 * ORDRSP D.01B (EANCOM 2002's directory), laid out as ORDCHG D.01B's table for the same reason as ORDRSP D.96A
 * (./structures-d96.ts): the response mirrors the change request it may answer. Taken from ORDCHG D.01B, not
 * checked line by line against the UNTDID D.01B ORDRSP table (no copy of it was at hand).
 */
export const ORDRSP_D01B = ORDCHG_D01B;

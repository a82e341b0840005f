/**
 * Code lists checked for the ID elements the hub's mappings read (and the acknowledgement codes, so an incoming
 * 997/999 can be read). Lists the X12 dictionary keeps open-ended and very long (98 entity identifiers, 355 units,
 * 235 product qualifiers, 374 date qualifiers, 735 hierarchical levels) are limited here to the codes in use in
 * retail, distribution and manufacturing guides; a code outside the list is reported as AK403 7 only where the
 * element's rule names the list. Add a partner-agreed code here rather than turning the check off.
 */

const list = (codes: string): ReadonlySet<string> => new Set(codes.trim().split(/\s+/));

export const CODE_LISTS: Readonly<Record<string, ReadonlySet<string>>> = {
  /** 353 Transaction Set Purpose Code (BEG01, BSN01, BCH01, BAK01, BIG08). */
  purpose353: list(`00 01 02 03 04 05 06 07 08 10 11 12 13 14 15 16 17 18 19 20 21 22 24 25 26 27 28 30 31 32 33 34 35
    36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 5C 77 CN CO EX GR PR RH RV SU ZZ`),
  /** 92 Purchase Order Type Code (BEG02, BCH02). */
  poType92: list(`BE BK BL BY CF CN CO CP DR DS EO IN IR KB KC KN KO LB LS NE NP NS OS PR RC RE RL RO RR RT SA SD SO
    SP SS ST SW TR UD WO ZZ`),
  /** 98 Entity Identifier Code (N101, CUR01). */
  entity98: list(`AG BG BO BS BT BU BY CA CB CN DA DB DS DU EN EX FR FW IA IC II LP LW MA MF MP OB OT PD PE PF PJ PK
    PN PR PW RC RE RI RL RT SB SE SF SH SJ SK SN SO ST SU TO UD VN WH Z7 ZZ 1P 2I 31 40 41 45 77`),
  /**
   * 355 Unit or Basis for Measurement Code, checked where the mappings read a line's quantity unit (PO103, IT103,
   * SN103): the units the real samples use and the common units of retail, distribution and manufacturing guides.
   * The list has over a thousand codes (01 Actual Pounds, LR Layers …), so the other unit elements (PO4, CTT,
   * TD1, ACK, SCH) are only checked for form.
   */
  unit355: list(`AM AV BA BD BE BG BI BL BN BO BR BX CA CC CF CG CH CL CM CN CO CQ CR CT CU CY DA DR DZ EA FT GA GR GS
    HR IN JR KE KG KI KT LB LR LF LM LO LT LY MG ML MM MO MR OZ PA PC PF PH PK PL PR PT QT RD RL RM SF SH SM SP ST SX SY
    TB TK TN TY UN VI WK YD YR`),
  /** 349 Item Description Type (PID01). */
  description349: list('F S X'),
  /** 715 Functional Group Acknowledge Code (AK901). */
  groupAck715: list('A E M P R W X'),
  /** 717 Transaction Set Acknowledgment Code (AK501 / IK501). */
  setAck717: list('A E M R W X'),
  /** 716 Functional Group Syntax Error Code (AK905..AK909). */
  groupError716: list('1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26'),
  /** 718 Transaction Set Syntax Error Code (AK502..AK506). */
  setError718: list('1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27'),
  /** 618 Implementation Transaction Set Syntax Error Code (IK502..IK506). */
  setError618: list('1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 I5 I6'),
  /** 720 Segment Syntax Error Code (AK304). */
  segmentError720: list('1 2 3 4 5 6 7 8'),
  /** 620 Implementation Segment Syntax Error Code (IK304). */
  segmentError620: list('1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9'),
  /** 723 Data Element Syntax Error Code (AK403). */
  elementError723: list('1 2 3 4 5 6 7 8 9 10 12 13'),
  /** 621 Implementation Data Element Syntax Error Code (IK403). */
  elementError621: list('1 2 3 4 5 6 7 8 9 10 12 13 I10 I11 I12 I13 I6 I9'),
};

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { checkCanonical } from '../../../src/canonical/check.js';
import { formatOfTransaction } from '../../../src/formats/edi.js';
import { build997, build999, buildTA1, read997, readX12 } from '../../../src/edi/x12/index.js';
import { EdiSyntaxError, type EdiInterchange, type EdiProblem } from '../../../src/edi/types.js';
import { strictEnvelope } from '../../../src/edi/warnings.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { loadMappingFile } from '../../../src/mapping/mapping-file.js';
import { projectRoot } from '../../../src/mapping/paths.js';

const root = projectRoot();
const dir = path.join(root, 'fixtures', 'x12');
const fixture = (name: string): string => readFileSync(path.join(dir, name), 'latin1');
const numbers = { interchange: 1001, group: 2001, transaction: 3001 };
const now = new Date('2026-12-02T10:30:00Z');

function allProblems(ic: EdiInterchange): EdiProblem[] {
  return [...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])];
}
const codes = (problems: EdiProblem[]): string[] => problems.map((p) => `${p.level}:${p.code}`);

/** Segments of an X12 text (terminator known), without CR/LF around them. */
function segmentsOf(text: string, terminator: string): string[] {
  return text.split(terminator).map((s) => s.replace(/^[\r\n]+|[\r\n]+$/g, '')).filter((s) => s !== '');
}

/** Compares an acknowledgement with the hand-written one, segment by segment, ignoring ISA09/10 and GS04/05. */
function expectSameAck(actual: string, expectedFile: string, element = '*', terminator = '~'): void {
  const mask = (segment: string): string => {
    const parts = segment.split(element);
    if (parts[0] === 'ISA') { parts[9] = 'DATE'; parts[10] = 'TIME'; }
    if (parts[0] === 'GS') { parts[4] = 'DATE'; parts[5] = 'TIME'; }
    return parts.join(element);
  };
  const expected = segmentsOf(readFileSync(path.join(dir, 'expected', expectedFile), 'latin1'), terminator).map(mask);
  const got = segmentsOf(actual, terminator).map(mask);
  expected.forEach((segment, i) => expect(got[i], `segment ${i + 1} of ${expectedFile}`).to.equal(segment));
  expect(got.length, `segments in ${expectedFile}`).to.equal(expected.length);
}

describe('X12 reader', () => {
  it('reads the ISA delimiters, parties and envelope of a clean 850 (004010VICS)', () => {
    const ic = readX12(fixture('node-x12-850.edi'));
    expect(ic.syntax).to.equal('x12');
    expect(ic.delimiters).to.deep.equal({ segment: '~', element: '*', component: '>' });
    expect(ic.sender).to.deep.equal({ qualifier: '12', id: '4405197800' });
    expect(ic.receiver).to.deep.equal({ qualifier: '01', id: '999999999' });
    expect([ic.controlNumber, ic.syntaxVersion, ic.date, ic.time, ic.test, ic.ackRequested]).to.deep.equal(['000003438', '00400', '101127', '1719', false, false]);
    expect(allProblems(ic)).to.deep.equal([]);
    const [group] = ic.groups;
    expect([group!.functionalId, group!.controlNumber, group!.version, group!.sender, group!.receiver]).to.deep.equal(['PO', '1421', '004010VICS', '4405197800', '999999999']);
    const tx = group!.transactions[0]!;
    expect([tx.setId, tx.controlNumber, tx.version, tx.segments.length]).to.deep.equal(['850', '000000010', '004010VICS', 33]);
    const text = fixture('node-x12-850.edi');
    expect(text.slice(tx.start, tx.end)).to.match(/^ST\*850\*000000010~[\s\S]*SE\*33\*000000010~$/);
    expect(tx.segments[1]).to.include({ id: 'BEG', line: 4 });
  });

  it('takes any delimiters the ISA declares: | elements, newline terminators', () => {
    const pipes = readX12(fixture('stupidedi-810-pipes.edi'));
    expect(pipes.delimiters).to.deep.equal({ segment: '~', element: '|', component: '>' });
    expect(pipes.groups[0]!.transactions[0]!.tree.BIG).to.deep.equal([{ BIG01: '20211118', BIG02: '00237058', BIG03: '20211102', BIG04: '0691-0014403' }]);
    const lines = readX12(fixture('node-x12-850-2.edi'));
    expect(lines.delimiters.segment).to.equal('\n');
    expect(lines.groups[0]!.transactions[0]!.segments.map((s) => s.id).slice(0, 3)).to.deep.equal(['ST', 'BEG', 'REF']);
    expect(allProblems(lines)).to.deep.equal([]);
  });

  it('keeps the 00402+ repetition separator as a delimiter without splitting values by it', () => {
    const ic = readX12(fixture('node-x12-856-004060.edi'));
    expect(ic.delimiters.repetition).to.equal('-');
    // 004060 is read with 004010's tables: N4 in the shipment HL's second N1 loop.
    expect(ic.groups[0]!.problems).to.deep.equal([]);
    const tree = ic.groups[0]!.transactions[0]!.tree as { HL: Array<{ N1: Array<{ N4: Array<{ N403: string }> }> }> };
    expect(tree.HL[0]!.N1[1]!.N4[0]!.N403).to.equal('31139-0020');
  });

  it('reads several groups and transactions, each transaction with its own segments and offsets', () => {
    const text = fixture('staedi-invoice810-po850-dual.edi');
    const ic = readX12(text);
    expect(ic.groups.map((g) => [g.functionalId, g.controlNumber, g.transactions.map((t) => `${t.setId}/${t.controlNumber}`)])).to.deep.equal([
      ['IN', '1', ['810/000000001', '810/000000002']],
      ['PO', '165', ['850/000191240']],
    ]);
    for (const tx of ic.groups.flatMap((g) => g.transactions)) {
      expect(text.slice(tx.start, tx.end)).to.match(new RegExp(`^ST\\*${tx.setId}\\*${tx.controlNumber}~[\\s\\S]*SE\\*\\d+\\*${tx.controlNumber}~$`));
    }
    expect(ic.problems).to.deep.equal([]);
    // The 850 is 003010, read with 004010's tables: its N1*ST*…*92 has no N104 (syntax note P0304).
    expect(codes(ic.groups[1]!.problems)).to.deep.equal([]);
    expect(codes(ic.groups[1]!.transactions[0]!.problems)).to.deep.equal(['segment:8', 'element:2']);
  });

  it('reads ISAs that are not 106 characters, noting each field off its length with its TA1 code as a warning', () => {
    const isa107 = readX12(fixture('stupidedi-850-isa107.edi'));
    expect(isa107.problems).to.deep.equal([]);
    expect(isa107.warnings.map((p) => [p.code, p.elementPosition])).to.deep.equal([['008', 8]]);
    expect(isa107.warnings[0]!.message).to.contain('ISA08 (receiver id) is 16 characters, the standard fixes 15');
    expect(isa107.receiver.id).to.equal('RECEIVER');
    expect(isa107.groups[0]!.transactions[0]!.setId).to.equal('850');
    const isa78 = readX12(fixture('stupidedi-856-002001-isa78.edi'));
    expect(isa78.warnings.map((p) => p.code)).to.deep.equal(['011', '013', '006', '008']);
    expect(isa78.delimiters).to.deep.equal({ segment: '!', element: '*', component: '@' });
    expect(isa78.groups[0]!.transactions.length).to.equal(2);
    const broken = readX12(fixture('stupidedi-850-003050-isa-line-break.edi'));
    expect(broken.problems).to.deep.equal([]);
    expect(broken.warnings.find((p) => p.elementPosition === 8)!.message).to.contain('line break');
    expect(broken.receiver.id).to.equal('123456789NPPT');
  });

  it('throws EdiSyntaxError only for text that is not X12 or has no readable ISA', () => {
    const attempt = (text: string): EdiSyntaxError => {
      try {
        readX12(text);
      } catch (error) {
        expect(error).to.be.instanceOf(EdiSyntaxError);
        return error as EdiSyntaxError;
      }
      throw new Error('expected EdiSyntaxError');
    };
    expect(attempt('').problem.code).to.equal('023');
    expect(attempt('UNB+UNOC:3+X').message).to.contain('not an X12 interchange');
    expect(attempt('ISA*00*  *00*').problem.code).to.equal('023');
    expect(attempt('ISAA00').problem.code).to.equal('026');
    expect(attempt(fixture('node-x12-850.edi').slice(0, 104)).problem.code).to.equal('023');
  });

  it('checks trailers: SE01 count, SE02, GE01, GE02, IEA01, IEA02 with the standard codes', () => {
    const clean = fixture('node-x12-850.edi');
    const tx = (text: string): string[] => codes(readX12(text).groups[0]!.transactions[0]!.problems);
    expect(tx(fixture('edited-850-se01.edi'))).to.deep.equal(['transaction:4']);
    expect(tx(clean.replace('SE*33*000000010', 'SE*33*000000011'))).to.deep.equal(['transaction:3']);
    expect(codes(readX12(fixture('edited-850-ge02.edi')).groups[0]!.problems)).to.deep.equal(['group:4']);
    expect(codes(readX12(clean.replace('GE*1*1421', 'GE*2*1421')).groups[0]!.problems)).to.deep.equal(['group:5']);
    expect(codes(readX12(fixture('edited-850-iea02.edi')).problems)).to.deep.equal(['interchange:001']);
    expect(codes(readX12(clean.replace('IEA*1*', 'IEA*2*')).problems)).to.deep.equal(['interchange:021']);
    // Real ones: gozer's 850 says 33 segments and has 21; stupidedi's GHX 810 says 47 and has 46.
    expect(tx(fixture('gozer-po850.edi'))).to.deep.equal(['transaction:4']);
    expect(tx(fixture('stupidedi-810-ghx.edi'))).to.deep.equal(['transaction:4']);
    expect(codes(readX12(fixture('gozer-asn856.edi')).problems)).to.deep.equal(['interchange:001']);
  });

  it('reports missing trailers, segments outside envelopes, a second interchange and duplicate ST02', () => {
    const clean = fixture('node-x12-850.edi');
    const noSe = readX12(clean.replace('SE*33*000000010~', ''));
    expect(codes(noSe.groups[0]!.transactions[0]!.problems)).to.deep.equal(['transaction:2']);
    expect(noSe.groups[0]!.transactions[0]!.problems[0]!.message).to.contain('GE at line');
    const noGe = readX12(clean.replace('GE*1*1421~', ''));
    expect(codes(noGe.groups[0]!.problems)).to.deep.equal(['group:3']);
    expect(codes(readX12(clean.replace('IEA*1*000003438~', '')).problems)).to.deep.equal(['interchange:023']);
    const outside = readX12(clean.replace('GS*PO', 'REF*XX*1~GS*PO'));
    expect(codes(outside.problems)).to.deep.equal(['interchange:022']);
    expect(outside.problems[0]!.message).to.contain('REF at line 2 is outside a transaction set (between ISA and GS)');
    const fat = readX12(fixture('node-x12-850-fat.edi'));
    expect(codes(fat.problems)).to.deep.equal(['interchange:024']);
    expect(fat.problems[0]!.message).to.contain('a second interchange starts at line 38');
    const twice = clean.replace(/(ST\*850[\s\S]*SE\*33\*000000010~)/, '$1$1').replace('GE*1*', 'GE*2*');
    expect(codes(readX12(twice).groups[0]!.transactions[1]!.problems)).to.deep.equal(['transaction:23']);
  });
});

describe('X12 structural validation', () => {
  const problemsOf = (text: string): EdiProblem[] => readX12(text).groups[0]!.transactions[0]!.problems;
  const located = (problems: EdiProblem[]): string[] =>
    problems.map((p) => `${p.level}:${p.code}:${p.segmentId ?? ''}@${p.segmentPosition ?? ''}${p.elementPosition ? `.${p.elementPosition}` : ''}${p.elementReference ? `/${p.elementReference}` : ''}`);
  const clean = (): string => fixture('node-x12-850.edi');

  it('accepts every real 850, 855, 856 and 810 of 004010 whose data is sound', () => {
    for (const name of ['node-x12-850.edi', 'node-x12-850-2.edi', 'node-x12-850-3.edi', 'node-x12-855.edi', 'node-x12-856.edi',
      'stupidedi-855.edi', 'stupidedi-856.edi', 'staedi-simple810.edi', 'project-860.edi', 'edited-860-cancel.edi', 'edited-810-credit.edi']) {
      const ic = readX12(fixture(name));
      expect(allProblems(ic), name).to.deep.equal([]);
    }
  });

  it('names a missing mandatory segment where it belongs (AK304 3)', () => {
    expect(located(problemsOf(fixture('edited-850-no-beg.edi')))).to.deep.equal(['segment:3:BEG@2']);
  });

  it('reports an invalid code value with its element and reference (AK403 7)', () => {
    const problems = problemsOf(fixture('edited-850-n101.edi'));
    expect(located(problems)).to.deep.equal(['segment:8:N1@10', 'element:7:N1@10.1/98']);
    expect(problems[1]).to.include({ value: 'QQ', line: 12 });
  });

  it('reports unexpected and unrecognized segments, max use and loops over their maximum', () => {
    expect(located(problemsOf(clean().replace('CTT*6~', 'CTT*6~BEG*00*SA*1**20101127~').replace('SE*33', 'SE*34')))).to.deep.equal(['segment:2:BEG@32']);
    expect(located(problemsOf(clean().replace('REF*DP*038~', 'ZZZ*1~').replace('SE*33', 'SE*33')))).to.deep.equal(['segment:1:ZZZ@3']);
    expect(located(problemsOf(clean().replace('BEG*00*SA*08292233294**20101127*610385385~', '$&$&').replace('SE*33', 'SE*34')))).to.deep.equal(['segment:5:BEG@3']);
    expect(located(problemsOf(clean().replace('CTT*6~', 'CTT*6~CTT*6~').replace('SE*33', 'SE*34')))).to.deep.equal(['segment:4:CTT@32']);
    // A mandatory loop (PO1 in an 850) that never starts.
    const noLines = clean().replace(/PO1\*[^~]*~\s*PID\*[^~]*~\s*PO4\*[^~]*~\s*/g, '').replace('SE*33', 'SE*15');
    expect(located(problemsOf(noLines))).to.deep.equal(['segment:3:PO1@13']);
  });

  it('checks element requirement, type, length, date, time and syntax notes (AK403 1-10)', () => {
    const errors = (replace: [string, string]): string[] => located(problemsOf(clean().replace(...replace))).filter((p) => p.startsWith('element'));
    expect(errors(['BEG*00*SA*08292233294**20101127', 'BEG*00*SA***20101127'])).to.deep.equal(['element:1:BEG@2.3/324']);
    expect(errors(['BEG*00*SA*08292233294**20101127', 'BEG*00*SA*08292233294**2010112'])).to.deep.equal(['element:8:BEG@2.5/373']);
    expect(errors(['DTM*002*20101214', 'DTM*002*20101214*2561'])).to.deep.equal(['element:9:DTM@6.3/337']);
    expect(errors(['BEG*00*SA*08292233294', 'BEG*00*SA*08292233294123456789012'])).to.deep.equal(['element:5:BEG@2.3/324']);
    expect(errors(['N3*31875 SOLON RD', 'N3*31875 SOLON RD*A*B'])).to.deep.equal(['element:3:N3@11.3']);
    expect(errors(['N4*SOLON*OH*44139', 'N4*S*OH*44139'])).to.deep.equal(['element:4:N4@12.1/19']);
    expect(errors(['PO1*1*120*EA*9.25', 'PO1*1*12X*EA*9.25'])).to.deep.equal(['element:6:PO1@13.2/330']);
    expect(errors(['CTT*6', 'CTT*6*10*5'])).to.deep.equal(['element:2:CTT@31.4/355']);
    expect(errors(['REF*DP*038', 'REF*DP'])).to.deep.equal(['element:2:REF@3.2/127']);
    expect(errors(['N1*ST*XYZ RETAIL*9*0003947268292', 'N1*ST*XYZ RETAIL*9'])).to.deep.equal(['element:2:N1@10.4/67']);
  });

  it('finds the standard\'s faults in real files: IT1 P020304 (pipes 810), a $ terminator with ~ segments inside', () => {
    expect(located(readX12(fixture('stupidedi-810-pipes.edi')).groups[0]!.transactions[0]!.problems)).to.deep.equal([
      'segment:8:IT1@7', 'element:2:IT1@7.3/355', 'segment:8:IT1@9', 'element:2:IT1@9.3/355',
    ]);
    const mixed = readX12(fixture('stupidedi-856-mixed-terminators.edi')).groups[0]!.transactions[0]!.problems;
    expect(located(mixed)).to.deep.equal([
      'transaction:4:SE@', 'segment:8:N1@11', 'element:6:N1@11.4/67', 'element:6:N1@11.5/706', 'element:5:N1@11.6/98', 'element:3:N1@11.7',
      'segment:2:PRF@12',
    ]);
  });

  it('validates 005010 with its own dictionary and ST03 against GS08', () => {
    const ic = readX12(fixture('edited-850-005010.edi'));
    expect(ic.delimiters.repetition).to.equal('^');
    expect(located(ic.groups[0]!.transactions[0]!.problems)).to.deep.equal(['segment:8:DTM@6', 'element:8:DTM@6.2/373']);
    const other = fixture('edited-850-005010.edi').replace('ST*850*000000010*005010', 'ST*850*000000010*005010X999');
    expect(located(readX12(other).groups[0]!.transactions[0]!.problems)[0]).to.equal('transaction:19:ST@');
  });
});

describe('X12 mapping tree', () => {
  it('nests 850 loops under their first segment, with the envelope segments first', () => {
    const tree = readX12(fixture('node-x12-850.edi')).groups[0]!.transactions[0]!.tree as Record<string, Array<Record<string, unknown>>>;
    expect(Object.keys(tree).slice(0, 4)).to.deep.equal(['ISA', 'GS', 'ST', 'BEG']);
    expect(tree.ISA![0]!.ISA06).to.equal('4405197800');
    expect(tree.BEG![0]).to.deep.equal({ BEG01: '00', BEG02: 'SA', BEG03: '08292233294', BEG05: '20101127', BEG06: '610385385' });
    expect(tree.N1).to.deep.equal([{ N101: 'ST', N102: 'XYZ RETAIL', N103: '9', N104: '0003947268292', N3: [{ N301: '31875 SOLON RD' }], N4: [{ N401: 'SOLON', N402: 'OH', N403: '44139' }] }]);
    expect(tree.PO1!.length).to.equal(6);
    expect(tree.PO1![0]!.PID).to.deep.equal([{ PID01: 'F', PID05: 'SMALL WIDGET' }]);
    expect(tree.PO1![1]!.PO4).to.deep.equal([{ PO401: '2', PO402: '2', PO403: 'EA' }]);
    expect(tree.CTT).to.deep.equal([{ CTT01: '6', AMT: [{ AMT01: '1', AMT02: '13045.94' }] }]);
    expect(tree.PID).to.equal(undefined);
  });

  it('keeps 856 HL loops flat in order with HL01/HL02/HL03 and their own loops', () => {
    const tree = readX12(fixture('node-x12-856.edi')).groups[0]!.transactions[0]!.tree as { HL: Array<Record<string, unknown>> };
    expect(tree.HL.map((hl) => [hl.HL01, hl.HL02, hl.HL03])).to.deep.equal([['1', undefined, 'S'], ['2', '1', 'O'], ['3', '2', 'I'], ['4', '2', 'I']]);
    expect((tree.HL[0]!.N1 as unknown[]).length).to.equal(3);
    expect(tree.HL[2]!.SN1).to.deep.equal([{ SN101: '1', SN102: '24', SN103: 'EA' }]);
  });

  it('trees 855 (ACK and SCH loops under PO1) and 860 (POC with its PID loop)', () => {
    const po = readX12(fixture('node-x12-855.edi')).groups[0]!.transactions[0]!.tree as { PO1: Array<Record<string, unknown>>; BAK: unknown[] };
    expect(po.BAK).to.have.length(1);
    expect(po.PO1).to.have.length(4);
    expect((po.PO1[0]!.ACK as Array<Record<string, unknown>>)[0]).to.include({ ACK01: 'IA', ACK02: '3', ACK03: 'UN', ACK29: 'AC' });
    expect((po.PO1[0]!.SCH as Array<Record<string, unknown>>)[0]).to.include({ SCH05: '080', SCH06: '20041231' });
    const change = readX12(fixture('project-860.edi')).groups[0]!.transactions[0]!.tree as { POC: Array<Record<string, unknown>> };
    expect(change.POC.map((l) => [l.POC01, l.POC02])).to.deep.equal([['1', 'QD'], ['7', 'AI'], ['2', 'DI']]);
    expect(change.POC[1]!.PID).to.deep.equal([{ PID01: 'F', PID05: 'NEW WIDGET' }]);
  });
});

describe('X12 acknowledgements', () => {
  const ack997 = (name: string, version?: '004010' | '005010'): string => build997(readX12(fixture(name)), { numbers, now, ...(version ? { version } : {}) });

  for (const [name, expected] of [
    ['node-x12-850.edi', 'node-x12-850.997'],
    ['staedi-invoice810-po850-dual.edi', 'staedi-invoice810-po850-dual.997'],
    ['edited-850-se01.edi', 'edited-850-se01.997'],
    ['edited-850-ge02.edi', 'edited-850-ge02.997'],
    ['edited-850-no-beg.edi', 'edited-850-no-beg.997'],
    ['edited-850-n101.edi', 'edited-850-n101.997'],
    ['edited-850-005010.edi', 'edited-850-005010.997'],
  ] as const) {
    it(`997 for ${name} equals ${expected}`, () => expectSameAck(ack997(name), expected));
  }

  it('997 for gozer\'s real 850 (newline terminators) equals gozer-po850.997', () => {
    expectSameAck(ack997('gozer-po850.edi'), 'gozer-po850.997', '*', '\n');
  });

  it('999 (005010X231) for the 005010 850 equals edited-850-005010.999', () => {
    expectSameAck(build999(readX12(fixture('edited-850-005010.edi')), { numbers, now }), 'edited-850-005010.999');
  });

  it('TA1: accepted (000), and rejected with the I18 code of the envelope problem', () => {
    expectSameAck(buildTA1(readX12(fixture('node-x12-850.edi')), numbers, { now }), 'node-x12-850.ta1');
    expectSameAck(buildTA1(readX12(fixture('edited-850-iea02.edi')), numbers, { now }), 'edited-850-iea02.ta1');
    // A strict partner (partners.<id>.x12.strictIsa): the ISA's length warnings are problems again, TA1 R.
    expectSameAck(buildTA1(strictEnvelope(readX12(fixture('stupidedi-850-isa107.edi'))), numbers, { now }), 'stupidedi-850-isa107.ta1');
    // By default the ISA is read with its warning: accepted, errors noted (TA104 E) with the warning's code.
    expect(segmentsOf(buildTA1(readX12(fixture('stupidedi-850-isa107.edi')), numbers, { now }), '~')[1]).to.equal('TA1*000000001*260709*1200*E*008');
    expect(segmentsOf(buildTA1(readX12(fixture('stupidedi-856-002001-isa78.edi')), numbers, { now }), '!')[1]).to.equal('TA1*000000001*070101*1130*E*011');
    expectSameAck(buildTA1(readX12(fixture('gozer-asn856.edi')), numbers, { now }), 'gozer-asn856.ta1', '*', '\n');
  });

  it('builds no 997 or 999 for an interchange whose envelope cannot be trusted', () => {
    expect(() => build997(readX12(fixture('edited-850-iea02.edi')), { numbers, now })).to.throw(/envelope problems \(TA1 001\).*send a TA1/);
    expect(() => build999(strictEnvelope(readX12(fixture('stupidedi-850-isa107.edi'))), { numbers, now })).to.throw(/TA1 008/);
  });

  it('997: AK5 E and AK9 E when the partner agreement accepts sets with segment errors', () => {
    const text = build997(readX12(fixture('edited-850-n101.edi')), { numbers, now, segmentErrors: 'accept' });
    expect(segmentsOf(text, '~').filter((s) => /^AK[59]/.test(s))).to.deep.equal(['AK5*E*5', 'AK9*E*1*1*1']);
  });

  it('the 997s and 999s the hub builds are valid 997/999 sets themselves, and read997 reads them back', () => {
    const ours = readX12(ack997('staedi-invoice810-po850-dual.edi'));
    expect(allProblems(ours)).to.deep.equal([]);
    const [first, second] = ours.groups.map((g) => read997(g.transactions[0]!));
    expect(first).to.deep.include({ kind: '997', functionalId: 'IN', groupControlNumber: '1', status: 'A', included: 2, received: 2, accepted: 2, codes: [] });
    expect(first!.transactions.map((t) => [t.setId, t.controlNumber, t.status])).to.deep.equal([['810', '000000001', 'A'], ['810', '000000002', 'A']]);
    expect(second).to.deep.include({ functionalId: 'PO', groupControlNumber: '165', status: 'R', accepted: 0, codes: [] });
    const rejected = read997(readX12(ack997('edited-850-n101.edi')).groups[0]!.transactions[0]!);
    expect(rejected.transactions[0]).to.deep.equal({
      setId: '850', controlNumber: '000000010', status: 'R', codes: ['5'],
      errors: [{ segmentId: 'N1', segmentPosition: 10, code: '8', elements: [{ position: '1', reference: '98', code: '7', value: 'QQ' }] }],
    });
    const ik = readX12(build999(readX12(fixture('edited-850-005010.edi')), { numbers, now }));
    expect(allProblems(ik)).to.deep.equal([]);
    expect(read997(ik.groups[0]!.transactions[0]!).transactions[0]!.errors[0]!.elements[0]).to.deep.equal({ position: '2', reference: '373', code: '8', value: '20101232' });
  });
});

describe('X12 860 BCH (004010: BCH09 127 seller order number, BCH10 acknowledgment date, BCH11 change request date)', () => {
  it('an 860 with a seller order number and a change request date reads without problems, BCH11 as a date', () => {
    const text = fixture('project-860.edi').replace('BCH*04*SA*08292233294**0001*20101127', 'BCH*04*SA*08292233294**0001*20101127***SO-77**20101201');
    const ic = readX12(text);
    const tx = ic.groups[0]!.transactions[0]!;
    expect(tx.problems).to.deep.equal([]);
    const bch = (tx.tree as Record<string, Array<Record<string, string>>>).BCH![0]!;
    expect([bch.BCH09, bch.BCH11]).to.deep.equal(['SO-77', '20101201']);
    const bad = readX12(text.replace('**20101201', '**20101301')).groups[0]!.transactions[0]!;
    expect(bad.problems.map((p) => [p.level, p.segmentId, p.elementPosition, p.code])).to.deep.equal([
      ['segment', 'BCH', undefined, '8'],
      ['element', 'BCH', 11, '8'],
    ]);
  });
});

describe('X12 mappings (golden)', () => {
  // The demo configuration's cross-reference tables (config/xref), which hold the X12 demo partners' rows.
  const load = (format: string) => loadMappingFile(path.join(root, 'mappings', `${format}.yaml`));
  for (const [format, fixtureName, partner] of [
    ['x12-850', 'node-x12-850', 'x12-customer'],
    ['x12-810', 'staedi-simple810', 'x12-supplier'],
    ['x12-856', 'node-x12-856', 'x12-supplier'],
  ] as const) {
    it(`${format}: ${fixtureName} maps to ${fixtureName}.expected.json, lines and totals as the source states them`, async () => {
      const mapping = load(format);
      const ic = readX12(fixture(`${fixtureName}.edi`));
      const expected = JSON.parse(readFileSync(path.join(dir, `${fixtureName}.expected.json`), 'utf8')) as Array<Record<string, unknown>>;
      const transactions = ic.groups.flatMap((g) => g.transactions);
      expect(transactions.length).to.equal(expected.length);
      for (const [i, tx] of transactions.entries()) {
        const doc = await evaluateMapping(mapping, tx.tree, { partner, document: `${fixtureName} ${tx.controlNumber}` });
        checkCanonical(doc, { file: `mappings/${format}.yaml`, document: tx.controlNumber });
        expect(doc).to.deep.equal(expected[i]);
        const tree = tx.tree as Record<string, Array<Record<string, string>>>;
        const lines = doc.lines as unknown[];
        if (format === 'x12-856') expect((doc.totals as { totalQuantity: number }).totalQuantity).to.equal(Number(tree.CTT![0]!.CTT02));
        else expect(lines.length).to.equal(Number(tree.CTT![0]!.CTT01));
        if (format === 'x12-810') expect((doc.totals as { payableAmount: number }).payableAmount).to.equal(Number(tree.TDS![0]!.TDS01) / 100);
        if (format === 'x12-850') expect((doc.totals as { payableAmount: number }).payableAmount).to.equal(Number((tree.CTT![0] as unknown as { AMT: Array<{ AMT02: string }> }).AMT[0]!.AMT02));
      }
    });
  }

  // The 860 and the credit memo, each checked against its source: the line count against CTT01 (the cancellation has
  // none), every POC/IT1 quantity and price against the segment, the credit memo's total against TDS01.
  for (const [format, fixtureName, partner] of [
    ['x12-860', 'project-860', 'x12-customer'],
    ['x12-860-cancel', 'edited-860-cancel', 'x12-customer'],
    ['x12-810-credit', 'edited-810-credit', 'x12-supplier'],
  ] as const) {
    it(`${format}: ${fixtureName} maps to ${fixtureName}.expected.json`, async () => {
      const mapping = load(format);
      const tx = readX12(fixture(`${fixtureName}.edi`)).groups[0]!.transactions[0]!;
      const expected = JSON.parse(readFileSync(path.join(dir, `${fixtureName}.expected.json`), 'utf8')) as Array<Record<string, unknown>>;
      expect(expected).to.have.length(1);
      const doc = await evaluateMapping(mapping, tx.tree, { partner, document: `${fixtureName} ${tx.controlNumber}` });
      checkCanonical(doc, { file: `mappings/${format}.yaml`, document: tx.controlNumber });
      expect(doc).to.deep.equal(expected[0]);
      const tree = tx.tree as Record<string, Array<Record<string, string>>>;
      const lines = doc.lines as Array<{ quantity?: number; price?: number }>;
      if (format === 'x12-860-cancel') expect(lines).to.deep.equal([]);
      else expect(lines.length).to.equal(Number(tree.CTT![0]!.CTT01));
      const source = format === 'x12-860' ? tree.POC : format === 'x12-810-credit' ? tree.IT1 : [];
      source!.forEach((segment, i) => {
        const [quantity, price] = format === 'x12-860' ? [segment.POC03, segment.POC06] : [segment.IT102, segment.IT104];
        expect([lines[i]!.quantity, lines[i]!.price], `line ${i + 1}`).to.deep.equal([Number(quantity), Number(price)]);
      });
      if (format === 'x12-810-credit') expect((doc.totals as { payableAmount: number }).payableAmount).to.equal(Number(tree.TDS![0]!.TDS01) / 100);
    });
  }

  it('detect.when sends an 860 by BCH01 and an 810 by BIG07, and an absent BCH01 to the change, not to no format', async () => {
    const formats = ['x12-850', 'x12-860', 'x12-860-cancel', 'x12-810', 'x12-810-credit'].map(load);
    const formatOf = async (name: string, edit?: (tree: Record<string, Array<Record<string, string>>>) => void): Promise<string | undefined> => {
      const ic = readX12(fixture(name));
      const tx = ic.groups[0]!.transactions[0]!;
      edit?.(tx.tree as Record<string, Array<Record<string, string>>>);
      return (await formatOfTransaction(formats, ic.groups[0]!, tx))?.name;
    };
    expect(await formatOf('project-860.edi')).to.equal('x12-860');
    expect(await formatOf('edited-860-cancel.edi')).to.equal('x12-860-cancel');
    expect(await formatOf('project-860.edi', (t) => { delete t.BCH![0]!.BCH01; })).to.equal('x12-860');
    expect(await formatOf('edited-810-credit.edi')).to.equal('x12-810-credit');
    expect(await formatOf('staedi-simple810.edi')).to.equal('x12-810');
    expect(await formatOf('staedi-simple810.edi', (t) => { t.BIG![0]!.BIG07 = 'CR'; })).to.equal('x12-810-credit');
    expect(await formatOf('node-x12-850.edi')).to.equal('x12-850');
  });

  it('x12-860 reads every POC02 code of the docs table as its action, and refuses a code that is no line change by name', async () => {
    const mapping = load('x12-860');
    const actionOf = async (code: string): Promise<unknown> => {
      const tree = readX12(fixture('project-860.edi')).groups[0]!.transactions[0]!.tree as Record<string, Array<Record<string, string>>>;
      tree.POC![0]!.POC02 = code;
      const doc = await evaluateMapping(mapping, tree, { partner: 'x12-customer', document: 'project-860' });
      return (doc.lines as Array<{ action: string }>)[0]!.action;
    };
    const table = { AI: 'add', DI: 'delete', NC: 'unchanged', CA: 'change', QI: 'change', QD: 'change', PC: 'change', CT: 'change', RZ: 'change' };
    for (const [code, action] of Object.entries(table)) expect(await actionOf(code), code).to.equal(action);
    for (const code of ['RC', 'CF', 'TI']) {
      const error = await actionOf(code).then(() => undefined, (e: unknown) => e);
      expect(error, code).to.be.instanceOf(HubError);
      expect((error as HubError).code).to.equal('HUB_ERR_MAPPING');
      expect((error as HubError).message).to.contain(`POC02 "${code}" (line 1)`);
    }
  });

  it('x12-860: a header-only change (no POC) is an OrderChange with no lines, its new date kept', async () => {
    const tree = readX12(fixture('project-860.edi')).groups[0]!.transactions[0]!.tree as Record<string, unknown>;
    delete tree.POC;
    const doc = await evaluateMapping(load('x12-860'), tree, { partner: 'x12-customer', document: 'project-860' });
    checkCanonical(doc, { file: 'mappings/x12-860.yaml', document: 'project-860' });
    expect([doc.lines, doc.requestedDeliveryDate]).to.deep.equal([[], '2026-12-20']);
  });

  it('the 860 document number is the order number with the change sequence, else the change request date, else GS04', async () => {
    const change = load('x12-860');
    const tree = readX12(fixture('project-860.edi')).groups[0]!.transactions[0]!.tree as Record<string, Array<Record<string, string>>>;
    expect(await change.edi!.documentNumber.evaluate(tree)).to.equal('08292233294-0001');
    delete tree.BCH![0]!.BCH05;
    tree.BCH![0]!.BCH11 = '20261215';
    expect(await change.edi!.documentNumber.evaluate(tree)).to.equal('08292233294-20261215');
    delete tree.BCH![0]!.BCH11;
    expect(await change.edi!.documentNumber.evaluate(tree)).to.equal('08292233294-20261201');
    expect(await change.edi!.sender.evaluate(tree)).to.deep.equal(['4405197800', '4405197800']);
  });

  it('the document number and sender paths of the mapping files read the trees', async () => {
    const order = load('x12-850');
    const tree = readX12(fixture('node-x12-850.edi')).groups[0]!.transactions[0]!.tree;
    expect(await order.edi!.documentNumber.evaluate(tree)).to.equal('08292233294');
    expect(await order.edi!.sender.evaluate(tree)).to.deep.equal(['4405197800', '4405197800']);
    const invoice = load('x12-810');
    expect(await invoice.edi!.sender.evaluate(readX12(fixture('staedi-simple810.edi')).groups[0]!.transactions[0]!.tree)).to.equal('12345QQQQ');
  });
});

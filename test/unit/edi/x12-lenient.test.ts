import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readX12 } from '../../../src/edi/x12/index.js';
import { baseVersion, transactionSpec } from '../../../src/edi/x12/specs/transactions.js';
import { interchangeWarnings, strictEnvelope } from '../../../src/edi/warnings.js';
import type { EdiProblem } from '../../../src/edi/types.js';
import { mappingFunctions } from '../../../src/mapping/functions.js';
import { projectRoot } from '../../../src/mapping/paths.js';

/*
 * What the X12 reader takes from real partners that a strict reading refuses: ISAs off their fixed length (noted
 * as warnings with their TA1 I18 codes, the interchange taken), line breaks between ISA elements, and the releases
 * from 002001 to 005050 read with the 004010/005010 tables, with YYMMDD dates before 004010.
 */

const fixture = (name: string): string => readFileSync(path.join(projectRoot(), 'fixtures', 'x12', name), 'latin1');
const at = (problems: readonly EdiProblem[]): string[] => problems.map((p) => `${p.level}:${p.code}${p.elementPosition ? `:${p.elementPosition}` : ''}`);
const all = (text: string): string[] => {
  const ic = readX12(text);
  return at([...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])]);
};

/** node-x12's 850 (a clean 004010 interchange with a 106-character ISA) with its ISA rewritten. */
const clean = fixture('node-x12-850.edi');
const isaOf = (text: string): string => text.slice(0, text.indexOf('~'));
const withIsa = (isa: string): string => isa + clean.slice(clean.indexOf('~'));
const fields = isaOf(clean).split('*');
const isaWith = (changes: Record<number, string>): string => fields.map((f, i) => changes[i] ?? f).join('*');

describe('X12 reader: ISAs off their fixed length', () => {
  it('takes a short or over-padded ISA02/04/06/08 with a warning per field (TA1 011, 013, 006, 008) and no problem', () => {
    const ic = readX12(withIsa(isaWith({ 2: ' ', 4: '', 6: '4405197800', 8: '999999999         ' })));
    expect(ic.problems).to.deep.equal([]);
    expect(at(ic.warnings)).to.deep.equal(['interchange:011:2', 'interchange:013:4', 'interchange:006:6', 'interchange:008:8']);
    expect(ic.sender.id).to.equal('4405197800');
    expect(ic.receiver.id).to.equal('999999999');
    expect(ic.groups[0]!.transactions[0]!.problems).to.deep.equal([]);
    expect((ic.groups[0]!.transactions[0]!.tree.ISA as Array<Record<string, string>>)[0]!.ISA08).to.equal('999999999');
  });

  it('refuses a field that does not fit even without its padding, and a fixed field of the wrong length', () => {
    const long = readX12(withIsa(isaWith({ 6: 'ABCDEFGHIJKLMNOP' })));
    expect(at(long.problems)).to.deep.equal(['interchange:006:6']);
    expect(long.problems[0]!.message).to.contain('does not fit it even without padding');
    // A control number of 4 digits is not ISA13's (and then not IEA02's 000003438 either).
    const number = readX12(withIsa(isaWith({ 13: '3438' })));
    expect(at(number.problems)).to.deep.equal(['interchange:018:13', 'interchange:001:2']);
  });

  it('takes a fixed field with extra spaces around it as a warning (the value is whole once trimmed)', () => {
    const ic = readX12(withIsa(isaWith({ 13: ' 000003438' })));
    expect(ic.problems).to.deep.equal([]);
    expect(at(ic.warnings)).to.deep.equal(['interchange:018:13']);
    expect(ic.controlNumber).to.equal('000003438');
  });

  it('reads a line break between ISA elements as whitespace (a warning), one inside a value as a problem', () => {
    const between = readX12(withIsa(isaWith({ 8: `${fields[8]!}\r\n` })));
    expect(between.problems).to.deep.equal([]);
    expect(at(between.warnings)).to.deep.equal(['interchange:008:8']);
    expect(between.warnings[0]!.message).to.contain('line break');
    expect(between.receiver.id).to.equal('999999999');
    const inside = readX12(withIsa(isaWith({ 6: '4405\n197800     ' })));
    expect(at(inside.problems)).to.deep.equal(['interchange:006:6']);
    expect(inside.problems[0]!.message).to.contain('line break inside its value');
  });

  it('gives a strict partner the warnings back as problems, first (TA1 R), and leaves a clean interchange alone', () => {
    const ic = readX12(fixture('stupidedi-850-isa107.edi'));
    const strict = strictEnvelope(ic);
    expect(at(strict.problems)).to.deep.equal(['interchange:008:8']);
    expect(interchangeWarnings(strict)).to.deep.equal([]);
    expect(ic.problems).to.deep.equal([]);
    const plain = readX12(clean);
    expect(strictEnvelope(plain)).to.equal(plain);
  });
});

describe('X12 reader: the releases read with the 004010 and 005010 tables', () => {
  it('reads 002001-004060 with 004010\'s tables and 005010-005050 with 005010\'s, named after their own release', () => {
    expect(['002001', '003010', '003050', '003070', '004010VICS', '004060', '005010X231', '005050'].map(baseVersion))
      .to.deep.equal(['002001', '003010', '003050', '003070', '004010', '004060', '005010', '005050']);
    expect(['002000', '004070', '006010', '00401', 'X12'].map(baseVersion)).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
    expect(transactionSpec('850', '003010')!.version).to.equal('003010');
    expect(transactionSpec('856', '004060')!.members).to.equal(transactionSpec('856', '004010')!.members);
    expect(transactionSpec('810', '005030')!.segments).to.equal(transactionSpec('810', '005010')!.segments);
    expect(transactionSpec('850', '006010')).to.equal(undefined);
  });

  it('answers a release it does not read with AK905 2 for the group and AK502 1 for its sets', () => {
    expect(all(clean.replace('*X*004010VICS~', '*X*006010~'))).to.deep.equal(['group:2', 'transaction:1']);
  });

  const po003010 = fixture('stupidedi-850-003050-isa-line-break.edi');

  it('takes YYMMDD dates before 004010 and checks them; 004010 keeps CCYYMMDD', () => {
    expect(all(po003010)).to.deep.equal([]);
    expect(all(po003010.replace('BEG*00*SA*NP00001234**010614', 'BEG*00*SA*NP00001234**011314'))).to.deep.equal(['segment:8', 'element:8:5']);
    expect(all(po003010.replace('BEG*00*SA*NP00001234**010614', 'BEG*00*SA*NP00001234**20010614'))).to.deep.equal([]);
    expect(all(clean.replace('BEG*00*SA*08292233294**20101127', 'BEG*00*SA*08292233294**101127'))).to.deep.equal(['segment:8', 'element:8:5']);
  });

  it('reads DTM05 as the century before 004010 (no P0506) and NTE after BEG in the 003xxx 850', () => {
    // The 003050 850 has NTE at position 3 and DTM*002*010808***20 (DTM05 century 20): clean as 003050 (above);
    // read as 004010, NTE is out of place (AK304 2), BEG05 and DTM02 are not CCYYMMDD and DTM05 asks for DTM06.
    expect(po003010).to.contain('NTE*ADD*').and.to.contain('DTM*002*010808***20');
    expect(all(po003010.replace('*003050!', '*004010!')))
      .to.deep.equal(['segment:8', 'element:8:5', 'segment:2', 'segment:8', 'element:8:2', 'element:2:6']);
  });
});

describe('$date: YYMMDD with the POSIX century window, or the century sent beside it', () => {
  const date = mappingFunctions(new Map(), 'p').date as (value: unknown, century?: unknown) => string | undefined;

  it('reads 69-99 as 1969-1999 and 00-68 as 2000-2068', () => {
    expect([date('690101'), date('991231'), date('000229'), date('680101'), date('070102')])
      .to.deep.equal(['1969-01-01', '1999-12-31', '2000-02-29', '2068-01-01', '2007-01-02']);
  });

  it('takes the two century digits sent beside the date (X12 DTM05 before 004010), and ignores a qualifier there', () => {
    expect(date('680101', '19')).to.equal('1968-01-01');
    expect(date('010808', '20')).to.equal('2001-08-08');
    expect(date('20010808', 'D8')).to.equal('2001-08-08');
    expect(date('990101', 'D8')).to.equal('1999-01-01');
  });

  it('refuses a YYMMDD that is not a date', () => {
    expect(() => date('070230')).to.throw(/not a date/);
    expect(() => date('011314')).to.throw(/not a date/);
  });
});

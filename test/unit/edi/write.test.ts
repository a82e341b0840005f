import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readEdifact, serviceStringAdvice } from '../../../src/edi/edifact/read.js';
import { buildEdifactInterchange, type EdifactInterchangeOptions } from '../../../src/edi/edifact/envelope.js';
import { edifactDelimiters, writeEdifactSegments } from '../../../src/edi/edifact/write.js';
import { assertOutboundValid, checkOutbound } from '../../../src/edi/check-outbound.js';
import type { OutboundSegment } from '../../../src/edi/outbound-segment.js';
import type { EdiInterchange, EdiProblem, EdiSegment } from '../../../src/edi/types.js';
import { buildX12Interchange, type X12InterchangeOptions } from '../../../src/edi/x12/envelope.js';
import { readX12 } from '../../../src/edi/x12/read.js';
import { writeX12Segments, x12Delimiters } from '../../../src/edi/x12/write.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';

const root = projectRoot();
const read = (syntax: 'x12' | 'edifact', name: string): string => readFileSync(path.join(root, 'fixtures', syntax, name), syntax === 'x12' ? 'latin1' : 'utf8');
const now = new Date('2026-12-02T10:30:00Z');

/** The real fixtures that map today (test/unit/edi/real-files.test.ts MAPS and the golden ones): they must round-trip. */
const MAPPED_X12 = ['node-x12-850.edi', 'node-x12-850-2.edi', 'node-x12-855.edi', 'node-x12-856.edi', 'stupidedi-855.edi', 'staedi-simple810.edi', 'staedi-invoice810-po850-dual.edi'];
/**
 * node-x12-856 and its original node-x12-856-004060 (ISA12 00406) declare '-' as its repetition separator (ISA11) and has '-' in REF02 data: by the
 * standard that REF holds two repetitions, so they cannot be written back as it was read; their round trips use '^'.
 */
const REPETITION_IN_DATA: Record<string, string> = { 'node-x12-856.edi': '-', 'node-x12-856-004060.edi': '-' };
const MAPPED_EDIFACT = ['invoic_d97b_una.edi', 'orders_d96a_eancom.edi', 'desadv_d96a_eancom.edi', 'invoic_d01b_eancom.edi', 'ordchg_d01b_eancom.edi'];

/** A segment as compared: trailing empty components and elements dropped (the writers leave them out, as required). */
function normal(segment: { id: string; elements: ReadonlyArray<string | readonly string[]> }): unknown[] {
  const trim = <T>(list: T[], empty: (v: T) => boolean): T[] => {
    let end = list.length;
    while (end > 0 && empty(list[end - 1]!)) end--;
    return list.slice(0, end);
  };
  const elements = segment.elements.map((e) => {
    if (typeof e === 'string') return e;
    const components = trim([...e], (c) => c === '');
    return components.length <= 1 ? (components[0] ?? '') : components;
  });
  return [segment.id, ...trim(elements, (e) => e === '')];
}

const located = (problems: EdiProblem[]): string[] => problems.map((p) => `${p.level}:${p.code}:${p.segmentId ?? ''}@${p.segmentPosition ?? ''}.${p.elementPosition ?? ''}`);

function allSegments(ic: EdiInterchange): unknown[] {
  return ic.groups.flatMap((g) => [...(g.header ? [normal(g.header)] : []), ...g.transactions.flatMap((t) => t.segments.map(normal)), ...(g.trailer ? [normal(g.trailer)] : [])]);
}
function allProblems(ic: EdiInterchange): string[] {
  return located([...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])]);
}

function thrown(work: () => unknown): HubError {
  try {
    work();
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected a HubError');
}

/** Every segment of an X12 interchange after the ISA, in order. */
function x12Segments(ic: EdiInterchange, text: string): EdiSegment[] {
  const out: EdiSegment[] = [];
  const d = ic.delimiters;
  for (const raw of text.slice(ic.header.end).split(d.segment)) {
    const trimmed = raw.replace(/^[\r\n]+/, '');
    if (trimmed.trim() === '') continue;
    const [id, ...elements] = trimmed.split(d.element);
    out.push({ id: id!, elements: elements.map((v) => (v.includes(d.component) ? v.split(d.component) : v)), start: 0, end: 0, line: 0 });
  }
  return out;
}

describe('X12 writer: round trips of the real fixtures', () => {
  const clean = readdirSync(path.join(root, 'fixtures', 'x12')).filter((n) => n.endsWith('.edi')).filter((name) => {
    try {
      return allProblems(readX12(read('x12', name))).length === 0;
    } catch {
      return false;
    }
  });

  it('refuses to write node-x12-856 with its own delimiters: its ISA11 repetition separator - is also in REF02 data', () => {
    const original = readX12(read('x12', 'node-x12-856.edi'));
    const body = original.groups[0]!.transactions[0]!.segments.slice(1, -1);
    const error = thrown(() => writeX12Segments(body, x12Delimiters({ ...original.delimiters }), { firstPosition: 2 }));
    expect(error.errors.map((e) => e.message.replace(/ \(ask.*$/, ''))).to.deep.equal([
      'segment 6 REF02: "999999-001" holds the repetition separator \'-\'; X12 has no release character, so the value must not contain it',
      'segment 14 N403: "31139-0020" holds the repetition separator \'-\'; X12 has no release character, so the value must not contain it',
    ]);
  });

  it('covers every fixture that maps today and every fixture that reads without problems', () => {
    for (const name of MAPPED_X12.filter((n) => n !== 'staedi-invoice810-po850-dual.edi')) expect(clean, name).to.include(name);
    expect(clean.length).to.be.greaterThan(8);
  });

  for (const name of [...new Set([...MAPPED_X12, ...clean])].sort()) {
    it(`${name}: its segments written again with its own delimiters read back equal, with the same problems`, () => {
      const text = read('x12', name);
      const original = readX12(text);
      const d = { ...original.delimiters, ...(REPETITION_IN_DATA[name] ? { repetition: '^' } : {}) };
      if (REPETITION_IN_DATA[name]) original.header.elements[10] = '^';
      const newline = /\r?\n/.exec(text.slice(original.header.end, original.header.end + 2))?.[0] as '' | '\n' | '\r\n' | undefined;
      const delimiters = x12Delimiters({ element: d.element, component: d.component, segment: d.segment, ...(d.repetition ? { repetition: d.repetition } : {}) }, d.repetition !== undefined);
      const isa = ['ISA', ...original.header.elements].join(d.element) + d.segment + (newline ?? '');
      const written = isa + writeX12Segments(x12Segments(original, text), delimiters, newline ? { newline } : {});
      const again = readX12(written);
      expect(allSegments(again)).to.deep.equal(allSegments(original));
      expect(allProblems(again)).to.deep.equal(allProblems(original));
      expect(again.delimiters).to.deep.equal(d);
    });

    it(`${name}: its transaction bodies in new envelopes read back equal, the counts right`, () => {
      const original = readX12(read('x12', name));
      const d = { ...original.delimiters, ...(REPETITION_IN_DATA[name] ? { repetition: '^' } : {}) };
      const options: X12InterchangeOptions = {
        sender: original.sender, receiver: original.receiver, version: original.syntaxVersion, controlNumber: 4711, date: now,
        delimiters: { element: d.element, component: d.component, segment: d.segment, ...(d.repetition ? { repetition: d.repetition } : {}) },
      };
      let st = 1;
      const groups = original.groups.map((g, i) => ({
        sender: g.sender, receiver: g.receiver, controlNumber: 100 + i, version: g.version, functionalId: g.functionalId,
        transactions: g.transactions.map((t) => ({ setId: t.setId, controlNumber: st++, segments: t.segments.slice(1, -1) })),
      }));
      const again = readX12(buildX12Interchange(options, groups));
      expect(again.problems, 'interchange problems').to.deep.equal([]);
      expect(again.controlNumber).to.equal('000004711');
      expect(again.groups.map((g) => [g.controlNumber, g.transactions.length, g.problems.length])).to.deep.equal(groups.map((g) => [String(g.controlNumber), g.transactions.length, original.groups.find((o) => o.version === g.version)!.problems.length]));
      const bodies = (ic: EdiInterchange): unknown[] => ic.groups.flatMap((g) => g.transactions.map((t) => t.segments.slice(1, -1).map(normal)));
      expect(bodies(again)).to.deep.equal(bodies(original));
      const setProblems = (ic: EdiInterchange): string[] => located(ic.groups.flatMap((g) => g.transactions.flatMap((t) => t.problems)));
      expect(setProblems(again)).to.deep.equal(setProblems(original));
    });
  }
});

describe('X12 writer: delimiters, envelopes and counts', () => {
  const body: OutboundSegment[] = [
    { id: 'BEG', elements: ['00', 'SA', 'PO-4711', undefined, '20261202'] },
    { id: 'N1', elements: ['ST', 'ACME', '', '', ''] },
    { id: 'PO1', elements: ['1', '10', 'EA', '2.5', undefined, 'VP', 'SKU-1'] },
    { id: 'CTT', elements: ['1'] },
  ];
  const options = (more: Partial<X12InterchangeOptions> = {}): X12InterchangeOptions => ({
    sender: { qualifier: 'ZZ', id: 'HUB' }, receiver: { qualifier: '01', id: '999999999' }, version: '00401', controlNumber: 42, date: now, ...more,
  });
  const segments = (text: string, terminator = '~'): string[] => text.split(terminator).map((s) => s.replace(/^\r?\n/, '')).filter(Boolean);

  it('writes the ISA at its fixed 106 characters, fields padded, ISA11 U before 00402 and the repetition separator after', () => {
    const text = buildX12Interchange(options(), [{ sender: 'HUB', receiver: 'ACME', controlNumber: 7, version: '004010', transactions: [{ setId: '850', controlNumber: 9, segments: body }] }]);
    const isa = text.slice(0, text.indexOf('~') + 1);
    expect(isa).to.have.length(106);
    expect(isa).to.equal('ISA*00*          *00*          *ZZ*HUB            *01*999999999      *261202*1030*U*00401*000000042*0*P*:~');
    const v5 = buildX12Interchange(options({ version: '00501', ackRequested: true, usage: 'T', delimiters: { repetition: '{' } }), [{ sender: 'HUB', receiver: 'ACME', controlNumber: 7, version: '005010', transactions: [{ setId: '850', controlNumber: 9, segments: body }] }]);
    expect(segments(v5)[0]!.split('*').slice(11)).to.deep.equal(['{', '00501', '000000042', '1', 'T', ':']);
    expect(readX12(v5).delimiters.repetition).to.equal('{');
  });

  it('refuses an id or authorization value too long for its ISA field instead of cutting it', () => {
    expect(thrown(() => buildX12Interchange(options({ sender: { qualifier: 'ZZ', id: 'A-SENDER-ID-OF-16' } }), [])).code).to.equal('HUB_ERR_EDI_ENVELOPE');
    expect(thrown(() => buildX12Interchange(options({ authorization: { qualifier: '03', value: 'ELEVEN-CHRS' } }), [])).message).to.match(/ISA02 .* 11 characters, the ISA field holds 10/);
    expect(thrown(() => buildX12Interchange(options({ controlNumber: 1_000_000_000 }), [])).message).to.match(/ISA13 1000000000/);
  });

  it('computes SE01, GE01 and IEA01 and numbers ST/SE, GS/GE and ISA/IEA from the numbers passed in', () => {
    const tx = (controlNumber: number) => ({ setId: '850', controlNumber, segments: body });
    const text = buildX12Interchange(options({ newline: '\n' }), [
      { sender: 'HUB', receiver: 'ACME', controlNumber: 7, version: '004010', transactions: [tx(9), tx(10)] },
      { sender: 'HUB', receiver: 'ACME-EU', controlNumber: 8, version: '004010', transactions: [tx(11)] },
    ]);
    const list = segments(text);
    expect(list.filter((s) => /^(ST|SE|GS|GE|IEA)\*/.test(s)).map((s) => s.replace(/^GS\*PO\*HUB\*(ACME(-EU)?)\*\d{8}\*\d{4}\*/, 'GS*$1*'))).to.deep.equal([
      'GS*ACME*7*X*004010', 'ST*850*0009', 'SE*6*0009', 'ST*850*0010', 'SE*6*0010', 'GE*2*7',
      'GS*ACME-EU*8*X*004010', 'ST*850*0011', 'SE*6*0011', 'GE*1*8', 'IEA*2*000000042',
    ]);
    expect(text.split('\n').length).to.equal(list.length + 1);
    const ic = readX12(text);
    expect(allProblems(ic)).to.deep.equal([]);
    expect(ic.groups[0]!.transactions[1]!.segments.map((s) => s.id)).to.deep.equal(['ST', 'BEG', 'N1', 'PO1', 'CTT', 'SE']);
    expect(text).to.contain('N1*ST*ACME~').and.to.contain('PO1*1*10*EA*2.5**VP*SKU-1~');
  });

  it('refuses a value holding a delimiter, naming segment, position and element, and lists every one', () => {
    const bad: OutboundSegment[] = [body[0]!, { id: 'N1', elements: ['ST', 'ACME*CORP'] }, { id: 'PO1', elements: ['1', '10', 'EA', '2.5', undefined, 'VP', ['SKU', 'A~B']] }];
    const error = thrown(() => buildX12Interchange(options(), [{ sender: 'HUB', receiver: 'ACME', controlNumber: 7, version: '004010', transactions: [{ setId: '850', controlNumber: 9, segments: bad }] }]));
    expect(error.code).to.equal('HUB_ERR_EDI_INVALID');
    expect(error.message).to.match(/^the X12 document cannot be written: segment 3 N102: "ACME\*CORP" holds the element separator '\*'; X12 has no release character/);
    expect(error.errors.map((e) => e.path)).to.deep.equal(['N102', 'PO107-2']);
    expect(error.errors[1]!.message).to.match(/^segment 4 PO107-2: "A~B" holds the segment terminator '~'/);
  });

  it('refuses the component and repetition separators and control characters in data; ^ is data before 00402', () => {
    const d = x12Delimiters({ component: '>' });
    expect(thrown(() => writeX12Segments([{ id: 'REF', elements: ['ZZ', 'A>B'] }], d)).message).to.match(/REF02: "A>B" holds the component separator '>'/);
    expect(thrown(() => writeX12Segments([{ id: 'REF', elements: ['ZZ', 'A^B'] }], d)).message).to.match(/repetition separator '\^'/);
    expect(thrown(() => writeX12Segments([{ id: 'MSG', elements: ['LINE 1\nLINE 2'] }], d)).message).to.match(/control character U\+000A/);
    expect(writeX12Segments([{ id: 'REF', elements: ['ZZ', 'A^B'] }], x12Delimiters({}, false))).to.equal('REF*ZZ*A^B~');
    expect(thrown(() => x12Delimiters({ component: '*' })).code).to.equal('HUB_ERR_CONFIG');
    expect(thrown(() => x12Delimiters({ segment: 'A' })).message).to.match(/not a letter, digit/);
  });

  it('takes the separators the ISA reader takes: information separators yes, letters, digits and spaces no', () => {
    const d = x12Delimiters({ element: '\x1d', component: '\x1f', segment: '\x1c' }, false);
    const text = buildX12Interchange({ sender: { qualifier: 'ZZ', id: 'HUB' }, receiver: { qualifier: 'ZZ', id: 'ACME' }, version: '00401', controlNumber: 1, date: now, delimiters: d },
      [{ sender: 'HUB', receiver: 'ACME', controlNumber: 1, version: '004010', transactions: [{ setId: '850', controlNumber: 1, segments: body }] }]);
    expect(allProblems(readX12(text))).to.deep.equal([]);
    expect(thrown(() => x12Delimiters({ element: ' ' })).code).to.equal('HUB_ERR_CONFIG');
    expect(thrown(() => x12Delimiters({ repetition: '7' })).code).to.equal('HUB_ERR_CONFIG');
  });

  it('leaves out empty trailing elements and components but keeps empty ones inside', () => {
    expect(writeX12Segments([{ id: 'N1', elements: ['ST', '', undefined, '92', 'X', undefined, ''] }, { id: 'SLN', elements: ['1', ['A', '', 'C', '', ''], ['', '']] }]))
      .to.equal('N1*ST***92*X~SLN*1*A::C~');
  });
});

describe('EDIFACT writer: round trips of the fixtures that map', () => {
  for (const name of MAPPED_EDIFACT) {
    it(`${name}: its segments written again with its own service characters read back equal, with the same problems`, () => {
      const original = readEdifact(read('edifact', name));
      const [identifier, version] = original.syntaxVersion.split(':') as [string, string];
      const d = original.delimiters;
      const syntax = { identifier, version: (version === '4' ? 4 : 3) as 3 | 4 };
      const delimiters = edifactDelimiters({ component: d.component, element: d.element, decimal: d.decimal ?? '.', segment: d.segment, release: d.release ?? null }, syntax.version);
      const segments = [original.header, ...original.groups.flatMap((g) => [...(g.header ? [g.header] : []), ...g.transactions.flatMap((t) => t.segments), ...(g.trailer ? [g.trailer] : [])])];
      // The reader keeps no UNZ segment: it is written from what it counts (groups when there are, else messages).
      const grouped = original.groups.some((g) => g.header);
      const count = grouped ? original.groups.length : original.groups.reduce((n, g) => n + g.transactions.length, 0);
      const unz: OutboundSegment = { id: 'UNZ', elements: [String(count), original.controlNumber] };
      const text = (serviceStringAdvice(original) ?? '') + writeEdifactSegments([...segments, unz], syntax, delimiters, { newline: '\n' });
      const again = readEdifact(text);
      expect(allSegments(again)).to.deep.equal(allSegments(original));
      expect(normal(again.header)).to.deep.equal(normal(original.header));
      expect(allProblems(again)).to.deep.equal(allProblems(original));
    });
  }
});

describe('EDIFACT writer: release character, UNA, repertoire and counts', () => {
  const base = (more: Partial<EdifactInterchangeOptions> = {}): EdifactInterchangeOptions => ({
    syntax: { identifier: 'UNOC', version: 3 }, sender: { id: '5400110000009', qualifier: '14' }, receiver: { id: '5412345000013', qualifier: '14' },
    date: now, controlReference: 'HUB000001', ...more,
  });
  const ordrsp = (bgm = '231'): OutboundSegment[] => [
    { id: 'BGM', elements: [bgm, 'RSP-4711', '29'] },
    { id: 'DTM', elements: [['137', '20261202', '102']] },
    { id: 'RFF', elements: [['ON', 'PO-4711']] },
    { id: 'NAD', elements: ['BY', ['5412345000013', '', '9']] },
    { id: 'NAD', elements: ['SU', ['5400110000009', '', '9']] },
    { id: 'LIN', elements: ['1', '5', ['5410000000019', 'EN']] },
    { id: 'QTY', elements: [['21', '48']] },
    { id: 'UNS', elements: ['S'] },
    { id: 'CNT', elements: [['2', '1']] },
  ];
  const message = (segments: OutboundSegment[], release = '96A') => ({ reference: 'M1', type: 'ORDRSP', release, segments });

  it('escapes every service character in data with the release character and reads it back as sent', () => {
    const text = buildEdifactInterchange(base(), { messages: [message([{ id: 'FTX', elements: ['AAI', undefined, undefined, ["A+B:C'D?E"]] }, ...ordrsp().slice(0, 1)])] });
    expect(text).to.contain("FTX+AAI+++A?+B?:C?'D??E'");
    expect(text.startsWith('UNB+UNOC:3+5400110000009:14+5412345000013:14+261202:1030+HUB000001')).to.equal(true);
    const ic = readEdifact(text);
    expect(ic.groups[0]!.transactions[0]!.segments[1]!.elements[3]).to.equal("A+B:C'D?E");
  });

  it('writes the UNA only for other service characters (or when asked), and refuses a service character without a release character', () => {
    const plain = buildEdifactInterchange(base(), { messages: [message(ordrsp())] });
    expect(plain.startsWith('UNB+')).to.equal(true);
    expect(buildEdifactInterchange(base({ una: 'always' }), { messages: [message(ordrsp())] }).startsWith("UNA:+.? 'UNB+")).to.equal(true);
    const own = buildEdifactInterchange(base({ delimiters: { element: '*', segment: '~', decimal: ',' } }), { messages: [message(ordrsp())] });
    expect(own.startsWith('UNA:*,? ~UNB*UNOC:3*')).to.equal(true);
    expect(readEdifact(own).delimiters).to.deep.include({ element: '*', segment: '~', decimal: ',', release: '?' });
    const error = thrown(() => buildEdifactInterchange(base({ delimiters: { release: null } }), { messages: [message([...ordrsp().slice(0, 2), { id: 'RFF', elements: [['ON', 'PO+4711']] }])] }));
    expect(error.code).to.equal('HUB_ERR_EDI_INVALID');
    expect(error.message).to.match(/segment 4 RFF01-2: "PO\+4711" holds the service character '\+' and the interchange has no release character/);
    expect(buildEdifactInterchange(base({ delimiters: { release: null } }), { messages: [message(ordrsp())] }).startsWith("UNA:+.  'UNB+")).to.equal(true);
  });

  it('UNOB: no UNA for its default information separators, a UNA for + : \' ; lower case allowed', () => {
    const levelB = buildEdifactInterchange(base({ syntax: { identifier: 'UNOB' }, delimiters: { component: '\x1f', element: '\x1d', segment: '\x1c', release: null } }), { messages: [message(ordrsp())] });
    expect(levelB.startsWith('UNB\x1dUNOB\x1f3\x1d')).to.equal(true);
    expect(allProblems(readEdifact(levelB))).to.deep.equal([]);
    const plain = buildEdifactInterchange(base({ syntax: { identifier: 'UNOB' } }), { messages: [message([...ordrsp().slice(0, 3), { id: 'FTX', elements: ['AAI', undefined, undefined, ['lower case']] }])] });
    expect(plain.startsWith("UNA:+.? 'UNB+UNOB:3+")).to.equal(true);
    expect(readEdifact(plain).groups[0]!.transactions[0]!.segments[4]!.elements[3]).to.equal('lower case');
  });

  it('version 4: CCYYMMDD in UNB and the * repetition separator released in data', () => {
    const text = buildEdifactInterchange(base({ syntax: { identifier: 'UNOC', version: 4 } }), { messages: [message([{ id: 'BGM', elements: ['231', 'RSP*1'] }])] });
    expect(text).to.contain('UNB+UNOC:4+5400110000009:14+5412345000013:14+20261202:1030+');
    expect(text).to.contain("BGM+231+RSP?*1'");
  });

  it('refuses characters outside the syntax identifier, with where they are: UNOA has no lower case, UNOC no euro sign', () => {
    const unoa = thrown(() => buildEdifactInterchange(base({ syntax: { identifier: 'UNOA' } }), { messages: [message([ordrsp()[0]!, { id: 'NAD', elements: ['BY', undefined, undefined, ['Acme Corp']] }])] }));
    expect(unoa.message).to.match(/segment 3 NAD04-1: "Acme Corp" has 'c', 'm', 'e', 'o', 'r', outside the character repertoire of UNOA/);
    const unoc = thrown(() => buildEdifactInterchange(base(), { messages: [message([{ id: 'FTX', elements: ['AAI', undefined, undefined, ['Prix 5 €, café']] }])] }));
    expect(unoc.errors).to.have.length(1);
    expect(unoc.message).to.match(/FTX04-1: .* has '€', outside the character repertoire of UNOC/);
    expect(buildEdifactInterchange(base(), { messages: [message([{ id: 'FTX', elements: ['AAI', undefined, undefined, ['café']] }])] })).to.contain('café');
  });

  it('computes UNT 0074, UNE 0060 and UNZ 0036 (messages, or groups when there are groups)', () => {
    const two = buildEdifactInterchange(base(), { messages: [message(ordrsp()), { ...message(ordrsp()), reference: 'M2' }] });
    expect(two).to.contain("UNT+11+M1'").and.to.contain("UNT+11+M2'").and.to.contain("UNZ+2+HUB000001'");
    expect(allProblems(readEdifact(two))).to.deep.equal([]);
    const grouped = buildEdifactInterchange(base({ ackRequested: true, test: true, applicationReference: 'ORDRSP' }), { groups: [
      { functionalId: 'ORDRSP', sender: { id: 'HUB', qualifier: 'ZZZ' }, receiver: { id: 'ACME', qualifier: 'ZZZ' }, reference: 'G1', version: 'D', release: '96A', messages: [message(ordrsp()), { ...message(ordrsp()), reference: 'M2' }] },
    ] });
    expect(grouped).to.contain("UNB+UNOC:3+5400110000009:14+5412345000013:14+261202:1030+HUB000001++ORDRSP++1++1'");
    expect(grouped).to.contain("UNG+ORDRSP+HUB:ZZZ+ACME:ZZZ+261202:1030+G1+UN+D:96A'").and.to.contain("UNE+2+G1'").and.to.contain("UNZ+1+HUB000001'");
    const ic = readEdifact(grouped);
    expect(allProblems(ic)).to.deep.equal([]);
    expect(ic).to.deep.include({ test: true, ackRequested: true });
  });
});

describe('check before it leaves: read back and validated with the hub\'s own rules', () => {
  const x12 = (setId: string, segments: OutboundSegment[], functionalId?: string): string => buildX12Interchange(
    { sender: { qualifier: 'ZZ', id: 'HUB' }, receiver: { qualifier: '01', id: '999999999' }, version: '00401', controlNumber: 1, date: now },
    [{ sender: 'HUB', receiver: 'ACME', controlNumber: 1, version: '004010', ...(functionalId ? { functionalId } : {}), transactions: [{ setId, controlNumber: 1, segments }] }],
  );
  const bodyOf = (name: string): EdiSegment[] => readX12(read('x12', name)).groups[0]!.transactions[0]!.segments.slice(1, -1);

  it('passes a real 850, 855, 856 and 810 body in the hub\'s envelopes', () => {
    for (const [setId, name] of [['850', 'node-x12-850.edi'], ['855', 'stupidedi-855.edi'], ['856', 'node-x12-856.edi'], ['810', 'staedi-simple810.edi']] as const) {
      const text = x12(setId, bodyOf(name));
      expect(checkOutbound('x12', text), name).to.deep.equal([]);
      expect(assertOutboundValid('x12', text, name)).to.equal(text);
    }
  });

  it('an invalid document is an error listing its problems: a missing BEG, a bad code, a set the hub has no rules for', () => {
    const body = bodyOf('node-x12-850.edi').filter((s) => s.id !== 'BEG').map((s) => (s.id === 'N1' ? { id: 'N1', elements: ['QQ', ...s.elements.slice(1)] } : s));
    const error = thrown(() => assertOutboundValid('x12', x12('850', body), '850 PO-1 for acme'));
    expect(error.code).to.equal('HUB_ERR_EDI_INVALID');
    expect(error.message).to.match(/^the X12 document built \(850 PO-1 for acme\) fails the hub's own check and is not sent: transaction 0001, BEG \(segment 2\): mandatory segment BEG is missing/);
    expect(located(checkOutbound('x12', x12('850', body))).slice(0, 3)).to.deep.equal(['segment:3:BEG@2.', 'segment:8:N1@9.', 'element:7:N1@9.1']);
    expect(error.errors.length).to.equal(checkOutbound('x12', x12('850', body)).length);
    expect(located(checkOutbound('x12', x12('830', [{ id: 'BFR', elements: ['00'] }], 'PS')))).to.deep.equal(['transaction:1:ST@.']);
  });

  const edifact = (type: string, release: string, segments: OutboundSegment[]): string => buildEdifactInterchange(
    { syntax: { identifier: 'UNOC' }, sender: { id: '5400110000009', qualifier: '14' }, receiver: { id: '5412345000013', qualifier: '14' }, date: now, controlReference: 1 },
    { messages: [{ reference: 1, type, release, associationCode: 'EAN008', segments }] },
  );
  const response: OutboundSegment[] = [
    { id: 'BGM', elements: ['231', 'RSP-4711', '4'] }, { id: 'DTM', elements: [['137', '20261202', '102']] }, { id: 'RFF', elements: [['ON', 'PO-4711']] },
    { id: 'NAD', elements: ['BY', ['5412345000013', '', '9']] }, { id: 'NAD', elements: ['SU', ['5400110000009', '', '9']] },
    { id: 'LIN', elements: ['1', '3', ['5410000000019', 'EN']] }, { id: 'QTY', elements: [['21', '40']] }, { id: 'DTM', elements: [['2', '20261210', '102']] },
    { id: 'UNS', elements: ['S'] }, { id: 'CNT', elements: [['2', '1']] },
  ];

  it('ORDRSP D96A and D01B have rules now: a response passes, a missing BGM or an order\'s BGM code does not', () => {
    for (const release of ['96A', '01B']) {
      expect(checkOutbound('edifact', edifact('ORDRSP', release, response)), release).to.deep.equal([]);
      expect(located(checkOutbound('edifact', edifact('ORDRSP', release, response.slice(1)))), release).to.deep.equal(['segment:13:BGM@2.']);
      expect(located(checkOutbound('edifact', edifact('ORDRSP', release, [{ id: 'BGM', elements: ['220', 'RSP-4711'] }, ...response.slice(1)]))), release).to.deep.equal(['element:14:BGM@2.1']);
    }
    expect(located(checkOutbound('edifact', edifact('ORDRSP', '93A', response)))).to.deep.equal(['transaction:14:UNH@1.2']);
  });

  it('an EDIFACT document out of its own rules is an error listing each problem: DTM without its qualifier, QTY not numeric', () => {
    const bad = response.map((s) => (s.id === 'QTY' ? { id: 'QTY', elements: [['21', 'FORTY']] } : s.id === 'DTM' ? { id: 'DTM', elements: [['', '20261202']] } : s));
    const error = thrown(() => assertOutboundValid('edifact', edifact('ORDRSP', '96A', bad), 'ORDRSP RSP-4711 for acme'));
    expect(error.errors.map((e) => e.message.replace(/:.*/, ''))).to.deep.equal(['transaction 1, DTM (segment 3), element 1', 'transaction 1, QTY (segment 8), element 1', 'transaction 1, DTM (segment 9), element 1']);
  });
});

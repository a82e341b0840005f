import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { splitInterchanges } from '../../../src/formats/edi-split.js';
import { projectRoot } from '../../../src/mapping/paths.js';

const fixture = (name: string): Buffer => readFileSync(path.join(projectRoot(), 'fixtures', name));
const text = (pieces: Buffer[]): string[] => pieces.map((p) => p.toString('latin1'));

describe('splitInterchanges: a batch body into its interchanges', () => {
  it("splits the real node-x12 batch file (two ISA…IEA) into two exact, equal slices, without the line break between", () => {
    const body = fixture('x12/node-x12-850-fat.edi');
    const pieces = splitInterchanges('x12', body);
    expect(pieces).to.have.length(2);
    for (const piece of pieces) {
      expect(piece.toString('latin1')).to.match(/^ISA\*01\*0000000000\*/);
      expect(piece.toString('latin1')).to.match(/IEA\*1\*000003438~$/);
    }
    expect(pieces[0]!.equals(pieces[1]!)).to.equal(true);
    expect(pieces[0]!.length + pieces[1]!.length + 2).to.equal(body.length); // two '\n' left out
  });

  it('returns a lone interchange whole, the same bytes', () => {
    const body = fixture('x12/node-x12-850.edi');
    expect(splitInterchanges('x12', body)).to.deep.equal([body]);
    const edifact = fixture('edifact/orders_d96a_eancom.edi');
    expect(splitInterchanges('edifact', edifact)).to.deep.equal([edifact]);
  });

  it('finds the IEA by segment, not by text: "IEA*" inside an element does not end the interchange', () => {
    const one = fixture('x12/node-x12-850.edi').toString('latin1').replace('PID*F****SMALL WIDGET~', 'PID*F****SMALL IEA*WIDGET~');
    const two = fixture('x12/edited-850-005010.edi').toString('latin1');
    expect(text(splitInterchanges('x12', Buffer.from(one + two, 'latin1')))).to.deep.equal([one.trimEnd(), two.trimEnd()]);
  });

  it('follows each interchange\'s own delimiters: newline terminators, then "~"', () => {
    const newline = fixture('x12/node-x12-850-2.edi').toString('latin1');
    const tilde = fixture('x12/node-x12-850.edi').toString('latin1');
    const pieces = text(splitInterchanges('x12', Buffer.from(`${newline}\n${tilde}`, 'latin1')));
    expect(pieces).to.have.length(2);
    expect(pieces[1]).to.equal(tilde.trimEnd());
    expect(pieces[0]).to.match(/^ISA/);
    expect(pieces[0]!.trimEnd()).to.match(/IEA[^\n]*$/);
  });

  it('splits EDIFACT interchanges, each with its own UNA, honouring the release character', () => {
    const a = fixture('edifact/orders_d96a_eancom.edi').toString('latin1').trimEnd(); // UNA:+.? ' and a ?: inside FTX
    const b = fixture('edifact/invoic_d97b_una.edi').toString('latin1').trimEnd(); // UNA=*.? ~, a ?+ style release
    const released = a.replace("FTX+ZZZ+++Deliver to gate 3?: ring first'", "FTX+ZZZ+++Deliver?'UNZ+1+X?' gate 3'");
    expect(text(splitInterchanges('edifact', Buffer.from(`${released}\r\n${b}\n`, 'latin1')))).to.deep.equal([released, b]);
  });

  it('returns the body whole when what follows an interchange is not another one, for the reader to judge', () => {
    const one = fixture('x12/node-x12-850.edi').toString('latin1');
    const body = Buffer.from(`${one}GS*PO*1*2~`, 'latin1');
    expect(splitInterchanges('x12', body)).to.deep.equal([body]);
    const cut = Buffer.from(one.slice(0, one.indexOf('IEA')), 'latin1');
    expect(splitInterchanges('x12', cut)).to.deep.equal([cut]);
  });
});

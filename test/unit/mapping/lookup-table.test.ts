import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { HubError } from '../../../src/errors/hub-error.js';
import { loadLookupTable } from '../../../src/mapping/lookup-table.js';

describe('lookup tables', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hub-xref-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  it('reads CSV with comments, quoted fields and extra columns; keeps leading zeros', () => {
    const table = loadLookupTable('items', write('items.csv', '# comment\npartner,key,value,name\n,00123,SKU-1,"Bolt, M6"\nacme,"A ""quoted"" id",SKU-2,x\n\n'));
    expect(table.get('00123', 'anyone')).to.equal('SKU-1');
    expect(table.get('123', 'anyone')).to.equal(undefined);
    expect(table.get('A "quoted" id', 'acme')).to.equal('SKU-2');
    expect(table.size).to.equal(2);
  });

  it('a partner row wins over a shared row, and is invisible to other partners', () => {
    const table = loadLookupTable('units', write('units.csv', 'partner,key,value\n,PCS,H87\nacme,PCS,C62\nacme,BOX,BX\n'));
    expect(table.get('PCS', 'acme')).to.equal('C62');
    expect(table.get('PCS', 'globex')).to.equal('H87');
    expect(table.get('BOX', 'globex')).to.equal(undefined);
  });

  it('reads YAML as a mapping or as a list of rows', () => {
    expect(loadLookupTable('u', write('a.yaml', 'PCS: H87\nEA: EA\n')).get('PCS', 'x')).to.equal('H87');
    const rows = loadLookupTable('u', write('b.yaml', '- { key: ST, value: H87, partner: initech }\n- { key: ST, value: C62 }\n'));
    expect(rows.get('ST', 'initech')).to.equal('H87');
    expect(rows.get('ST', 'acme')).to.equal('C62');
  });

  for (const [name, text, reason] of [
    ['dup.csv', 'key,value\nA,1\nA,2\n', 'line 3: duplicate key "A" (for all partners)'],
    ['cols.csv', 'id,sku\nA,1\n', 'the header row must name the columns key and value'],
    ['short.csv', 'key,value,partner\nA,1\n', 'line 2 has 2 column(s), the header has 3'],
    ['empty.csv', 'key,value\nA,\n', 'line 2: empty value for key "A"'],
    ['quote.csv', 'key,value\n"A,1\n', 'unterminated quoted field starting on line 2'],
    ['bad.yaml', '- { key: A }\n', 'row 1 needs a key and a value'],
    ['t.txt', 'A=1', 'unsupported file type'],
  ] as const) {
    it(`refuses ${name}: ${reason}`, () => {
      const file = write(name, text);
      expect(() => loadLookupTable('t', file)).to.throw(HubError, reason);
    });
  }

  it('refuses a missing file', () => {
    expect(() => loadLookupTable('t', path.join(dir, 'none.csv'))).to.throw(HubError, 'file not found or not readable');
  });
});

import { expect } from 'chai';
import jsonata from 'jsonata';
import { mappingFunctions, MappingFunctionError } from '../../../src/mapping/functions.js';
import { LookupTable } from '../../../src/mapping/lookup-table.js';
import { parseDocument } from '../../../src/mapping/parse.js';

const items = new LookupTable('items', '/x/items.csv');
items.add('00123', 'SKU-1');
items.add('A', 'SKU-ACME', 'acme');
const functions = mappingFunctions(new Map([['items', items]]), 'acme');

async function run(expression: string, input: unknown = {}): Promise<unknown> {
  return jsonata(expression).evaluate(input, { ...functions });
}

async function failure(expression: string, input: unknown = {}): Promise<MappingFunctionError> {
  const error = await run(expression, input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(MappingFunctionError);
  return error as MappingFunctionError;
}

describe('mapping functions', () => {
  const doc = parseDocument(
    '<?xml version="1.0"?><r:Root xmlns:r="urn:r" xmlns:c="urn:c"><c:ID schemeID="0088">00123</c:ID><c:Note>a</c:Note><c:Note>b</c:Note><c:Q unitCode="KGM">4.25</c:Q><c:Q unitCode="KGM">5.97</c:Q><c:Empty/></r:Root>',
  );

  it('parses with prefixes removed, attributes as _name, text as _text, everything a string', () => {
    expect(doc.rootName).to.equal('Root');
    expect(doc.root).to.deep.equal({ ID: { _text: '00123', _schemeID: '0088' }, Note: ['a', 'b'], Q: [{ _text: '4.25', _unitCode: 'KGM' }, { _text: '5.97', _unitCode: 'KGM' }], Empty: '' });
  });

  it('$text reads a plain or attributed element, gives nothing for empty, refuses several', async () => {
    expect(await run('$text(ID)', doc.root)).to.equal('00123');
    expect(await run('$text(Note[1])', doc.root)).to.equal('b');
    expect(await run('$text(Empty)', doc.root)).to.equal(undefined);
    expect(await run('$text(Missing)', doc.root)).to.equal(undefined);
    expect((await failure('$text(Note)', doc.root)).message).to.contain('got 2 elements where one was expected');
  });

  it('$texts lists or joins', async () => {
    expect(await run('$texts(Note)', doc.root)).to.deep.equal(['a', 'b']);
    expect(await run("$texts(Note, ' / ')", doc.root)).to.equal('a / b');
    expect(await run("$texts(Missing, ' / ')", doc.root)).to.equal(undefined);
  });

  it('$num converts decimals and refuses anything else', async () => {
    expect(await run('$num(Q[0])', doc.root)).to.equal(4.25);
    expect(await run('$num("-1.5e2")')).to.equal(-150);
    for (const bad of ['"1,5"', '"0x10"', '"abc"', '" "']) expect((await failure(`$num(${bad})`)).code).to.equal('HUB_ERR_MAPPING');
  });

  it('$date normalises xs:date, xs:dateTime and YYYYMMDD, and refuses impossible dates', async () => {
    expect(await run('$date("2010-01-20")')).to.equal('2010-01-20');
    expect(await run('$date("2010-01-20Z")')).to.equal('2010-01-20');
    expect(await run('$date("2010-01-20+01:00")')).to.equal('2010-01-20');
    expect(await run('$date("2010-01-20T12:30:00")')).to.equal('2010-01-20');
    expect(await run('$date("20100120")')).to.equal('2010-01-20');
    expect((await failure('$date("2010-02-30")')).message).to.contain('not a date');
    expect((await failure('$date("20/01/2010")')).message).to.contain('not a date');
  });

  it('$decimalSum adds exactly', async () => {
    expect(await run('$decimalSum(Q)', doc.root)).to.equal(10.22);
    expect(4.25 + 5.97).to.not.equal(10.22); // why it exists
    expect(await run('$decimalSum(["23", "6", "3.0", "0.975", "3"])')).to.equal(35.975);
    expect(await run('$decimalSum(["-1.5", "0.25"])')).to.equal(-1.25);
  });

  it('$lookup finds partner and shared rows, throws LOOKUP_MISSING otherwise, and keeps JSONata $lookup for objects', async () => {
    expect(await run("$lookup('items', ID)", doc.root)).to.equal('SKU-1');
    expect(await run("$lookup('items', 'A')")).to.equal('SKU-ACME');
    const missing = await failure("$lookup('items', '999')");
    expect(missing.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    expect(missing.details).to.deep.equal({ lookup: 'items', key: '999' });
    expect((await failure("$lookup('items', Missing)")).code).to.equal('HUB_ERR_MAPPING');
    expect(await run('$lookup({"a": 1}, "a")')).to.equal(1);
  });

  it('$lookupOr and $lookupFirst', async () => {
    expect(await run("$lookupOr('items', '999', 'none')")).to.equal('none');
    expect(await run("$lookupFirst('items', ['999', Missing, ID])", doc.root)).to.equal('SKU-1');
    const error = await failure("$lookupFirst('items', ['8', '9'])");
    expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    expect(error.details.key).to.deep.equal(['8', '9']);
  });

  it('$ids gives identifiers with their scheme, without duplicates', async () => {
    expect(await run('$ids([ID, ID, Note])', doc.root)).to.deep.equal([{ id: '00123', scheme: '0088' }, { id: 'a' }, { id: 'b' }]);
    expect(await run('$ids(Missing)', doc.root)).to.deep.equal([]);
  });

  it('$fail stops the mapping with the message', async () => {
    expect((await failure("$fail('no buyer')")).message).to.equal('no buyer');
  });
});

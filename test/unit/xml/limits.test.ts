import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkXmlLimits, DEFAULT_XML_LIMITS } from '../../../src/xml/limits.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/util/project-root.js';

function limitError(text: string, limits = DEFAULT_XML_LIMITS): HubError | undefined {
  try {
    checkXmlLimits(text, limits);
  } catch (error) {
    return error as HubError;
  }
  return undefined;
}

describe('xml/limits', () => {
  it('passes a real UBL order untouched', () => {
    const order = readFileSync(path.join(projectRoot(), 'fixtures/ubl-order/ubl-order-2.1-example.xml'), 'latin1');
    expect(limitError(order)).to.equal(undefined);
  });

  it('stops deep nesting, with the line', () => {
    const deep = '<a>\n' + '<b>'.repeat(65) + '</b>'.repeat(65) + '</a>';
    const error = limitError(deep)!;
    expect(error.code).to.equal('HUB_ERR_XML_LIMIT');
    expect(error.message).to.contain('64 levels of element nesting');
    expect(error.errors[0]!.line).to.equal(2);
    expect(limitError('<a>' + '<b/>'.repeat(1000) + '</a>')).to.equal(undefined);
  });

  it('stops too many elements, too many attributes, too long text, attribute values, comments and CDATA', () => {
    const small = { maxDepth: 10, maxElements: 5, maxAttributes: 3, maxTextLength: 10 };
    expect(limitError('<a>' + '<b/>'.repeat(5) + '</a>', small)!.message).to.contain('5 elements');
    expect(limitError('<a x="1" y="2" z="3" w="4"/>', small)!.message).to.contain('3 attributes');
    expect(limitError('<a>' + 'x'.repeat(11) + '</a>', small)!.message).to.contain('text node');
    expect(limitError('<a x="' + 'y'.repeat(11) + '"/>', small)!.message).to.contain('attribute value');
    expect(limitError('<a><!--' + 'c'.repeat(11) + '--></a>', small)!.message).to.contain('comment');
    expect(limitError('<a><![CDATA[' + 'c'.repeat(11) + ']]></a>', small)!.message).to.contain('CDATA');
    expect(limitError('<a x="a>b=c"><b/></a>', small)).to.equal(undefined);
  });
});

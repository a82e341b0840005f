import { expect } from 'chai';
import { documentText, indentXml, lineProblems, rawDocumentView } from '../../../src/console/document-view.js';

describe('console raw document view', () => {
  it('shows a document with lines as posted, numbered, escaped, with the lines of its problems marked', () => {
    const xml = '<?xml version="1.0"?>\n<a>\n  <b>&lt;script&gt;</b>\n  <c x="1"/>\n</a>';
    const out = rawDocumentView(Buffer.from(xml), [{ line: 3, column: 4, message: 'Element <b> is "bad"' }]).value;
    expect(out).to.not.contain('<b>').and.not.contain('<script>');
    expect(out).to.contain('&lt;b&gt;&amp;lt;script&amp;gt;&lt;/b&gt;');
    expect(out.match(/class="line[^"]*"/g)).to.have.length(5);
    const marked = [...out.matchAll(/<span class="line error-line"[^>]*><span class="ln">(\d+)<\/span>/g)].map((m) => m[1]);
    expect(marked).to.deep.equal(['3']);
    expect(out).to.contain('title="column 4: Element &lt;b&gt; is &quot;bad&quot;"');
    expect(out).to.contain('<li>line 3, column 4: Element &lt;b&gt; is &quot;bad&quot;</li>');
  });

  it('indents a document that came on one line, and lists its problems instead of marking lines that moved', () => {
    expect(indentXml('<a><b>x</b><c/></a>')).to.equal('<a>\n  <b>x</b>\n  <c/>\n</a>');
    const out = rawDocumentView(Buffer.from('<a><b>x</b></a>'), [{ line: 1, message: 'wrong' }]).value;
    expect(out).to.contain('Indented for reading: the document came on one line.');
    expect(out).to.not.contain('error-line');
    expect(out).to.contain('<li>line 1: wrong</li>');
    expect(indentXml('<a><b>')).to.equal(undefined);
    expect(rawDocumentView(Buffer.from('not xml at all'), []).value).to.contain('<span class="ln">1</span>not xml at all');
  });

  it('reads UTF-16 with its byte-order mark and drops a UTF-8 one', () => {
    expect(documentText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>ü</a>', 'utf16le')]))).to.equal('<a>ü</a>');
    expect(documentText(Buffer.from('\uFEFF<a/>'))).to.equal('<a/>');
  });

  it('takes the problems with a line from every error of the history, once each, in line order', () => {
    const errors = [{ errors: [{ line: 9, message: 'b' }, { message: 'no line' }, { line: 2, column: 5, message: 'a' }] }, undefined, { errors: [{ line: 9, message: 'b' }, { line: 0, message: 'zero' }, 'junk'] }];
    expect(lineProblems(errors)).to.deep.equal([{ line: 2, column: 5, message: 'a' }, { line: 9, message: 'b' }]);
  });
});

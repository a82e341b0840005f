import { expect } from 'chai';
import { escapeHtml, html, SafeHtml } from '../../../src/console/html.js';

describe('console html template', () => {
  it('escapes every interpolated value that could end an element or an attribute', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='x' \`&`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).to.equal(`<p title="${escapeHtml(hostile)}">${escapeHtml(hostile)}</p>`);
    expect(out).to.not.contain('<script>');
    expect(out).to.not.match(/' onmouseover/);
    expect(escapeHtml(`&<>"'\``)).to.equal('&amp;&lt;&gt;&quot;&#39;&#96;');
  });

  it('keeps nested fragments as they are, renders arrays item by item, and nothing for undefined, null and false', () => {
    const items = ['a<b', 'c'];
    const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${undefined}${null}${false}${0}`;
    expect(out).to.be.instanceOf(SafeHtml);
    expect(out.value).to.equal('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });
});

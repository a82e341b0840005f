import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../helpers/test-hub.js';
import { runtimeWarnings, SUPPORTED_NODE } from '../../../src/util/runtime.js';

describe('runtime warnings', () => {
  it('names the UTF-16 heap overflow on Node 24.16 to 24.21, and nothing on 24.15 or 24.22', () => {
    for (const v of ['24.16.0', '24.18.1', '24.21.0']) expect(runtimeWarnings(v).join(' '), v).to.match(/overflows the heap.*upgrade to Node 24\.22/);
    expect(runtimeWarnings('24.15.0').join(' ')).not.to.match(/overflows the heap/);
    for (const v of ['24.22.1', '24.22.3', '22.12.0', '22.23.5', '26.1.0']) expect(runtimeWarnings(v), v).to.deep.equal([]);
  });

  it('warns on Node 20 (end of life), on lines the hub is not tested on, and on odd majors', () => {
    expect(runtimeWarnings('20.20.2').join(' ')).to.match(/end of life/);
    expect(runtimeWarnings('20.20.2').join(' ')).not.to.match(/not a runtime/);
    for (const v of ['18.20.0', '20.18.0', '21.7.0', '24.15.0', '22.11.0', '23.1.0', '25.2.0']) expect(runtimeWarnings(v).join(' '), v).to.match(/not a runtime the hub is tested on/);
  });

  it('states the same supported range as package.json engines', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).to.equal(SUPPORTED_NODE);
  });
});

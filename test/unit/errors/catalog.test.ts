import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from '../../../src/errors/catalog.js';
import { projectRoot } from '../../../src/util/project-root.js';

describe('errors/catalog', () => {
  it('documents every error code in docs/errors.md, and nothing else', () => {
    const doc = readFileSync(path.join(projectRoot(), 'docs/errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/`(HUB_ERR_[A-Z_]+)`/g)].map((m) => m[1]));
    expect([...documented].sort()).to.deep.equal(Object.keys(ERROR_CATALOG).sort());
  });

  it('gives every code an HTTP error status', () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOG)) expect(spec.status, code).to.be.within(400, 599);
  });
});

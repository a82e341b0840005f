/**
 * The Tryton passwords the setup writes: Tryton's own rules (length, entropy 0.75 by default) must accept every
 * one, and a kept file that they refuse is replaced rather than failing every later run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../helpers/test-hub.js';

const PYTHON = process.env.TRYTON_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(ROOT, 'scripts/erp/password.py');
const run = (...args: string[]) => spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8' });

describe('Tryton passwords (scripts/erp/password.py)', function () {
  let dir: string;
  let conf: string;
  before(function () {
    if (spawnSync(PYTHON, ['-c', 'import trytond.config'], { encoding: 'utf8' }).status !== 0) this.skip();
    dir = mkdtempSync(path.join(os.tmpdir(), 'hub-tryton-pw-'));
    conf = path.join(dir, 'trytond.conf');
    writeFileSync(conf, '[database]\nuri = sqlite://\n');
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('creates a password Tryton accepts, mode 0600, and keeps it on the next run', () => {
    const file = path.join(dir, 'new.password');
    expect(run('ensure', file, conf).stdout.trim()).to.equal('created');
    const first = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(run('check', file, conf).status).to.equal(0);
    expect(run('ensure', file, conf).stdout.trim()).to.equal('kept');
    expect(readFileSync(file, 'utf8')).to.equal(first);
  });

  it('replaces a kept password that Tryton refuses for repeated characters (the defect of the old generator)', () => {
    const file = path.join(dir, 'refused.password');
    writeFileSync(file, 'aAbBcCdD11223344aabbccdd\n', { mode: 0o600 }); // 24 chars, 12 distinct: 0.5 < 0.75
    const check = run('check', file, conf);
    expect(check.status).to.equal(1);
    expect(check.stderr).to.match(/same characters appear too many times/);
    expect(run('ensure', file, conf).stdout).to.match(/^replaced/);
    expect(run('check', file, conf).status).to.equal(0);
  });

  it('every one of 500 generated passwords passes the entropy rule (the old token_urlsafe(18) did not)', () => {
    const out = spawnSync(
      PYTHON,
      ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(path.dirname(SCRIPT))}); import password; from trytond.config import config
bad = [p for p in (password.generate() for _ in range(500)) if password.refusal(p)]
import secrets; old = sum(1 for _ in range(2000) if password.refusal(secrets.token_urlsafe(18)))
print(len(bad), old)`],
      { encoding: 'utf8' },
    );
    expect(out.status, out.stderr).to.equal(0);
    const [bad, old] = out.stdout.trim().split(' ').map(Number);
    expect(bad).to.equal(0);
    // The control: the old generator is refused now and then, so this check can tell them apart.
    expect(old).to.be.above(0);
  });
});

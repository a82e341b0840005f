import { expect } from 'chai';
import { generatePassword, hashPassword, verifyAgainstNobody, verifyPassword } from '../../../src/console/passwords.js';
import { parseRole } from '../../../src/console/roles.js';

describe('console passwords', () => {
  it('stores scrypt with its parameters and a fresh salt, and verifies only the right password', async () => {
    const password = generatePassword();
    expect(password).to.match(/^[A-Za-z0-9_-]{24}$/);
    const [a, b] = [await hashPassword(password), await hashPassword(password)];
    expect(a).to.match(/^scrypt\$N=32768,r=8,p=1\$/);
    expect(a).to.not.equal(b);
    expect(a).to.not.contain(password);
    expect(await verifyPassword(password, a)).to.equal(true);
    expect(await verifyPassword(password, b)).to.equal(true);
    expect(await verifyPassword(`${password}x`, a)).to.equal(false);
    expect(await verifyPassword('', a)).to.equal(false);
  });

  it('never matches a malformed or out-of-bounds hash, or nobody', async () => {
    const good = await hashPassword('secret');
    expect(await verifyPassword('secret', good.replace('N=32768', 'N=3'))).to.equal(false);
    expect(await verifyPassword('secret', good.replace('N=32768', 'N=1073741824'))).to.equal(false);
    expect(await verifyPassword('secret', 'plain:secret')).to.equal(false);
    expect(await verifyAgainstNobody('secret')).to.equal(false);
  });

  it('parses roles against the configured partners', () => {
    const config = { partners: { acme: {} as never } };
    expect(parseRole('ops', config)).to.deep.equal({ kind: 'staff', role: 'ops' });
    expect(parseRole('partner:acme', config)).to.deep.equal({ kind: 'partner', partnerId: 'acme' });
    expect(parseRole('partner:nobody', config)).to.deep.equal({ error: 'no partner "nobody" is configured (partners: acme)' });
    expect(parseRole('admin', config)).to.have.property('error').that.contains('unknown role "admin"');
    expect(parseRole('partner:toString', config)).to.have.property('error');
  });
});

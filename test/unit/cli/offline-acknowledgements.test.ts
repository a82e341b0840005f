import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { OfflineMapper } from '../../../src/cli/offline.js';
import { loadConfig } from '../../../src/config/load.js';
import { redactForPartner } from '../../../src/http/routes/documents.js';
import { projectRoot } from '../../../src/mapping/paths.js';

describe('hub ack and hub map judge a partner\'s own 997 as the intake does', function () {
  this.timeout(30_000);
  let mapper: OfflineMapper;
  before(async () => {
    mapper = await OfflineMapper.create(loadConfig());
  });
  after(() => mapper.close());

  it('a 997 is an acknowledgement: not mapped, not refused, and no acknowledgement is built for it', async () => {
    const bytes = readFileSync(path.join(projectRoot(), 'fixtures/x12/expected/node-x12-850.997'));
    const [{ transactions }] = await mapper.interchanges(bytes, { partner: 'x12-customer' });
    expect(transactions.map((t) => [t.setId, t.outcome])).to.deep.equal([['997', 'acknowledgement']]);
    expect(await mapper.acknowledgements(bytes, { partner: 'x12-customer' })).to.deep.equal([]);
  });

  it('a document beside it still gets its 997', async () => {
    const acks = await mapper.acknowledgements(readFileSync(path.join(projectRoot(), 'fixtures/x12/node-x12-850.edi')));
    expect(acks.map((a) => a.kind)).to.deep.equal(['997']);
  });
});

describe('redactForPartner', () => {
  it('hides the hub\'s file names and paths but leaves media types alone', () => {
    expect(redactForPartner('send it as application/xml or application/edi-x12')).to.equal('send it as application/xml or application/edi-x12');
    expect(redactForPartner('mapping /work/main/mappings/ubl-order.yaml (line 3) and config/xref/items.csv')).to.equal('mapping (hub configuration) (line 3) and (hub configuration)');
  });
});

import { expect } from 'chai';
import { csvField, parseRange, tableCsv } from '../../../src/console/summaries.js';
import { periodEnd, periodsOf, periodStart } from '../../../src/console/summaries-departments.js';

describe('console summaries: CSV, ranges and periods', () => {
  it('quotes what must be quoted and keeps a spreadsheet from reading a cell as a formula', () => {
    expect(csvField('SKU-1')).to.equal('SKU-1');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('two\nlines')).to.equal('"two\nlines"');
    expect(csvField(' padded')).to.equal('" padded"');
    for (const formula of ['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\tx']) expect(csvField(formula).replace(/^"/, '')).to.match(/^'/);
    expect(csvField('=1,2')).to.equal(`"'=1,2"`);
    // A plain negative number stays a number.
    expect(csvField('-1500')).to.equal('-1500');
    expect(csvField('-3.96')).to.equal('-3.96');
    const csv = tableCsv({ id: 'x', title: 'X', columns: ['Item', 'Qty'], rows: [[{ text: '=cmd' }, { text: '-1', numeric: true }]], empty: '' });
    expect(csv).to.equal("Item,Qty\r\n'=cmd,-1\r\n");
  });

  it('parses the range: the last 90 days by day by default, dates checked, too many periods refused', () => {
    const { range, by } = parseRange({});
    expect(by).to.equal('day');
    expect(periodsOf(range, 'day')).to.have.length(90);
    expect(parseRange({ from: '2024-01-01', to: '2024-12-31', by: 'week' }).range).to.deep.equal({ from: '2024-01-01', to: '2024-12-31' });
    expect(() => parseRange({ from: '2024-02-30' })).to.throw('calendar date');
    expect(() => parseRange({ from: '2024-03-01', to: '2024-02-01' })).to.throw('must not be later');
    expect(() => parseRange({ by: 'year' })).to.throw('day, week, month');
    expect(() => parseRange({ from: '2000-01-01', to: '2024-01-01' })).to.throw('more than the 1000');
    expect(() => parseRange({ from: ['2024-01-01', '2024-02-01'] })).to.throw('given once');
  });

  it('groups days into ISO weeks from Monday and calendar months', () => {
    expect(periodStart('2026-12-02', 'week')).to.equal('2026-11-30');
    expect(periodStart('2026-11-30', 'week')).to.equal('2026-11-30');
    expect(periodStart('2026-12-06', 'week')).to.equal('2026-11-30');
    expect(periodEnd('2026-11-30', 'week')).to.equal('2026-12-06');
    expect(periodStart('2024-02-29', 'month')).to.equal('2024-02-01');
    expect(periodEnd('2024-02-01', 'month')).to.equal('2024-02-29');
    expect(periodsOf({ from: '2024-01-15', to: '2024-04-01' }, 'month')).to.deep.equal(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01']);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeSeries, parseSeriesObjective, summarize, type SeriesObjective } from '../../../src/analysis/series.js';
import type { ObservedQuery } from '../../../src/model/result.js';

function query(series: ObservedQuery['series'], extra: Partial<ObservedQuery> = {}): ObservedQuery {
  return { name: 'cpu', query: 'x', source: 'prometheus', series, drill: null, disruption: null, ...extra };
}
const objective = (text: string): SeriesObjective => parseSeriesObjective(text) as SeriesObjective;

test('series objectives parse as max<0.8, avg<0.5, last==0; anything else says what is expected', () => {
  assert.deepEqual(parseSeriesObjective(' max < 0.8 '), { source: 'max < 0.8', stat: 'max', op: '<', value: 0.8 });
  assert.deepEqual(parseSeriesObjective('last==0'), { source: 'last==0', stat: 'last', op: '==', value: 0 });
  assert.match(parseSeriesObjective('p(95)<3') as string, /expected an objective like 'max<0\.8'/);
});

test('summaries over every label set, inside a span of the drill', () => {
  const series = [
    { labels: { node: 'a' }, t: [0, 1000, 2000, 3000], v: [1, 5, 2, 1] },
    { labels: { node: 'b' }, t: [0, 1000, 2000, 3000], v: [0, 0, 9, 3] },
  ];
  assert.deepEqual(summarize(series), { min: 0, avg: 21 / 8, max: 9, last: 3 });
  assert.deepEqual(summarize(series, 1000, 1000), { min: 0, avg: 2.5, max: 5, last: 0 });
  assert.equal(summarize(series, 5000, 6000), null, 'no point in the span: no summary, not 0');
});

test('an objective holds for every label set; the measured figure names the worst one', () => {
  const series = [
    { labels: { node: 'a' }, t: [0, 1000], v: [0.2, 0.5] },
    { labels: { node: 'b' }, t: [0, 1000], v: [0.3, 0.93] },
  ];
  const failed = judgeSeries(query(series, { unit: 'cores' }), objective('max<0.8'));
  assert.deepEqual(failed, { name: 'cpu max', limit: 'max<0.8', measured: 'max=0.93 cores {node="b"}', passed: false, basis: '2 series' });
  assert.equal(judgeSeries(query(series), objective('max<1')).passed, true);
  assert.equal(judgeSeries(query(series), objective('last>=0.5')).passed, true);
});

test('no data, or an error, is never a pass and never 0', () => {
  assert.deepEqual(judgeSeries(query([], { error: 'no data: the query returned no series' }), objective('max<1')), {
    name: 'cpu max',
    limit: 'max<1',
    measured: 'no data: the query returned no series',
    passed: false,
  });
  assert.equal(judgeSeries(query([{ labels: {}, t: [], v: [] }]), objective('max<1')).measured, 'no data in the drill window');
});

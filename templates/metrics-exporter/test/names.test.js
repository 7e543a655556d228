import assert from 'node:assert/strict';
import {test} from 'node:test';
import {flatten} from '../src/flatten.js';
import {metricName, metricType} from '../src/metric-name.js';

test('metric names are sanitized to [a-zA-Z_:][a-zA-Z0-9_:]*', () => {
  const cases = [
    [['requests_total'], 'app_requests_total'],
    [['queue', 'depth'], 'app_queue_depth'],
    [['http.latency-ms'], 'app_http_latency_ms'],
    [['a:b', 'c d', 'é'], 'app_a_b_c_d__'],
    [['items', '0'], 'app_items_0'],
  ];
  for (const [path, expected] of cases) assert.equal(metricName('app', path), expected);
  assert.equal(metricName('', ['9lives']), '_9lives');
});

test('_total means counter, anything else gauge', () => {
  assert.equal(metricType('app_requests_total'), 'counter');
  assert.equal(metricType('app_total_size'), 'gauge');
});

test('flatten keeps numbers and booleans, drops strings and nulls', () => {
  assert.deepEqual(flatten({a: 1, b: {c: true, d: 'x', e: null, f: [2, false]}}), [
    {path: ['a'], value: 1},
    {path: ['b', 'c'], value: 1},
    {path: ['b', 'f', '0'], value: 2},
    {path: ['b', 'f', '1'], value: 0},
  ]);
});

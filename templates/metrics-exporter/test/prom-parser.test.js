import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parsePrometheusText} from './prom-parser.js';

// The parser is itself tested, so a green exporter test means something.
test('accepts well-formed text', () => {
  const families = parsePrometheusText([
    '# HELP a_total Requests.\\nSecond line.',
    '# TYPE a_total counter',
    'a_total{code="200",path="/x\\"y"} 3 1700000000000',
    '# TYPE b gauge',
    'b -1.5e3',
    'b{x="1"} NaN',
    '',
  ].join('\n'));
  assert.equal(families.get('a_total').help, 'Requests.\nSecond line.');
  assert.deepEqual(families.get('a_total').samples[0].labels, {code: '200', path: '/x"y'});
  assert.equal(families.get('b').samples[0].value, -1500);
});

test('rejects malformed text', () => {
  const bad = {
    'no trailing newline': '# TYPE a gauge\na 1',
    'bad name': '# TYPE 1a gauge\n1a 1\n',
    'sample before TYPE': 'a 1\n# TYPE a gauge\n',
    'no TYPE at all': 'a 1\n',
    'two TYPEs': '# TYPE a gauge\n# TYPE a gauge\na 1\n',
    'bad value': '# TYPE a gauge\na one\n',
    'duplicate series': '# TYPE a gauge\na 1\na 2\n',
    'split family': '# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x="1"} 2\n',
    'blank line': '# TYPE a gauge\n\na 1\n',
    'stray comment': '# hello\n',
    'unescaped quote': '# TYPE a gauge\na{x="""} 1\n',
  };
  for (const [why, text] of Object.entries(bad)) {
    assert.throws(() => parsePrometheusText(text), undefined, why);
  }
});

// A deliberately strict parser for the Prometheus text format 0.0.4, as the
// exporter must produce it: every line is a HELP, a TYPE or a sample; every
// family has one TYPE that precedes its samples, which are contiguous; names,
// labels and values are well-formed; no series appears twice; the text ends
// with a newline. It throws on the first violation, naming the line.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABELS = `\\{(?:${LABEL_NAME}=${LABEL_VALUE}(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\}`;
const VALUE = '[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?Inf|NaN';
const SAMPLE = new RegExp(`^(${NAME})(${LABELS})? (${VALUE})(?: (-?\\d+))?$`);
const HELP = new RegExp(`^# HELP (${NAME}) ((?:[^\\\\\\n]|\\\\[\\\\n])*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SUFFIXES = ['_bucket', '_sum', '_count'];

export function parsePrometheusText(text) {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map();
  const series = new Set();
  const closed = new Set();
  let current;
  text.slice(0, -1).split('\n').forEach((line, index) => {
    const where = `line ${index + 1} "${line}"`;
    let match;
    if ((match = HELP.exec(line))) {
      const family = familyFor(families, match[1]);
      if (family.help !== undefined) throw new Error(`${where}: second HELP for ${match[1]}`);
      if (family.samples.length > 0) throw new Error(`${where}: HELP after samples`);
      family.help = match[2].replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    } else if ((match = TYPE.exec(line))) {
      const family = familyFor(families, match[1]);
      if (family.type !== undefined) throw new Error(`${where}: second TYPE for ${match[1]}`);
      if (family.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
      family.type = match[2];
    } else if ((match = SAMPLE.exec(line))) {
      const [, name, labels = '', value] = match;
      const familyName = baseName(families, name);
      const family = families.get(familyName);
      if (!family?.type) throw new Error(`${where}: sample without a preceding TYPE`);
      if (closed.has(familyName)) throw new Error(`${where}: samples of ${familyName} are not contiguous`);
      if (current && current !== familyName) closed.add(current);
      current = familyName;
      if (series.has(name + labels)) throw new Error(`${where}: duplicate series`);
      series.add(name + labels);
      family.samples.push({name, labels: parseLabels(labels), value: Number(value.replace(/Inf$/, 'Infinity'))});
    } else {
      throw new Error(`${where}: not a HELP, TYPE or sample line`);
    }
  });
  return families;
}

function familyFor(families, name) {
  if (!families.has(name)) families.set(name, {help: undefined, type: undefined, samples: []});
  return families.get(name);
}

// Histogram/summary samples (x_bucket, x_sum, x_count) belong to family x.
function baseName(families, name) {
  for (const suffix of SUFFIXES) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(families.get(base)?.type)) return base;
  }
  return name;
}

function parseLabels(text) {
  const labels = {};
  for (const [, name, value] of text.matchAll(new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g'))) {
    if (name in labels) throw new Error(`duplicate label ${name}`);
    labels[name] = JSON.parse(value);
  }
  return labels;
}

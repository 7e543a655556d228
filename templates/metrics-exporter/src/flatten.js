// {"queue": {"depth": 3}, "up": true, "items": [4]} ->
// [{path: ['queue','depth'], value: 3}, {path: ['up'], value: 1}, {path: ['items','0'], value: 4}]
// Prometheus samples are numbers: booleans become 0/1, strings and nulls are
// dropped (they are labels or info, not measurements).
export function flatten(value, path = [], out = []) {
  if (typeof value === 'number' && Number.isFinite(value)) out.push({path, value});
  else if (typeof value === 'boolean') out.push({path, value: value ? 1 : 0});
  else if (Array.isArray(value)) value.forEach((item, index) => flatten(item, [...path, String(index)], out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, [...path, key], out);
  }
  return out;
}

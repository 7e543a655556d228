import path from 'node:path';
import os from 'node:os';
import {describe, expect, it} from 'vitest';
import {didYouMean} from '../../../src/manifest/did-you-mean.js';
import {DURATION_RANGES, durationRangeProblem, formatDuration, MAX_TIMER_MS, parseDuration, parseDurationText} from '../../../src/manifest/duration.js';
import {parsePort} from '../../../src/manifest/ports.js';
import {parseVolumeMount} from '../../../src/manifest/volumes.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250], ['2s', 2000], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5s', 1500], ['0s', 0], ['1m0.5s', 60_500], ['10', undefined],
    ['', undefined], ['2 s', undefined], ['-1s', undefined], ['1d', undefined], ['s', undefined], ['1s2', undefined], ['ms', undefined],
  ] as const)('%j -> %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([[250, '250ms'], [2000, '2s'], [90_000, '90s'], [120_000, '2m'], [3_600_000, '1h'], [0, '0s']] as const)('formatDuration(%i) = %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  // Issue 9.10: Node's timers overflow past 2^31 - 1 ms and fire after 1 ms.
  it('refuses what no timer can wait for (command-line flags parse through it)', () => {
    expect(parseDuration('596h')).toBe(596 * 3_600_000);
    expect(parseDuration('597h')).toBeUndefined();
    expect(parseDuration('1000h')).toBeUndefined();
    expect(parseDuration(`${'9'.repeat(400)}h`)).toBeUndefined();
    expect(parseDuration(`${MAX_TIMER_MS}ms`)).toBe(MAX_TIMER_MS);
    expect(parseDuration(`${MAX_TIMER_MS + 1}ms`)).toBeUndefined();
    expect(parseDurationText('1000h')).toBe(3_600_000_000);
    expect(parseDurationText(`${'9'.repeat(400)}h`)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    ['interval', '0s', /shorter than 100ms: probes more often/],
    ['interval', '99ms', /shorter than 100ms/],
    ['interval', '600h', /longer than 24h/],
    ['timeout', '0s', /shorter than 10ms/],
    ['startTimeout', '600h', /longer than 24h/],
    ['startTimeout', '0s', /shorter than 100ms/],
    ['stopTimeout', '1000h', /longer than 24h/],
    ['startPeriod', '25h', /longer than 24h/],
  ] as const)('%s %s is out of range', (field, text, message) => {
    const problem = durationRangeProblem(`${field} ${text}`, parseDurationText(text)!, DURATION_RANGES[field]);
    expect(problem?.message).toMatch(new RegExp(`^${field} ${text} `));
    expect(problem?.message).toMatch(message);
    expect(problem?.suggestion).toMatch(/^use a duration from \S+ to 24h$/);
  });

  it.each([
    ['interval', '100ms'], ['interval', '24h'], ['timeout', '10ms'], ['startPeriod', '0s'], ['startTimeout', '100ms'], ['stopTimeout', '0s'], ['stopTimeout', '24h'],
  ] as const)('%s %s is in range', (field, text) => {
    expect(durationRangeProblem(text, parseDurationText(text)!, DURATION_RANGES[field])).toBeUndefined();
  });
});

describe('parsePort', () => {
  const tcp = (hostIp: string, hostPort: number, containerPort: number) => ({hostIp, hostPort, containerPort, protocol: 'tcp'});
  it.each([
    ['8080', tcp('127.0.0.1', 8080, 8080)],
    [8080, tcp('127.0.0.1', 8080, 8080)],
    ['18080:8080', tcp('127.0.0.1', 18080, 8080)],
    ['0.0.0.0:80:8080', tcp('0.0.0.0', 80, 8080)],
    ['192.168.1.10:8080:80', tcp('192.168.1.10', 8080, 80)],
    ['localhost:8080:80', tcp('127.0.0.1', 8080, 80)],
    ['[::1]:8080:80', tcp('::1', 8080, 80)],
    ['[::]:8080:80', tcp('::', 8080, 80)],
    ['127.0.0.1:8080:80/tcp', tcp('127.0.0.1', 8080, 80)],
    ['5353:53/udp', {hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp'}],
    ['[::1]:5353:53/udp', {hostIp: '::1', hostPort: 5353, containerPort: 53, protocol: 'udp'}],
  ] as const)('%j', (spec, mapping) => {
    expect(parsePort(spec)).toEqual(mapping);
  });

  it.each([
    ['70000:8080', /out of range/], ['8080:0', /out of range/], ['0', /out of range/], ['65536', /out of range/],
    ['1:2:3:4', /not a port mapping/], ['http', /not a port mapping/], ['8080/sctp', /not a port mapping/], ['', /not a port mapping/],
    ['::1:8080:80', /not a port mapping/], ['300.1.1.1:80:80', /not an IPv4 address/], ['8080-8081:80', /not a port mapping/],
  ] as const)('%j is rejected', (spec, message) => {
    expect(parsePort(spec)).toMatch(message);
  });
});

describe('parseVolumeMount', () => {
  const dir = '/project';
  it.each([
    ['logs:/var/log/app', {type: 'volume', source: 'logs', target: '/var/log/app', readOnly: false}],
    ['logs:/var/log/app:ro', {type: 'volume', source: 'logs', target: '/var/log/app', readOnly: true}],
    ['logs:/var/log/app:rw', {type: 'volume', source: 'logs', target: '/var/log/app', readOnly: false}],
    ['my_data.v2:/data', {type: 'volume', source: 'my_data.v2', target: '/data', readOnly: false}],
    ['./config:/etc/app:ro', {type: 'bind', source: './config', hostPath: '/project/config', target: '/etc/app', readOnly: true}],
    ['../shared:/shared', {type: 'bind', source: '../shared', hostPath: '/shared', target: '/shared', readOnly: false}],
    ['/abs/path:/in', {type: 'bind', source: '/abs/path', hostPath: '/abs/path', target: '/in', readOnly: false}],
    ['~/cache:/cache', {type: 'bind', source: '~/cache', hostPath: path.join(os.homedir(), 'cache'), target: '/cache', readOnly: false}],
  ] as const)('%j', (spec, mount) => {
    expect(parseVolumeMount(spec, dir)).toEqual(mount);
  });

  it.each([
    ['logs', /not SOURCE:TARGET/], ['a:/b:ro:x', /not SOURCE:TARGET/], ['logs:/x:rx', /mode "rx"/],
    ['logs:var/log', /must be an absolute path/], ['Logs:/x', /neither a volume name nor a path/], [':/x', /neither a volume name nor a path/],
  ] as const)('%j is rejected', (spec, message) => {
    expect(parseVolumeMount(spec, dir)).toMatch(message);
  });
});

describe('didYouMean', () => {
  it.each([
    ['imgae', ['image', 'build', 'command'], 'image'],
    ['comand', ['image', 'build', 'command'], 'command'],
    ['intervall', ['interval', 'timeout'], 'interval'],
    ['sidecar', ['sidecars', 'init'], 'sidecars'],
    ['HEALTH', ['health'], 'health'],
    ['zzz', ['image', 'build'], undefined],
    ['x', ['image'], undefined],
  ] as const)('%j -> %j', (input, candidates, guess) => {
    expect(didYouMean(input, candidates)).toBe(guess);
  });
});

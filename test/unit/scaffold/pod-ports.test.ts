import {describe, expect, it} from 'vitest';
import {appPortOf, isFront, listenedPorts, parsePortSpec, servicesOf, upstreamPort, withPort} from '../../../src/scaffold/pod-ports.js';

describe('pod ports (what init/add wire against)', () => {
  it.each([
    ['8080', {host: 8080, container: 8080}],
    ['8000:8080', {host: 8000, container: 8080}],
    ['127.0.0.1:8000:8080/tcp', {host: 8000, container: 8080}],
    ['${PORT}:8080', undefined],
  ])('parsePortSpec(%s)', (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  it.each([
    ['8080', 8080],
    ['127.0.0.1:8080', 8080],
    ['http://localhost:4180/', 4180],
    ['http://127.0.0.1:8080/metrics.json', undefined],
    ['http://api.example:8080', undefined],
  ])('upstreamPort(%s)', (value, expected) => {
    expect(upstreamPort(value)).toBe(expected);
  });

  it('withPort moves a loopback reference, keeping its path', () => {
    expect(withPort('http://127.0.0.1:8080/-/reload', 9000)).toBe('http://127.0.0.1:9000/-/reload');
    expect(withPort('8080', 9000)).toBe('9000');
  });

  const manifest = {
    app: {env: {PORT: '3000'}, ports: ['3000:3000']},
    sidecars: {
      proxy: {env: {LISTEN_PORT: '8000', UPSTREAM_PORT: '3000'}, ports: ['8000:8000'], health: {tcp: {port: 8000}}},
      metrics: {env: {PORT: '9464', TARGET_URL: 'http://127.0.0.1:3000/metrics.json'}, ports: ['9464:9464']},
    },
  };

  it('listenedPorts counts probes, container ports and *PORT env, not upstream ports', () => {
    const [, proxy] = servicesOf(manifest);
    expect(listenedPorts(proxy!).sort()).toEqual([8000]);
  });

  it('the app port comes from the probe, else PORT, else ports', () => {
    expect(appPortOf(manifest)).toBe(3000);
    expect(appPortOf({app: {health: {http: {port: 8081}}, env: {PORT: '3000'}}})).toBe(8081);
    expect(appPortOf({app: {command: ['x']}})).toBeUndefined();
  });

  it('a front publishes a port and forwards to a loopback port; an exporter calling a path is not one', () => {
    const [, proxy, metrics] = servicesOf(manifest);
    expect(isFront(proxy!)).toBe(true);
    expect(isFront(metrics!)).toBe(false);
  });
});

import {parseDocument, type YAMLMap} from 'yaml';
import {describe, expect, it} from 'vitest';
import {placeFragment} from '../../../src/scaffold/fragment-node.js';
import {readWiring} from '../../../src/scaffold/template-wiring.js';
import {wireSidecar} from '../../../src/scaffold/wire-sidecar.js';

const PROJECT = `version: 1
app:
  command: [node, server.js]
  env: {PORT: "3000"}
  ports: ["3000:3000"]
  health: {http: {port: 3000, path: /healthz}}
sidecars:
  proxy:
    command: [node, proxy.js]
    env: {LISTEN_PORT: "8000", UPSTREAM_PORT: "3000"}
    ports: ["8000:8000"]
    health: {tcp: {port: 8000}}
`;
const fragment = (text: string): YAMLMap => parseDocument(text).contents as YAMLMap;

// Issue 8.9 / 8.3: what init and add change around a sidecar they add.
describe('wireSidecar', () => {
  it('a front proxy forwards to the outermost front, and becomes the only published port', () => {
    const doc = parseDocument(PROJECT);
    const node = fragment('command: [node, main.js]\nenv: {LISTEN_PORT: "4180", UPSTREAM: "http://127.0.0.1:8080"}\nports: ["4180:4180"]\nhealth: {http: {port: 4180}}\n');
    const notes = wireSidecar(doc, 'auth', node, readWiring({listen: ['LISTEN_PORT'], upstream: ['UPSTREAM'], front: 'LISTEN_PORT', next: ['in: __NAME__ on __PORT__']}));
    expect(node.toJSON()).toMatchObject({env: {UPSTREAM: 'http://127.0.0.1:8000'}, ports: ['4180:4180']});
    expect(doc.getIn(['app', 'ports'])).toBeUndefined();
    expect(doc.getIn(['sidecars', 'proxy', 'ports'])).toBeUndefined();
    expect(notes).toContain('in: auth on 4180');
    expect(notes.some((note) => note.startsWith('app is no longer published (was 3000)'))).toBe(true);
  });

  it('a moved port is moved in the comment above the sidecar too (issue 8.3 audit: `add http-proxy --name edge` kept "calls 127.0.0.1:15001")', () => {
    const doc = parseDocument(PROJECT);
    // Placed as add places a template's fragment, leading comment and all.
    const {node} = placeFragment('# metrics: scrape http://127.0.0.1:8000/metrics\n# (8000 is its port)\ncommand: [node, main.js]\nenv: {PORT: "8000"}\nports: ["8000:8000"]\n', {projectDir: './sidecars/metrics', hasDockerfile: false, source: 'test'});
    wireSidecar(doc, 'metrics', node, readWiring({listen: ['PORT']}));
    const comment = [node.commentBefore, node.items[0]?.key && (node.items[0].key as {commentBefore?: string}).commentBefore].filter(Boolean).join('\n');
    expect(comment).toBe(' metrics: scrape http://127.0.0.1:8001/metrics\n (8000 is its port)');
  });

  it('moves listen ports another service holds, with the probe that checks them', () => {
    const doc = parseDocument(PROJECT);
    const node = fragment('env: {PORT: "8000", TARGET_URL: "http://127.0.0.1:8080/metrics.json"}\nports: ["8000:8000"]\nhealth: {http: {port: 8000}}\n');
    const notes = wireSidecar(doc, 'metrics', node, readWiring({listen: ['PORT'], appRefs: ['TARGET_URL']}));
    expect(node.toJSON()).toEqual({env: {PORT: '8001', TARGET_URL: 'http://127.0.0.1:3000/metrics.json'}, ports: ['8001:8001'], health: {http: {port: 8001}}});
    expect(notes).toContain('port 8000 is taken by proxy: metrics listens on 8001 instead (PORT)');
    // Not a front: the app stays published.
    expect(doc.getIn(['app', 'ports'])).toBeDefined();
  });

  it('mounts the shared volume into the app once, and sets only env it lacks', () => {
    const doc = parseDocument(PROJECT);
    const wiring = readWiring({appMount: {volume: 'shared', target: '/shared', env: {LOG_DIR: '${volumes.shared}', PORT: '1'}}});
    wireSidecar(doc, 'ship', fragment('env: {}\n'), wiring);
    wireSidecar(doc, 'ship2', fragment('env: {}\n'), wiring);
    expect(doc.getIn(['app', 'volumes'])).toBeDefined();
    expect((doc.toJS() as {app: {volumes: string[]; env: Record<string, string>}}).app).toMatchObject({volumes: ['shared:/shared'], env: {PORT: '3000', LOG_DIR: '${volumes.shared}'}});
  });
});

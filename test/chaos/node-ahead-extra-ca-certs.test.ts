import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, freePort, project, survivors, trackProjects} from '../integration/cli/cli-harness.js';

// Issue 13.1, a Node service made ahead (src/runtime/node-ahead.ts): Node starts up
// while the service before it gets ready, and waits in its preload before its
// code runs. But Node loads NODE_EXTRA_CA_CERTS during that start-up (once, before
// any preload), so a CA that the sidecar before it publishes when it starts (a
// local CA, a TLS-terminating proxy with its own certificate, shared through a
// volume: the pattern NODE_EXTRA_CA_CERTS exists for) is not there yet: Node warns
// "Ignoring extra certs from ..., load failed" and the app's TLS to that sidecar
// fails to verify, although the file was there long before the app's turn
// (DESIGN 1: its program runs once the one before is ready). Started at its turn
// (SIDECAR_NODE_AHEAD=0) it verifies.
const track = trackProjects();

// A self-signed CA for 127.0.0.1, valid 2000-2100: what the sidecar serves and publishes.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBaTCCAQ+gAwIBAgICEAAwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPc2lkZWNh
ci10ZXN0LWNhMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAaMRgw
FgYDVQQDDA9zaWRlY2FyLXRlc3QtY2EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AARcnP0uNjlYCU6Q6PMXG8Zz7gsyF0PHZ8EZIrS6uDDtxFYTXL0BYX+nefOenbsL
um12AncNgRPAYWoLzZhZukD3o0MwQTAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQI
MAaHBH8AAAEwHQYDVR0OBBYEFDlx8ku9fKufSlMvhp1LCocxH966MAoGCCqGSM49
BAMCA0gAMEUCIQCNXC7EiIcX7Dk+90ha/zaUPUUlDCtyxKsf7aZt9u6XDgIgNAZo
trYqNfKSQUuHNc7SIGH7m7b/aUr1oW5tVXujOzo=
-----END CERTIFICATE-----
`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgd4k0bzHVygEa8BY7
XLSeEAtx6M4M7rwmBz/HrlvkNzShRANCAARcnP0uNjlYCU6Q6PMXG8Zz7gsyF0PH
Z8EZIrS6uDDtxFYTXL0BYX+nefOenbsLum12AncNgRPAYWoLzZhZukD3
-----END PRIVATE KEY-----
`;

// Publishes its CA into the shared volume, then serves TLS: ready once it listens.
const SIDECAR = `const fs = require('fs');
const tls = require('tls');
setTimeout(() => {
  fs.writeFileSync(process.env.CERTS + '/ca.pem', fs.readFileSync('cert.pem'));
  tls.createServer({cert: fs.readFileSync('cert.pem'), key: fs.readFileSync('key.pem')}, (socket) => socket.end('hello\\n')).listen(Number(process.env.PORT), '127.0.0.1');
}, 800);
`;

// Connects to the sidecar with Node's default trust (which NODE_EXTRA_CA_CERTS extends).
const APP = `const fs = require('fs');
const socket = require('tls').connect({host: '127.0.0.1', port: Number(process.env.PORT)}, () => {
  fs.writeFileSync('result.txt', 'verified');
  socket.end();
});
socket.on('error', (error) => fs.writeFileSync('result.txt', 'failed: ' + (error.code ?? error.message)));
setInterval(() => {}, 1 << 30);
`;

describe('a Node service made ahead, with NODE_EXTRA_CA_CERTS from the sidecar before it', () => {
  it('trusts the CA that sidecar published before the app was started', async () => {
    const port = await freePort();
    const p = track(
      project(`version: 1
name: extra-ca
sidecars:
  tls:
    command: [node, sidecar.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}", PORT: "${port}", CERTS: "\${volumes.certs}"}
    volumes: ["certs:/certs"]
    health: {tcp: {port: ${port}}}
    stopTimeout: 1s
app:
  command: [node, app.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}", PORT: "${port}", NODE_EXTRA_CA_CERTS: "\${volumes.certs}/ca.pem"}
  volumes: ["certs:/certs:ro"]
  stopTimeout: 1s
volumes:
  certs: {}
`),
    );
    writeFileSync(path.join(p.dir, 'cert.pem'), CERT);
    writeFileSync(path.join(p.dir, 'key.pem'), KEY);
    writeFileSync(path.join(p.dir, 'sidecar.js'), SIDECAR);
    writeFileSync(path.join(p.dir, 'app.js'), APP);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const result = path.join(p.dir, 'result.txt');
    const outcome = await eventually(() => existsSync(result) && readFileSync(result, 'utf8'), 15_000, 'the app to connect');
    const logs = await cli(p, ['logs', 'app']);
    // Now: 'failed: DEPTH_ZERO_SELF_SIGNED_CERT', and the app's log says
    // "Warning: Ignoring extra certs from `.../ca.pem`, load failed: ... No such file or directory".
    expect(outcome).toBe('verified');
    expect(logs.all).not.toContain('Ignoring extra certs');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});

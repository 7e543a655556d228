import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, project} from './cli-harness.js';

// `${volumes.NAME}` in a health exec command is the host directory under the
// process runtime, as in command and env: the probe finds what the app wrote there.
beforeAll(() => ensureBuilt(), 120_000);

describe('${volumes.NAME} in a health exec command (process runtime)', () => {
  it('the probe checks the volume directory the app writes to', async () => {
    const p = project(`version: 1
name: healthv
volumes:
  data: {}
app:
  command: [node, -e, 'require("fs").writeFileSync(process.argv[1] + "/ready", "1"); setInterval(() => {}, 1000)', '\${volumes.data}']
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  volumes: ["data:/data"]
  health: {exec: [node, -e, 'require("fs").accessSync(process.argv[1])', '\${volumes.data}/ready'], interval: 200ms, startTimeout: 20s}
  stopTimeout: 1s
`);
    try {
      const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
      expect(up.exitCode, up.all).toBe(0);
    } finally {
      await cli(p, ['down', '--volumes', '--timeout', '1s']);
    }
  });
});

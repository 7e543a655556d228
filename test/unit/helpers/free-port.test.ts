import {describe, expect, it} from 'vitest';
import {freePort, freePorts} from '../../helpers/free-port.js';

// The tests' port helper: a test that publishes two ports must get two (init-up-docker failed once on one port twice).
describe('freePort / freePorts', () => {
  it('never hands the same port out twice in one process', async () => {
    const ports = [...(await freePorts(3))];
    // 500: the kernel repeats a port within far fewer picks (246 repeats in 2000 picks here).
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});

import type Docker from 'dockerode';

export interface EngineInfo {
  Name?: string;
  KernelVersion?: string;
  Architecture?: string;
  NCPU?: number;
  SecurityOptions?: string[];
}

const byClient = new WeakMap<Docker, Promise<EngineInfo | undefined>>();

// The engine's `info`, asked once per client: rootless or not, its CPUs, whether
// it shares this kernel (start-gate.ts). Undefined when the engine would not say.
export function engineInfo(docker: Docker): Promise<EngineInfo | undefined> {
  let answer = byClient.get(docker);
  if (!answer) {
    answer = docker.info().then(
      (info: EngineInfo) => info,
      () => undefined,
    );
    byClient.set(docker, answer);
  }
  return answer;
}

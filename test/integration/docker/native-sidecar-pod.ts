import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {expect} from 'vitest';
import {projectNameFromDir} from '../../../src/manifest/normalize.js';
import {ensureBuilt, freePort, project, root, type Project} from '../cli/cli-harness.js';
import {TEST_IMAGES} from './docker-engine.js';

// The Pod YAML of issue 12.5 (test/fixtures/k8s/native-sidecars-pod.yaml) as
// pod.yaml in a fresh project, its Service on a free port, and a reader of the
// files the app serves from the shared volume. Used by the tests that run it
// from the YAML (k8s-input-docker) and from its import (import-docker).
export interface NativeSidecarPod {
  p: Project;
  port: number;
  // The project's name, as its containers are labelled.
  name: string;
  get(file: string): Promise<string>;
}

export async function nativeSidecarPod(): Promise<NativeSidecarPod> {
  ensureBuilt();
  const p = project('');
  const port = await freePort();
  const fixture = readFileSync(path.join(root, 'test/fixtures/k8s/native-sidecars-pod.yaml'), 'utf8');
  writeFileSync(path.join(p.dir, 'pod.yaml'), fixture.replace('SERVICE_PORT', String(port)));
  p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  const get = async (file: string): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${port}/${file}`);
    expect(response.status, file).toBe(200);
    return (await response.text()).trim();
  };
  return {p, port, name: projectNameFromDir(p.dir), get};
}

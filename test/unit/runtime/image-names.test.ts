import {describe, expect, it} from 'vitest';
import {imageOf} from '../../../src/runtime/docker/naming.js';
import {manifest, podsManifest, service} from '../../helpers/manifest-builder.js';

// Build-only services get an image named after them: never the same name for two services.
describe('image names of build-only services', () => {
  it('single form: PROJECT-SERVICE, as before pods', () => {
    const m = manifest({name: 'shop', app: service('app', 'app', {build: {context: '/x', dockerfile: 'Dockerfile', args: {}}})});
    expect(imageOf(m, m.pods[0]!.app)).toBe('shop-app:latest');
  });

  it('pods form: pod a sidecar b-app and pod a-b app do not share one image', () => {
    const build = {build: {context: '/x', dockerfile: 'Dockerfile', args: {}}};
    const m = podsManifest({name: 'p', pods: [{name: 'a', app: service('app', 'app', build), sidecars: [service('b-app', 'sidecar', build)]}, {name: 'a-b', app: service('app', 'app', build)}]});
    const names = m.pods.flatMap((pod) => [pod.app, ...pod.sidecars]).map((s) => imageOf(m, s));
    expect(new Set(names).size).toBe(names.length);
  });
});

// The image of a pod's infra container (the one that owns its network), shared by
// the Docker runtime and the generated compose file so both build the same pod.
export const DEFAULT_INFRA_IMAGE = 'registry.k8s.io/pause:3.9';

export function infraImageFromEnv(): string | undefined {
  return process.env.SIDECAR_INFRA_IMAGE || undefined;
}

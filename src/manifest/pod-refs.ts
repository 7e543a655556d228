// `${pods.NAME.host}` survives interpolation (like `${volumes.NAME}`) and is
// resolved per runtime: the address at which other pods reach pod NAME
// (127.0.0.1 under the process runtime, NAME under Docker and Kubernetes).
export const POD_HOST_REF = /\$\{pods\.([a-z0-9][a-z0-9-]*)\.host\}/g;

export function podRefs(value: string): string[] {
  return [...value.matchAll(POD_HOST_REF)].map((match) => match[1]!);
}

export function resolvePodRefs(value: string, hostOf: (pod: string) => string): string {
  return value.replace(POD_HOST_REF, (_whole, name: string) => hostOf(name));
}

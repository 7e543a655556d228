// `resources: {memory, cpus}` (DESIGN "Resources"): Kubernetes quantities, so a
// Pod's `resources.limits` carries over as written (k8s.io/apimachinery resource.Quantity).

export interface Resources {
  // Memory limit in bytes.
  memoryBytes?: number;
  // CPU limit in cores (0.5 = half a core), at most millicore precision as Kubernetes keeps.
  cpus?: number;
}

// Docker refuses less (daemon: "Minimum memory limit allowed is 6MB"), and a
// smaller cgroup limit only OOM-kills the process before it runs.
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
// Docker's floor for --cpus; Kubernetes' is 1m, but no runtime here runs that.
export const MIN_CPUS = 0.01;

const BINARY = {Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60} as const;
const DECIMAL = {'': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18} as const;

export type Parsed<T> = {ok: true; value: T} | {ok: false; message: string; suggestion: string};

const MEMORY_FIX = 'write 256Mi or 1Gi (powers of 1024), 500M (powers of 1000), or a number of bytes';

// `256Mi`, `1.5Gi`, `500M`, `1e9`, `268435456` (or a YAML integer) → bytes.
export function parseMemory(value: unknown): Parsed<number> {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return {ok: false, message: `${describe(value)} is not a memory size`, suggestion: MEMORY_FIX};
  const match = /^(\d+(?:\.\d+)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)|[eE](\d+))?$/.exec(text);
  if (!match) {
    // `512m` is 0.512 bytes to Kubernetes (m = milli), and 512 MiB to Docker: say which is meant.
    if (/^\d+(\.\d+)?m$/.test(text)) {
      return {ok: false, message: `"${text}" is not a memory size: m means thousandths in a Kubernetes quantity`, suggestion: `write ${text.slice(0, -1)}Mi for mebibytes or ${text.slice(0, -1)}M for megabytes`};
    }
    return {ok: false, message: `"${text}" is not a memory size`, suggestion: MEMORY_FIX};
  }
  const number = Number(match[1]);
  const unit = match[2] as keyof typeof BINARY | keyof typeof DECIMAL | undefined;
  const factor = match[3] !== undefined ? 10 ** Number(match[3]) : unit === undefined ? 1 : unit in BINARY ? BINARY[unit as keyof typeof BINARY] : DECIMAL[unit as keyof typeof DECIMAL];
  // Kubernetes rounds a fractional byte count up.
  const bytes = Math.ceil(number * factor);
  if (!Number.isSafeInteger(bytes)) return {ok: false, message: `memory "${text}" is larger than any machine has`, suggestion: MEMORY_FIX};
  if (bytes < MIN_MEMORY_BYTES) {
    return {ok: false, message: `memory "${text}" is less than 6Mi: no runtime starts a service with so little`, suggestion: 'give it at least 6Mi, e.g. 64Mi'};
  }
  return {ok: true, value: bytes};
}

const CPUS_FIX = 'write a number of cores (0.5, 2) or millicores (500m)';

// `0.5`, `2`, `"1.5"` or `500m` → cores.
export function parseCpus(value: unknown): Parsed<number> {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return {ok: false, message: `${describe(value)} is not a number of CPUs`, suggestion: CPUS_FIX};
  const match = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/.exec(text);
  if (!match) return {ok: false, message: `"${text}" is not a number of CPUs`, suggestion: CPUS_FIX};
  const cpus = Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
  if (!Number.isFinite(cpus) || cpus > 1e6) return {ok: false, message: `cpus "${text}" is more than any machine has`, suggestion: CPUS_FIX};
  if (cpus < MIN_CPUS) return {ok: false, message: `cpus "${text}" is less than 0.01 (10m): Docker refuses it`, suggestion: 'give it at least 0.01 (10m)'};
  // Kubernetes keeps millicores; a finer value would not come back the same from `generate k8s`.
  if (Math.abs(cpus * 1000 - Math.round(cpus * 1000)) > 1e-6) return {ok: false, message: `cpus "${text}" is finer than a millicore`, suggestion: 'round it to three decimals (0.125) or whole millicores (125m)'};
  return {ok: true, value: Math.round(cpus * 1000) / 1000};
}

// Bytes as the shortest exact quantity: `256Mi`, `1Gi`, `500M`, else plain bytes.
export function formatMemory(bytes: number): string {
  for (const [unit, factor] of [...Object.entries(BINARY)].reverse()) if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  for (const [unit, factor] of [...Object.entries(DECIMAL)].reverse()) if (unit !== '' && bytes % factor === 0) return `${bytes / factor}${unit}`;
  return String(bytes);
}

// Cores as Kubernetes writes them: `2`, `500m`, `1500m`.
export function formatCpusK8s(cpus: number): string {
  const milli = Math.round(cpus * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

// Bytes as Compose and `docker run -m` read them (b, k, m, g: powers of 1024).
export function formatMemoryDocker(bytes: number): string {
  for (const [unit, factor] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  return `${bytes}b`;
}

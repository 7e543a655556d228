import {SidecarError, type Problem} from '../errors/index.js';

// Every problem of a manifest as one error (SIDECAR_MANIFEST_INVALID), first by place.
// `manifest` (as displayed) is named in the message when a problem is in another
// file the manifest reads (`.env`, an `envFile`), whose name alone would not say
// which manifest failed; the manifest's own problems come first.
export function invalid(problems: Problem[], manifest?: string): SidecarError {
  const elsewhere = (problem: Problem) => (manifest !== undefined && problem.place !== undefined && problem.place.file !== manifest ? 1 : 0);
  const sorted = [...problems].sort(
    (a, b) =>
      elsewhere(a) - elsewhere(b) ||
      (a.place?.file ?? '').localeCompare(b.place?.file ?? '') * elsewhere(a) ||
      (a.place?.line ?? 0) - (b.place?.line ?? 0) ||
      (a.place?.column ?? 0) - (b.place?.column ?? 0),
  );
  const first = sorted[0]!;
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  const named = sorted.some((problem) => elsewhere(problem) === 1) ? `${manifest} ` : '';
  return new SidecarError('SIDECAR_MANIFEST_INVALID', `invalid manifest ${named}(${count})`, {
    place: first.place,
    problems: sorted,
    suggestion: sorted.length === 1 ? first.suggestion : 'fix each problem listed below, then run `sidecar validate`',
  });
}

import {SidecarError, type Problem} from '../errors/index.js';

// Every problem of a manifest as one error (SIDECAR_MANIFEST_INVALID), first by place.
export function invalid(problems: Problem[]): SidecarError {
  const sorted = [...problems].sort(
    (a, b) => (a.place?.line ?? 0) - (b.place?.line ?? 0) || (a.place?.column ?? 0) - (b.place?.column ?? 0),
  );
  const first = sorted[0]!;
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new SidecarError('SIDECAR_MANIFEST_INVALID', `invalid manifest (${count})`, {
    place: first.place,
    problems: sorted,
    suggestion: sorted.length === 1 ? first.suggestion : 'fix each problem listed below, then run `sidecar validate`',
  });
}

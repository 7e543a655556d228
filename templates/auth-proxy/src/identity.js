// The identity handed to the app: X-User-Id from `sub`, X-User-Roles from the
// roles claim, comma-joined. Values must be printable ASCII to be a header, and
// a role must not contain the comma that separates roles.
const HEADER_SAFE = /^[\x20-\x7e]*$/;

export function identityHeaders(claims, rolesClaim) {
  const raw = claims[rolesClaim] ?? [];
  const roles = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(roles) || roles.some((role) => typeof role !== 'string' || role.includes(',') || !HEADER_SAFE.test(role))) {
    return {error: `${rolesClaim} claim must be a list of strings without commas`};
  }
  if (!HEADER_SAFE.test(claims.sub)) return {error: 'sub claim cannot be passed as a header'};
  return {headers: {'x-user-id': claims.sub, 'x-user-roles': roles.join(',')}};
}

// Anything the client sent as X-User-* is dropped: only this proxy may assert identity.
export function withoutClientIdentity(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('x-user-')));
}

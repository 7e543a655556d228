// Registered claims (RFC 7519 4.1) checked after the signature: exp is
// required (a token without expiry is a permanent credential), nbf honoured,
// both with a small clock skew allowance; aud and iss when configured; sub is
// the identity passed upstream, so it is required too.
export function checkClaims(claims, {audiences, issuer, clockSkewSeconds, now = Date.now()}, fail) {
  const nowSeconds = now / 1000;
  if (typeof claims.exp !== 'number') throw fail('token has no exp claim');
  if (nowSeconds >= claims.exp + clockSkewSeconds) throw fail('token expired');
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number') throw fail('nbf claim is not a number');
    if (nowSeconds + clockSkewSeconds < claims.nbf) throw fail('token not valid yet');
  }
  if (audiences.length > 0) {
    const tokenAudiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!Array.isArray(tokenAudiences) || !tokenAudiences.some((aud) => audiences.includes(aud))) {
      throw fail('token audience not accepted');
    }
  }
  if (issuer && claims.iss !== issuer) throw fail('token issuer not accepted');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw fail('token has no sub claim');
}

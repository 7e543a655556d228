import {identityHeaders} from './identity.js';
import {JwtError, verifyJwt} from './jwt.js';

// Authorization header -> {identity} or {status, challenge, body} for the 401.
// RFC 6750 3.1: no credentials at all gets a bare challenge (no error code);
// a presented but unacceptable token gets error="invalid_token" and why.
export function authenticate(authorization, config, now = Date.now()) {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization ?? '');
  if (!match) {
    return refuse(config, undefined, authorization ? 'authorization scheme must be Bearer' : 'missing bearer token');
  }
  let claims;
  try {
    claims = verifyJwt(match[1], config.keys, {...config, now});
  } catch (error) {
    if (error instanceof JwtError) return refuse(config, 'invalid_token', error.message);
    throw error;
  }
  const identity = identityHeaders(claims, config.rolesClaim);
  if (identity.error) return refuse(config, 'invalid_token', identity.error);
  return {identity: identity.headers, claims};
}

function refuse(config, error, description) {
  const challenge = error
    ? `Bearer realm="${config.realm}", error="${error}", error_description="${description}"`
    : `Bearer realm="${config.realm}"`;
  return {status: 401, challenge, body: {error: error ?? 'unauthorized', error_description: description}};
}

// An independent JWT signer for the tests (the proxy itself only verifies), so
// the tests can mint good, expired, forged and unsigned tokens.
import crypto from 'node:crypto';

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function signJwt(payload, {alg = 'HS256', key, header = {}} = {}) {
  const input = `${b64({alg, typ: 'JWT', ...header})}.${b64(payload)}`;
  let signature = '';
  if (alg === 'HS256') signature = crypto.createHmac('sha256', key).update(input).digest('base64url');
  else if (alg === 'RS256') signature = crypto.sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${signature}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// Valid claims for the test audience; override what a case needs.
export const claims = (overrides = {}) => ({
  sub: 'user-42', aud: 'orders-api', iss: 'https://issuer.test', roles: ['admin', 'dev'],
  iat: nowSeconds(), exp: nowSeconds() + 300, ...overrides,
});

export const SECRET = 'a-test-secret-that-is-32-bytes-long!';

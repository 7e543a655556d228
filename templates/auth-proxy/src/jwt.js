import crypto from 'node:crypto';
import {decodeBase64url} from './base64url.js';
import {checkClaims} from './claims.js';

// The reason a token was refused; its message becomes error_description.
export class JwtError extends Error {}

// Verifies a compact JWS (header.payload.signature) and returns its claims.
// Order matters: the signature is checked before any claim is trusted.
export function verifyJwt(token, keys, options) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed token');
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  const header = decodeJson(encodedHeader, 'header');
  if (typeof header.alg !== 'string') throw new JwtError('token header has no alg');
  // alg "none" is an unsigned token: accepting it would accept anyone.
  if (header.alg.toLowerCase() === 'none') throw new JwtError('unsigned tokens (alg none) are not accepted');
  // Only algorithms we hold a key for: blocks RS256 -> HS256 key confusion.
  if (!Object.hasOwn(keys, header.alg)) throw new JwtError(`alg ${header.alg} is not accepted`);
  if (header.crit !== undefined) throw new JwtError('critical header extensions are not supported');
  const signature = decodeBase64url(encodedSignature);
  if (!signature || signature.length === 0) throw new JwtError('malformed signature');
  const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
  if (!SIGNATURE_CHECKS[header.alg](signed, signature, keys[header.alg])) throw new JwtError('invalid signature');
  const claims = decodeJson(encodedPayload, 'payload');
  checkClaims(claims, options, (message) => new JwtError(message));
  return claims;
}

const SIGNATURE_CHECKS = {
  // Constant-time comparison: a byte-by-byte early exit would leak, through
  // timing, how much of a forged MAC is right.
  HS256(signed, signature, secret) {
    const expected = crypto.createHmac('sha256', secret).update(signed).digest();
    return signature.length === expected.length && crypto.timingSafeEqual(signature, expected);
  },
  // RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 3.3).
  RS256(signed, signature, publicKey) {
    return crypto.verify('sha256', signed, publicKey, signature);
  },
};

function decodeJson(segment, what) {
  const bytes = decodeBase64url(segment);
  if (!bytes) throw new JwtError(`malformed token ${what}`);
  let value;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new JwtError(`token ${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JwtError(`token ${what} is not a JSON object`);
  return value;
}

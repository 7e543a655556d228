import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {test} from 'node:test';
import {JwtError, verifyJwt} from '../src/jwt.js';
import {SECRET, claims, nowSeconds, signJwt} from './jwt-sign.js';

const {publicKey, privateKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
const publicPem = publicKey.export({type: 'spki', format: 'pem'});
const keys = {HS256: Buffer.from(SECRET), RS256: publicKey};
const options = {audiences: ['orders-api'], issuer: 'https://issuer.test', clockSkewSeconds: 30};

const rejects = (token, reason, keySet = keys, opts = options) => assert.throws(
  () => verifyJwt(token, keySet, opts),
  (error) => error instanceof JwtError && reason.test(error.message),
);

test('accepts good HS256 and RS256 tokens', () => {
  assert.equal(verifyJwt(signJwt(claims(), {key: SECRET}), keys, options).sub, 'user-42');
  assert.equal(verifyJwt(signJwt(claims(), {alg: 'RS256', key: privateKey}), keys, options).sub, 'user-42');
});

test('rejects a bad signature', () => {
  rejects(signJwt(claims(), {key: 'another-secret-that-is-32-bytes-long'}), /invalid signature/);
  const {privateKey: otherKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
  rejects(signJwt(claims(), {alg: 'RS256', key: otherKey}), /invalid signature/);
  // A token whose payload was edited after signing.
  const [header, , signature] = signJwt(claims(), {key: SECRET}).split('.');
  const forged = Buffer.from(JSON.stringify(claims({sub: 'admin'}))).toString('base64url');
  rejects(`${header}.${forged}.${signature}`, /invalid signature/);
});

test('rejects expired tokens, honours nbf, allows the clock skew', () => {
  rejects(signJwt(claims({exp: nowSeconds() - 31}), {key: SECRET}), /expired/);
  assert.ok(verifyJwt(signJwt(claims({exp: nowSeconds() - 10}), {key: SECRET}), keys, options), 'within skew');
  rejects(signJwt(claims({nbf: nowSeconds() + 60}), {key: SECRET}), /not valid yet/);
  assert.ok(verifyJwt(signJwt(claims({nbf: nowSeconds() + 10}), {key: SECRET}), keys, options), 'within skew');
  rejects(signJwt(claims({exp: undefined}), {key: SECRET}), /no exp/);
});

test('checks the audience (string or array) and the issuer', () => {
  rejects(signJwt(claims({aud: 'billing-api'}), {key: SECRET}), /audience/);
  rejects(signJwt(claims({aud: undefined}), {key: SECRET}), /audience/);
  assert.ok(verifyJwt(signJwt(claims({aud: ['billing-api', 'orders-api']}), {key: SECRET}), keys, options));
  rejects(signJwt(claims({aud: ['billing-api']}), {key: SECRET}), /audience/);
  rejects(signJwt(claims({iss: 'https://evil.test'}), {key: SECRET}), /issuer/);
  assert.ok(verifyJwt(signJwt(claims({aud: 'x', iss: 'y'}), {key: SECRET}), keys, {audiences: [], issuer: '', clockSkewSeconds: 0}));
});

test('rejects alg none in any spelling', () => {
  for (const alg of ['none', 'None', 'NONE']) {
    rejects(signJwt(claims(), {alg}), /alg none/);
    rejects(`${signJwt(claims(), {alg})}c2ln`, /alg none/);
  }
});

test('rejects an algorithm it has no key for, and RS256/HS256 key confusion', () => {
  rejects(signJwt(claims(), {key: SECRET}), /alg HS256 is not accepted/, {RS256: publicKey});
  rejects(signJwt(claims(), {alg: 'RS256', key: privateKey}), /alg RS256 is not accepted/, {HS256: Buffer.from(SECRET)});
  // The classic attack: sign with HS256 using the public key PEM as the secret.
  rejects(signJwt(claims(), {key: publicPem}), /alg HS256 is not accepted/, {RS256: publicKey});
  rejects(signJwt(claims(), {alg: 'HS512', key: SECRET}), /alg HS512 is not accepted/);
});

test('rejects malformed tokens', () => {
  const good = signJwt(claims(), {key: SECRET});
  rejects('abc', /malformed/);
  rejects(`${good}.extra`, /malformed/);
  rejects(good.replace(/^[^.]+/, 'not*base64'), /malformed token header/);
  rejects(`${Buffer.from('[]').toString('base64url')}.${good.split('.')[1]}.${good.split('.')[2]}`, /not a JSON object/);
  rejects(signJwt(claims(), {key: SECRET, header: {crit: ['exp']}}), /critical/);
  rejects(signJwt(claims({sub: undefined}), {key: SECRET}), /no sub/);
});

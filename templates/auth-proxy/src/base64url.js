// Strict base64url (RFC 7515 2): Buffer.from(..., 'base64url') silently skips
// characters it does not know, which would let two different strings decode
// to the same bytes. A JWT segment must use the alphabet and nothing else.
const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function decodeBase64url(text) {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return null;
  return Buffer.from(text, 'base64url');
}

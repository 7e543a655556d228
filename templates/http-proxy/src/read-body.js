// Buffers the request body: a retry must be able to send it again, and a
// streamed body can only be read once. The limit keeps memory bounded; past
// it the rest is read and discarded so the connection stays usable.
export class BodyTooLarge extends Error {}

export function readBody(req, maxBytes) {
  return new Promise((resolve, reject) => {
    let chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      if (!chunks) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks = null;
        reject(new BodyTooLarge(`request body over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => chunks && resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

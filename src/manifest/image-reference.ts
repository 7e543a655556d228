// An image reference as the engines read it (the distribution/reference grammar
// Docker and podman share): [registry[:port]/]path[:tag][@digest], the path in
// lowercase. Checked before anything reaches an engine: the name goes into the
// engine API's URL paths (`/images/NAME/json`), where a `..` or a space is not a
// name but a path of its own (found by an attacker's trial: `image:
// "../../localhost/x"` made the engine answer with a redirect to another host).

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
// The engines' own bound on a name; also keeps the match above short.
const MAX_LENGTH = 255;

export const IMAGE_FIX = 'write [registry/]name[:tag][@digest], the name in lowercase, e.g. "nginx:1.27" or "ghcr.io/acme/orders:1.4"';

// Why `image` is not a reference an engine takes, or undefined when it is one;
// `as` is the value to name in the message, when `image` was derived from it.
export function imageReferenceProblem(image: string, as = image): string | undefined {
  const shown = JSON.stringify(as.length > 80 ? `${as.slice(0, 77)}...` : as);
  if (image.length > MAX_LENGTH) return `image ${shown} is longer than ${MAX_LENGTH} characters`;
  if (REFERENCE.test(image)) return undefined;
  if (/\s/.test(image)) return `image ${shown} holds whitespace: an image reference is one word`;
  if (image.startsWith('-')) return `image ${shown} starts with "-": it is not an image reference`;
  if (image.split('/').some((part) => part === '.' || part === '..')) return `image ${shown} holds a "." or ".." path part: it is not an image reference`;
  const withoutRegistry = image.includes('/') && /[.:]|^localhost$/.test(image.split('/')[0]!) ? image.slice(image.indexOf('/') + 1) : image;
  if (/[A-Z]/.test(withoutRegistry.split(/[:@]/)[0]!)) return `image ${shown}: repository names must be lowercase`;
  return `image ${shown} is not a valid image reference`;
}

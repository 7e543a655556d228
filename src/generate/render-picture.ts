import {execa} from 'execa';
import {SidecarError} from '../errors/index.js';

export type PictureFormat = 'svg' | 'png';

// `graph --format svg|png`: Graphviz's `dot` draws the dot source. It is an
// optional tool, looked up on PATH; its absence is exit 4 with the way to get
// it, as a missing engine is. The source goes through stdin, never a shell.
export async function renderPicture(dotSource: string, format: PictureFormat): Promise<Buffer> {
  let result;
  try {
    result = await execa('dot', [`-T${format}`], {input: dotSource, encoding: 'buffer', timeout: 60_000, reject: false});
  } catch (error) {
    throw noGraphviz(error);
  }
  if ((result.failed && (result.code === 'ENOENT' || result.exitCode === undefined)) || result.exitCode === 127) throw noGraphviz(result);
  if (result.exitCode !== 0) {
    const stderr = Buffer.from(result.stderr).toString('utf8').trim();
    throw new SidecarError('SIDECAR_UNEXPECTED', `Graphviz's dot failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${stderr.split('\n')[0] ?? ''}`, {
      suggestion: 'print the source with `sidecar graph --format dot` and try `dot -Tsvg` on it',
    });
  }
  return Buffer.from(result.stdout);
}

function noGraphviz(cause: unknown): SidecarError {
  return new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', 'svg and png pictures need Graphviz, and `dot` is not on PATH', {
    suggestion: 'install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or print the source: `sidecar graph --format dot` or `--format mermaid`',
    cause,
  });
}

// The format a file name asks for, when --format is not given.
export function formatOfFile(file: string): 'mermaid' | 'dot' | PictureFormat | undefined {
  const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  if (extension === 'svg' || extension === 'png' || extension === 'dot') return extension;
  if (extension === 'gv') return 'dot';
  if (extension === 'mmd' || extension === 'mermaid') return 'mermaid';
  return undefined;
}

import {createHash} from 'node:crypto';
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseDocument} from 'yaml';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sidecar} from './run-cli.js';

const SIX = ['auth-proxy', 'config-reloader', 'http-proxy', 'log-shipper', 'metrics-exporter', 'project'];
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

// Every file under dir (symlinks not followed) with its content hash.
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), {withFileTypes: true})) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else out[child] = entry.isSymbolicLink() ? 'symlink' : createHash('sha256').update(readFileSync(path.join(dir, child))).digest('hex');
    }
  };
  walk('');
  return out;
}

describe('scaffolding through the CLI', () => {
  let tmp: string;
  let work: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sidecar-scaffold-it-'));
    work = path.join(tmp, 'work');
    mkdirSync(work);
  });
  afterEach(() => rmSync(tmp, {recursive: true, force: true}));

  it('templates --json lists all six with their kind', async () => {
    const result = await sidecar(['templates', '--json'], work);
    expect(result.exitCode).toBe(0);
    const templates = JSON.parse(result.stdout) as {name: string; kind: string; description: string}[];
    expect(templates.map((template) => template.name).sort()).toEqual(SIX);
    expect(templates.find((template) => template.name === 'project')?.kind).toBe('project');
    expect(templates.filter((template) => template.kind === 'sidecar')).toHaveLength(5);
    for (const template of templates) expect(template.description).not.toBe('');
  });

  it('templates without --json prints one line per template', async () => {
    const result = await sidecar(['templates'], work);
    expect(result.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('init writes a project that validate accepts, with .sidecar/ ignored', async () => {
    const result = await sidecar(['init', 'shop'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    const dir = path.join(work, 'shop');
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\.sidecar\/$/m);
    expect(existsSync(path.join(dir, 'README.md'))).toBe(true);
    const validate = await sidecar(['validate', '--json'], dir);
    expect(validate.exitCode, validate.stdout).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({valid: true, project: 'shop'});
  });

  // Found by a new user's trial: `init 'new dir'` printed `next: cd new dir && ...`,
  // which does not paste into a shell.
  it('init and new print a next step that pastes into a shell, whatever the directory is called', async () => {
    const init = await sidecar(['init', "new dir's"], work);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain(`next: cd 'new dir'\\''s' && sidecar validate && sidecar up`);
    const made = await sidecar(['new', 'http-proxy', 'np x', '--name', 'np-x'], work);
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stdout).toContain(`next: cd 'np x' && npm test`);
  });

  it('init twice without --force fails and changes nothing; with --force it succeeds', async () => {
    expect((await sidecar(['init', '--name', 'shop'], work)).exitCode).toBe(0);
    const before = snapshot(work);
    const again = await sidecar(['init', '--name', 'shop'], work);
    expect(again.exitCode).toBe(2);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain('SIDECAR_SCAFFOLD_CONFLICT');
    expect(again.stderr).toContain('sidecar.yaml');
    expect(again.stderr).toContain('--force');
    expect(snapshot(work)).toEqual(before);
    const forced = await sidecar(['init', '--name', 'shop', '--force'], work);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(snapshot(work)).toEqual(before);
  });

  it('init appends .sidecar/ to an existing .gitignore once', async () => {
    writeFileSync(path.join(work, '.gitignore'), 'dist/\n');
    expect((await sidecar(['init', '--name', 'shop'], work)).exitCode).toBe(0);
    expect((await sidecar(['init', '--name', 'shop', '--force'], work)).exitCode).toBe(0);
    const gitignore = readFileSync(path.join(work, '.gitignore'), 'utf8');
    expect(gitignore.startsWith('dist/\n')).toBe(true);
    expect(gitignore.match(/^\.sidecar\/$/gm)).toHaveLength(1);
  });

  it('init --template with a sidecar template includes it, and the result validates', async () => {
    const result = await sidecar(['init', '--template', 'log-shipper', '--name', 'shop'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(path.join(work, 'sidecar.yaml'), 'utf8')).toMatch(/^ {2}log-shipper:$/m);
    expect(existsSync(path.join(work, 'sidecars/log-shipper/package.json'))).toBe(true);
    mkdirSync(path.join(work, 'app'), {recursive: true}); // the fixture's workdir: validate checks it exists (issue 8.6)
    expect((await sidecar(['validate'], work)).exitCode).toBe(0);
  });

  // Issue 8.5: an image tag names its project, so two projects never build over each other's image.
  it('init tags every image PROJECT-SERVICE:dev, so two projects share none', async () => {
    const images = async (project: string): Promise<string[]> => {
      const result = await sidecar(['init', project, '--template', 'http-proxy', '--template', 'metrics-exporter'], work);
      expect(result.exitCode, result.stderr).toBe(0);
      return [...readFileSync(path.join(work, project, 'sidecar.yaml'), 'utf8').matchAll(/^\s*image: (\S+)$/gm)].map((match) => match[1]!).sort();
    };
    const shop = await images('shop');
    expect(shop).toEqual(['shop-app:dev', 'shop-http-proxy:dev', 'shop-metrics-exporter:dev', 'shop-proxy:dev']);
    const blog = await images('blog');
    expect(blog.filter((image) => shop.includes(image))).toEqual([]);
  });

  it('init refuses an invalid project name and an unknown template with exit 2', async () => {
    const badName = await sidecar(['init', '--name', 'Bad_Name'], work);
    expect(badName.exitCode).toBe(2);
    expect(badName.stderr).toContain('SIDECAR_SCAFFOLD_INVALID');
    const unknown = await sidecar(['init', '--template', 'http-proxi'], work);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('did you mean "http-proxy"');
    expect(unknown.stderr).toContain('auth-proxy');
    expect(readdirSync(work)).toEqual([]);
  });

  it('add http-proxy --name edge keeps comments and key order (golden) and validates', async () => {
    writeFileSync(path.join(work, 'sidecar.yaml'), fixture('commented.sidecar.yaml'));
    const result = await sidecar(['add', 'http-proxy', '--name', 'edge'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    const written = readFileSync(path.join(work, 'sidecar.yaml'), 'utf8');
    expect(written).toBe(fixture('commented.add-edge.golden.yaml'));
    expect(existsSync(path.join(work, 'sidecars/edge/src/main.js'))).toBe(true);
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp') || name.includes('.check.'))).toEqual([]);
    mkdirSync(path.join(work, 'app'), {recursive: true}); // the fixture's workdir: validate checks it exists (issue 8.6)
    expect((await sidecar(['validate'], work)).exitCode).toBe(0);
  });

  // Issue 8.12: a Windows-edited manifest keeps its CRLF line endings (every line, old and new).
  it('add to a CRLF manifest keeps CRLF (golden)', async () => {
    writeFileSync(path.join(work, 'sidecar.yaml'), fixture('crlf.sidecar.yaml'));
    const result = await sidecar(['add', 'http-proxy', '--name', 'edge'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    const written = readFileSync(path.join(work, 'sidecar.yaml'), 'utf8');
    expect(written.match(/(?<!\r)\n/g)).toBeNull();
    expect(written).toBe(fixture('crlf.add-edge.golden.yaml'));
    mkdirSync(path.join(work, 'app'), {recursive: true}); // the fixture's workdir: validate checks it exists (issue 8.6)
    expect((await sidecar(['validate'], work)).exitCode).toBe(0);
  });

  // Issue 8.3: a second sidecar from one template must not listen where the first does.
  it('add http-proxy --name edge next to proxy moves edge to ports no service uses, and says so', async () => {
    writeFileSync(path.join(work, 'sidecar.yaml'), fixture('commented.sidecar.yaml'));
    expect((await sidecar(['add', 'http-proxy', '--name', 'proxy'], work)).exitCode).toBe(0);
    const result = await sidecar(['add', 'http-proxy', '--name', 'edge', '--json'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as {next: string[]}).next).toEqual(
      expect.arrayContaining(['port 15001 is taken by proxy: edge listens on 15002 instead (LISTEN_PORT)', 'port 15000 is taken by proxy: edge listens on 15003 instead (ADMIN_PORT)']),
    );
    const doc = parseDocument(readFileSync(path.join(work, 'sidecar.yaml'), 'utf8')).toJS() as {sidecars: Record<string, {env: Record<string, string>; health: {http: {port: number}}; ports?: string[]}>};
    const {proxy, edge} = doc.sidecars;
    expect(edge!.env).toMatchObject({LISTEN_PORT: '15002', ADMIN_PORT: '15003'});
    expect(edge!.health.http.port).toBe(15003);
    expect(edge!.ports).toEqual(['15002:15002']);
    expect(proxy!.env).toMatchObject({LISTEN_PORT: '15001', ADMIN_PORT: '15000'});
    mkdirSync(path.join(work, 'app'), {recursive: true}); // the fixture's workdir: validate checks it exists (issue 8.6)
    const validate = await sidecar(['validate', '--json'], work);
    expect(validate.exitCode, validate.stdout).toBe(0);
  });

  it('add refuses a name already in use and leaves the manifest alone', async () => {
    writeFileSync(path.join(work, 'sidecar.yaml'), fixture('commented.sidecar.yaml'));
    for (const name of ['app', 'tailer']) {
      const result = await sidecar(['add', 'http-proxy', '--name', name], work);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`already has a service named "${name}"`);
    }
    expect(readFileSync(path.join(work, 'sidecar.yaml'), 'utf8')).toBe(fixture('commented.sidecar.yaml'));
    expect(existsSync(path.join(work, 'sidecars'))).toBe(false);
  });

  it('add to an invalid manifest exits 3 and writes nothing', async () => {
    writeFileSync(path.join(work, 'sidecar.yaml'), 'version: 1\napp: {comand: [x]}\n');
    const result = await sidecar(['add', 'http-proxy'], work);
    expect(result.exitCode).toBe(3);
    expect(readdirSync(work)).toEqual(['sidecar.yaml']);
  });

  describe('path traversal', () => {
    it('new refuses a DIR that climbs out, and writes nothing outside', async () => {
      const result = await sidecar(['new', 'http-proxy', '../escape'], work);
      expect(result.exitCode).toBe(2);
      expect(existsSync(path.join(tmp, 'escape'))).toBe(false);
      expect(readdirSync(tmp)).toEqual(['work']);
    });

    it.each([['../x'], ['/tmp/x'], ['a/b'], ['..']])('new refuses --name %s', async (name) => {
      const result = await sidecar(['new', 'http-proxy', 'ok', '--name', name], work);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('SIDECAR_SCAFFOLD_INVALID');
      expect(readdirSync(work)).toEqual([]);
      expect(readdirSync(tmp)).toEqual(['work']);
    });

    it('add refuses --name ../x', async () => {
      writeFileSync(path.join(work, 'sidecar.yaml'), fixture('commented.sidecar.yaml'));
      const result = await sidecar(['add', 'http-proxy', '--name', '../x'], work);
      expect(result.exitCode).toBe(2);
      expect(readdirSync(tmp)).toEqual(['work']);
      expect(readdirSync(work)).toEqual(['sidecar.yaml']);
    });

    it('new refuses a symlink in the target that points outside, even with --force', async () => {
      const outside = path.join(tmp, 'outside');
      mkdirSync(outside);
      mkdirSync(path.join(work, 'x'));
      symlinkSync(outside, path.join(work, 'x', 'src'));
      for (const args of [[], ['--force']]) {
        const result = await sidecar(['new', 'http-proxy', 'x', ...args], work);
        expect(result.exitCode).not.toBe(0);
        expect(result.stderr).toContain('symbolic link');
      }
      expect(readdirSync(outside)).toEqual([]);
      expect(readdirSync(path.join(work, 'x'))).toEqual(['src']);
      expect(lstatSync(path.join(work, 'x', 'src')).isSymbolicLink()).toBe(true);
    });

    it('init refuses a symlinked README.md pointing outside, and writes nothing', async () => {
      const outside = path.join(tmp, 'outside.md');
      writeFileSync(outside, 'precious\n');
      symlinkSync(outside, path.join(work, 'README.md'));
      const result = await sidecar(['init', '--name', 'shop', '--force'], work);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('README.md is a symbolic link');
      expect(readFileSync(outside, 'utf8')).toBe('precious\n');
      expect(readdirSync(work)).toEqual(['README.md']);
    });
  });
});

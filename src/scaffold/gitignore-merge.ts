// Lines of `addition` missing from `existing`, appended; `.sidecar`, `.sidecar/`
// and `/.sidecar/` count as one entry, so re-running never duplicates it.
export function mergeGitignore(existing: string, addition: string): string | undefined {
  const have = new Set(existing.split(/\r?\n/).map(canonical).filter((line) => line !== ''));
  const missing: string[] = [];
  for (const line of addition.split(/\r?\n/)) {
    const key = canonical(line);
    if (key === '' || line.trim().startsWith('#') || have.has(key)) continue;
    have.add(key);
    missing.push(line.trim());
  }
  if (missing.length === 0) return undefined;
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  const merged = `${existing}${separator}${existing === '' ? '' : '\n'}# sidecar\n${missing.join('\n')}\n`;
  // A CRLF file stays CRLF (issue 8.12): the appended block takes its line endings.
  return existing.includes('\r\n') ? `${existing}${merged.slice(existing.length).replace(/\r?\n/g, '\r\n')}` : merged;
}

function canonical(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('#')) return '';
  return trimmed.replace(/^\//, '').replace(/\/$/, '');
}

// POSIX single-quoting: the word reaches the program exactly as written.
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

// A directory for `cd`: one that starts with "-" would be read as an option
// (found by a new user's trial: `init -- -weird` suggested `cd -weird`).
export function cdWord(dir: string): string {
  return dir.startsWith('-') ? `./${dir}` : dir;
}

// Polls `check` every 25 ms until it returns something other than false, for
// `ms` at most (then fails naming `what`): every wait in a test has a deadline.
export async function until<T>(what: string, check: () => T | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

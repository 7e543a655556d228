// DESIGN.md "Exit codes": the one table every command maps its outcome to.
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  invalidManifest: 3,
  runtimeUnavailable: 4,
  stackFailed: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

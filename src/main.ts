import {execute} from '@oclif/core';

export async function run(argv: string[], entry: string): Promise<void> {
  await execute({args: argv, dir: entry});
}

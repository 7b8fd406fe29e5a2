// The global flags that take a value, in both spellings. The launcher reads a command's name past them
// (its code cache is per command) without loading the CLI, and the CLI declares only that command; a test
// holds this list to main.ts's options.
export const valuedGlobalFlags: readonly string[] = [
  "--ansi",
  "--context",
  "--env-file",
  "-f",
  "--file",
  "--parallel",
  "--profile",
  "--progress",
  "--project-directory",
  "-p",
  "--project-name",
];

/**
 * The command line split at its command's name (the first word that is neither a flag nor a valued global
 * flag's value): the flags before it, without their values, and the name's index (argv.length without one).
 */
export function splitAtCommand(argv: readonly string[]): { flags: string[]; at: number } {
  const valued = new Set(valuedGlobalFlags);
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-")) return { flags, at: i };
    flags.push(arg);
    if (valued.has(arg)) i++;
  }
  return { flags, at: argv.length };
}

/** The command's name on the command line (see splitAtCommand), if it has one. */
export function commandWord(argv: readonly string[]): string | undefined {
  return argv[splitAtCommand(argv).at];
}

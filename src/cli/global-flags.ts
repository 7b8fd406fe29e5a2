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

/** The command line's first word that is neither a flag nor a valued global flag's value: the command's name. */
export function commandWord(argv: readonly string[]): string | undefined {
  const valued = new Set(valuedGlobalFlags);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (valued.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

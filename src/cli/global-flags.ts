// The global flags that take a value, in both spellings. The launcher reads a command's name past them
// (its code cache is per command) without loading the CLI; a test holds this list to main.ts's options.
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

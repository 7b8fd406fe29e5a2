// The command line's parse errors in the words and exit codes of the tools tcompose stands in for: the
// reference's cobra/pflag ("unknown flag: --bogus", "flag needs an argument: 'n' in -n", `unknown docker
// command: "compose bogus"`, exit 16, observed on 2.26.1) and, for `stack`, the docker CLI's (the same
// words, then "See 'docker stack ps --help'.", exit 125). commander finds the error; this says it.

/** Exit code of a flag or command the reference could not parse. */
export const usageExitCode = 16;
/** The docker CLI's, for the stack commands. */
export const dockerUsageExitCode = 125;

export interface ParseFailure {
  /** commander's error code ("commander.unknownOption" …) and message ("error: unknown option '-z'"). */
  code: string;
  message: string;
}

/** What to print (without the "tcompose: " prefix) and the exit code; undefined: not a parse error. */
export function usageError(
  failure: ParseFailure,
  argv: readonly string[],
  stack: { path: string } | undefined,
): { text: string; exitCode: number } | undefined {
  if (stack && failure.code === "commander.unknownCommand") return undefined;
  const text = cobraWords(failure, argv);
  if (text === undefined) return undefined;
  if (stack) return { text: `${text}\nSee 'tcompose ${stack.path} --help'.`, exitCode: dockerUsageExitCode };
  return { text, exitCode: usageExitCode };
}

function cobraWords(failure: ParseFailure, argv: readonly string[]): string | undefined {
  const message = failure.message.replace(/^error: /, "");
  switch (failure.code) {
    case "commander.unknownOption": {
      const flag = (/unknown option '([^']+)'/.exec(message)?.[1] ?? "").split("=")[0] ?? "";
      return flag.startsWith("--")
        ? `unknown flag: ${flag}`
        : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
    }
    case "commander.optionMissingArgument": {
      // "option '-n, --tail <tail>' argument missing": the form the user typed is the last one in argv.
      const forms: string[] = /option '([^']+)'/.exec(message)?.[1]?.match(/--?[\w-]+/g) ?? [];
      const typed = [...argv].reverse().find((a) => forms.includes(a)) ?? forms[forms.length - 1] ?? "";
      return typed.startsWith("--")
        ? `flag needs an argument: ${typed}`
        : `flag needs an argument: '${typed.slice(1)}' in ${typed}`;
    }
    case "commander.unknownCommand": {
      const word = /unknown command '([^']+)'/.exec(message)?.[1] ?? "";
      const suggestion = /\(Did you mean ([^?]+)\?\)/.exec(message)?.[1];
      return `unknown docker command: "compose ${word}"${suggestion ? `\nDid you mean ${suggestion}?` : ""}`;
    }
    default:
      return undefined;
  }
}

// The command line's parse errors in the words and exit codes of the tools tcompose stands in for: the
// reference's cobra/pflag ("unknown flag: --bogus", "flag needs an argument: 'n' in -n", `unknown docker
// command: "compose bogus"`, exit 16, observed on 2.26.1) and, for `stack`, the docker CLI's (the same
// words, then "See 'docker stack ps --help'.", exit 125). commander finds the error; this says it.

/** Exit code of a flag or command the reference could not parse. */
export const usageExitCode = 16;
/** The docker CLI's, for the stack commands. */
export const dockerUsageExitCode = 125;

/** pflag's words for an int flag's value it cannot parse; `name` as it shows it ("-t, --timeout"). */
export function invalidIntFlag(name: string, value: string): string | undefined {
  if (/^[+-]?\d+$/.test(value.trim())) return undefined;
  return `invalid argument "${value}" for "${name}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`;
}

export interface ParseFailure {
  /** commander's error code ("commander.unknownOption" …) and message ("error: unknown option '-z'"). */
  code: string;
  message: string;
}

/**
 * The reference's argument checks where commander finds too few (its cobra.MinimumNArgs words, or the docker
 * CLI's RequiresMinArgs/ExactArgs for cp and wait; exit 1 like the reference); commands taking none say
 * cobra's `unknown command "x" for "docker compose ls"`.
 */
const arity: Record<string, { min: number; words?: "exactly" | "at least" }> = {
  exec: { min: 2 },
  run: { min: 1 },
  port: { min: 2 },
  attach: { min: 1 },
  scale: { min: 1 },
  cp: { min: 2, words: "exactly" },
  wait: { min: 1, words: "at least" },
};

/** What to print (without the "tcompose: " prefix) and the exit code; undefined: not a parse error. */
export function usageError(
  failure: ParseFailure,
  argv: readonly string[],
  stack: { path: string } | undefined,
  /** The command being parsed: its name and the arguments (operands) it was given. */
  command?: { name: string; args: readonly string[] },
): { text: string; exitCode: number } | undefined {
  if (stack && failure.code === "commander.unknownCommand") return undefined;
  if (!stack && command) {
    const counted = argumentWords(failure, command);
    if (counted) return { text: counted, exitCode: 1 };
  }
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

function argumentWords(
  failure: ParseFailure,
  command: { name: string; args: readonly string[] },
): string | undefined {
  if (failure.code === "commander.excessArguments" && /Expected 0 arguments/.test(failure.message)) {
    return `unknown command ${JSON.stringify(command.args[0] ?? "")} for "tcompose ${command.name}"`;
  }
  if (failure.code !== "commander.missingArgument") return undefined;
  const rule = arity[command.name];
  if (!rule) return undefined;
  if (!rule.words) return `requires at least ${rule.min} arg(s), only received ${command.args.length}`;
  const plural = rule.min === 1 ? "argument" : "arguments";
  return `"tcompose ${command.name}" requires ${rule.words} ${rule.min} ${plural}.\nSee 'tcompose ${command.name} --help'.`;
}

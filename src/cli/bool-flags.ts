// Go's bool flags take a value too: `--all=true`, `-a=false`, `--remove-orphans=0` (pflag, as the
// reference parses them; scripts write `--detach=true`). commander knows `--all` alone, so the command line
// is rewritten before it parses: a true value leaves the bare flag, a false one drops it (every such flag
// of the reference is false unless given; the ones that are not take `[bool]` values of their own), and
// anything else is pflag's error.
import type { Command, Option } from "commander";
import { FlagError } from "./errors.js";
import { splitAtCommand } from "./global-flags.js";

const trueWords = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const falseWords = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** The command line with `--flag=BOOL` of boolean flags made commander's; throws pflag's error on a bad value. */
export function withGoBoolFlags(program: Command, argv: readonly string[]): string[] {
  if (!argv.some((a) => a.startsWith("-") && a.includes("="))) return [...argv];
  const { at } = splitAtCommand(argv);
  const command = program.commands.find((c) => c.name() === argv[at] || c.aliases().includes(argv[at] ?? ""));
  const scopes: readonly Command[] = [program, ...(command ? [command, ...command.commands] : [])];
  const options: Option[] = scopes.flatMap((c) => c.options as Option[]);
  const find = (flag: string) => options.find((o) => o.long === flag || o.short === flag);
  // exec and run: what follows the service is the container's command, never read for flags.
  const stopsAtOperand = command !== undefined && ["exec", "run"].includes(command.name());
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.push(arg);
      if (i > at && stopsAtOperand) {
        out.push(...argv.slice(i + 1));
        break;
      }
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const option = find(flag);
    if (eq < 0) {
      out.push(arg);
      // A flag's value is never a flag of its own (`-e A=--x=1`).
      if (option?.required && i + 1 < argv.length) out.push(argv[++i] as string);
      continue;
    }
    if (!option || option.required || option.optional) {
      out.push(arg);
      continue;
    }
    const value = arg.slice(eq + 1);
    if (trueWords.has(value)) out.push(flag);
    else if (!falseWords.has(value)) {
      throw new FlagError(
        `invalid argument ${JSON.stringify(value)} for "${option.flags}" flag: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`,
      );
    }
  }
  return out;
}

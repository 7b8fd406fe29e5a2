import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { InvalidProjectError } from "../project/load/diagnostics.js";
import { withGoBoolFlags } from "./bool-flags.js";
import { composeCommands } from "./commands/catalog.js";
import { registerCompletion } from "./commands/completion.js";
import { implementedCommands } from "./commands/registry.js";
import { registerStack } from "./commands/stack.js";
import { pluginCall, pluginMetadata } from "./docker-plugin.js";
import { CliError, ExitStatus, UsageError } from "./errors.js";
import { commandWord, splitAtCommand } from "./global-flags.js";
import { type Io, processIo } from "./io.js";
import { progressModeError } from "./progress-flags.js";
import { renderDiagnostics } from "./render/diagnostics.js";
import { invalidIntFlag, usageError } from "./usage-errors.js";
import { reportedVersion, versionSentence } from "./version.js";

// docker compose's global flags; every command sees them (commander: program.opts()).
function addGlobalOptions(program: Command): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    // The choices are for help and completion: any other --ansi value is taken as auto, and --progress is
    // checked before a command runs (not version nor the stack commands), as the reference does.
    .addOption(
      new Option("--ansi <when>", 'Control when to print ANSI control characters ("never"|"always"|"auto")')
        .choices(["never", "always", "auto"])
        .argParser((value: string) => value)
        .default("auto"),
    )
    .option("--compatibility", "Run compose in backward compatibility mode")
    .option("--context <name>", "The docker context to use (as `docker --context`)")
    .option("--dry-run", "Execute command in dry run mode")
    .option("--env-file <path>", "Specify an alternate environment file", collect)
    .option("-f, --file <path>", "Compose configuration files", collect)
    .option("--parallel <n>", "Control max parallelism, -1 for unlimited", "-1")
    .option("--profile <profile>", "Specify a profile to enable", collect)
    .addOption(
      new Option("--progress <type>", "Set type of progress output")
        .choices(["auto", "tty", "plain", "json", "quiet"])
        .argParser((value: string) => value)
        .default("auto"),
    )
    .option("--project-directory <path>", "Specify an alternate working directory")
    .option("-p, --project-name <name>", "Project name");
}

/** The reference's checks of --parallel, --progress and --ansi before a project command (exit 1). */
function checkGlobalFlags(command: Command): void {
  const {
    parallel,
    progress = "auto",
    ansi = "auto",
  } = command.optsWithGlobals() as {
    parallel?: string;
    progress?: string;
    ansi?: string;
  };
  // Exit 1 here, not 16: the reference reads --parallel after its flags are parsed.
  const invalid = parallel === undefined ? undefined : invalidIntFlag("--parallel", parallel);
  if (invalid) throw new UsageError(invalid);
  // Whether stderr is a console is checked where progress is shown (the reference's `--progress tty ps` runs).
  const refused = progressModeError(progress, ansi, true);
  if (refused) throw new UsageError(refused);
}

/**
 * Hidden copies of the program's global flags on a command, without defaults (so a value given before
 * the command name is not overridden); a flag the command defines itself keeps the command's meaning,
 * the global one then only has its long form there. Commands read both through optsWithGlobals().
 */
function inheritGlobalOptions(command: Command, program: Command): void {
  const taken = new Set(command.options.flatMap((o) => [o.short, o.long].filter(Boolean)));
  for (const global of program.options) {
    if (global.long && taken.has(global.long)) continue;
    const short = global.short && !taken.has(global.short) ? `${global.short}, ` : "";
    const value = global.required ? " <value>" : global.optional ? " [value]" : "";
    const copy = new Option(`${short}${global.long}${value}`, global.description).hideHelp();
    if (global.argChoices) copy.choices(global.argChoices);
    if (global.parseArg) copy.argParser(global.parseArg);
    command.addOption(copy);
  }
  // optsWithGlobals() lets the program's values (defaults included) win: hand the command's copies up.
  command.hook("preAction", () => {
    for (const global of program.options) {
      const key = global.attributeName();
      if (command.getOptionValueSource(key) === "cli") {
        program.setOptionValueWithSource(key, command.getOptionValue(key), "cli");
      }
    }
  });
}

/**
 * The program with every command, or with `only` when it names one of the reference's commands or `stack`:
 * a run declares just the command it runs (declaring all ~30, with their flags, cost about a tenth of a
 * small command's start-up). Its parsing, help and errors are the same (test/unit/cli/main.test.ts);
 * anything else (no command, `help`, an unknown word, `completion`, which prints every command) gets all.
 */
export function buildProgram(io: Io, only?: string): Command {
  const program = new Command("tcompose")
    .description(
      "Define and run multi-container applications with Docker (a Docker Compose v2 implementation)",
    )
    .addOption(new Option("--version", "Show the tcompose version information (also -v)"))
    // Parse errors are said by reportError, in the reference's words (usage-errors.ts); commander's text
    // is kept for the others.
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text) => {
        parseErrorText = text;
      },
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    // Global flags are read before the command name by the program, and after it by the command
    // (hidden copies, see inheritGlobalOptions): so `logs -f` is logs' --follow, not the global --file,
    // as with the reference's cobra flags (observed on 2.26.1: `docker compose logs -f` follows).
    .enablePositionalOptions();
  addGlobalOptions(program);
  program.hook("preAction", async (_program, action) => {
    if (action.name() !== "version" && action.parent?.name() !== "stack") checkGlobalFlags(action);
    const context = (action.optsWithGlobals() as { context?: string }).context;
    if (context) (await import("../project/engine/index.js")).useContext(context);
  });
  const one = only !== undefined && Object.hasOwn(implementedCommands, only);
  // Every command of the reference's set, in its order (test/unit/cli/main.test.ts checks none is missing).
  for (const { name } of composeCommands) {
    if (one && name !== only) continue;
    if (only === "stack") break;
    implementedCommands[name]?.(program, io);
    const registered = program.commands.find((c) => c.name() === name);
    if (registered) inheritGlobalOptions(registered, program);
  }
  if (one) return program;
  // tcompose's own (the reference has no `completion`): after the reference's commands in --help.
  registerStack(program, io);
  if (only !== "stack") registerCompletion(program, io);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function run(cliArgv: readonly string[], io: Io = processIo): Promise<number> {
  // Run by the docker CLI as its `compose` plugin: docker's flags before `compose` become tcompose's.
  const plugin = pluginCall(cliArgv, process.env);
  if (plugin.kind === "metadata") {
    io.stdout(pluginMetadata(reportedVersion));
    return 0;
  }
  if (plugin.kind === "error") {
    io.stderr(`tcompose: ${plugin.message}\n`);
    return 1;
  }
  if (plugin.kind === "run") Object.assign(process.env, plugin.env);
  const argv = plugin.kind === "run" ? plugin.argv : cliArgv;
  // -v / --version before any command: the program's version. After a command name, -v is that
  // command's own flag (`down -v` removes volumes), so commander's program-wide version flag is not used.
  const { flags } = splitAtCommand(argv);
  if (flags.includes("-v") || flags.includes("--version")) {
    io.stdout(versionSentence);
    return 0;
  }
  const program = buildProgram(io, commandWord(argv));
  parseErrorText = "";
  try {
    await program.parseAsync(withGoBoolFlags(program, argv), { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error, io, argv, program);
  }
}

/** commander's text for the last error it found, printed when usage-errors.ts has no words for it. */
let parseErrorText = "";

/** `stack SUBCOMMAND` on the command line: the docker CLI's usage errors then. */
function stackPath(argv: readonly string[]): { path: string } | undefined {
  const { at } = splitAtCommand(argv);
  if (argv[at] !== "stack") return undefined;
  const sub = argv.slice(at + 1).find((a) => !a.startsWith("-"));
  return { path: sub ? `stack ${sub}` : "stack" };
}

function readTextOrNothing(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function reportError(error: unknown, io: Io, argv: readonly string[], program: Command): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return 0; // help or version, printed
    const word = commandWord(argv);
    const sub = program.commands.find((c) => c.name() === word);
    const usage = usageError(
      { code: error.code, message: error.message },
      argv,
      stackPath(argv),
      sub ? { name: sub.name(), args: sub.args } : undefined,
    );
    if (usage) {
      io.stderr(`tcompose: ${usage.text}\n`);
      return usage.exitCode;
    }
    io.stderr(parseErrorText);
    return 1;
  }
  if (error instanceof InvalidProjectError) {
    io.stderr(renderDiagnostics(error.diagnostics, readTextOrNothing, process.cwd()));
    return error.exitCode;
  }
  if (error instanceof ExitStatus) return error.exitCode;
  if (error instanceof CliError) {
    // An empty message carries only an exit code (`run` and `exec` exit with their command's).
    if (error.message) io.stderr(`tcompose: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`tcompose: ${message}\n`);
  if (process.env.DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return 1;
}

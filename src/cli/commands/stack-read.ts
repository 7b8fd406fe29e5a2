// `stack ls`, `stack ps NAME` and `stack services NAME`: the docker CLI 20.10's commands of the same names
// (cli/command/stack/{list,ps,services}.go), with their flags, output, ordering and messages.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { FilterArgs } from "../../project/stack/read.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";

const collect = (value: string, previous: string[]) => [...previous, value];

interface PsFlags {
  trunc: boolean;
  resolve: boolean;
  filter: string[];
  quiet?: boolean;
  format: string;
}

interface ServicesFlags {
  quiet?: boolean;
  format: string;
  filter: string[];
}

/** cobra's argument checks, in docker's words (exit 1). */
function checkArgs(command: Command, args: string[], usage: string, exactlyOne: boolean): void {
  const path = `tcompose stack ${command.name()}`;
  const help = `See '${path} --help'.\n\nUsage:  ${path} ${usage}\n\n${command.description()}`;
  if (exactlyOne && args.length !== 1) {
    throw new CliError(`"${path}" requires exactly 1 argument.\n${help}`);
  }
  if (!exactlyOne && args.length > 0) throw new CliError(`"${path}" accepts no arguments.\n${help}`);
}

/** validateStackName: a name that is empty once quotes and white space are trimmed is refused. */
function checkStackName(name: string): void {
  if (name.replace(/^[\s"']+|[\s"']+$/gu, "") === "") {
    throw new CliError(`invalid stack name: ${JSON.stringify(name)}`);
  }
}

/** The --filter flags as docker's FilterOpt takes them (a malformed one is a flag error: exit 125). */
async function filterArgs(command: Command, values: string[]): Promise<FilterArgs> {
  const { parseFilterArg } = await import("../../project/stack/read.js");
  const args: FilterArgs = [];
  for (const value of values) {
    try {
      const arg = parseFilterArg(value);
      if (arg) args.push(arg);
    } catch (error) {
      throw new CliError(
        `invalid argument ${JSON.stringify(value)} for "-f, --filter" flag: ${(error as Error).message}\n` +
          `See 'tcompose stack ${command.name()} --help'.`,
        125,
      );
    }
  }
  return args;
}

/**
 * The default format docker's config.json sets for a list (`tasksFormat`, `servicesFormat`): used when
 * --format is not given and the output is not quiet.
 */
function configFormat(key: "tasksFormat" | "servicesFormat"): string {
  const dir = process.env.DOCKER_CONFIG || join(homedir(), ".docker");
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
    const value = config[key];
    return typeof value === "string" ? value : "";
  } catch {
    return "";
  }
}

/** The engine's refusal of a request (an unknown filter, not a swarm manager) as the docker CLI prints it. */
async function daemonErrors<T>(work: () => Promise<T>): Promise<T> {
  const { EngineError } = await import("../../project/engine/index.js");
  try {
    return await work();
  } catch (error) {
    if (error instanceof EngineError && error.statusCode !== undefined) {
      const message = error.message.startsWith(`${error.resource}: `)
        ? error.message.slice(error.resource.length + 2)
        : error.message;
      throw new CliError(`Error response from daemon: ${message}`);
    }
    throw error;
  }
}

export function registerStackLs(stack: Command, io: Io): void {
  stack
    .command("ls")
    .alias("list")
    .description("List stacks")
    .argument("[args...]")
    .option("--format <string>", "Pretty-print stacks using a Go template", "")
    .action(async (args: string[], flags: { format: string }, command: Command) => {
      checkArgs(command, args, "[OPTIONS]", false);
      const [{ connectEngine }, read, render] = await readers();
      const engine = await connectEngine();
      const stacks = await daemonErrors(() => read.listStacks(engine));
      const rows = stacks.map(render.stackContext);
      io.stdout(render.writeList(render.stackFormat(flags.format), rows, render.stackKind));
    });
}

/** The modules the three commands work with, loaded when one runs. */
function readers() {
  return Promise.all([
    import("../../project/engine/index.js"),
    import("../../project/stack/read.js"),
    import("../render/stack.js"),
  ]);
}

/** The one STACK argument of `ps` and `services`, checked as docker checks it. */
function stackArgument(command: Command, args: string[]): string {
  checkArgs(command, args, "[OPTIONS] STACK", true);
  const namespace = args[0] as string;
  checkStackName(namespace);
  return namespace;
}

export function registerStackPs(stack: Command, io: Io): void {
  stack
    .command("ps")
    .description("List the tasks in the stack")
    .argument("[stack...]")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect, [])
    .option("--format <string>", "Pretty-print tasks using a Go template", "")
    .option("--no-resolve", "Do not map IDs to Names")
    .option("--no-trunc", "Do not truncate output")
    .option("-q, --quiet", "Only display task IDs")
    .action(async (args: string[], flags: PsFlags, command: Command) => {
      const namespace = stackArgument(command, args);
      const filters = await filterArgs(command, flags.filter);
      const [{ connectEngine }, read, render] = await readers();
      const quiet = Boolean(flags.quiet);
      const source = flags.format || (quiet ? "" : configFormat("tasksFormat"));
      const format = render.taskFormat(source, quiet);
      const engine = await connectEngine();
      const tasks = await daemonErrors(() =>
        read.stackTasks(engine, namespace, filters, {
          resolve: flags.resolve,
          table: render.isTableFormat(format),
        }),
      );
      if (tasks.length === 0) throw new CliError(`nothing found in stack: ${namespace}`);
      const now = Date.now();
      const rows = tasks.map((t) => render.taskContext(t, flags.trunc, now));
      io.stdout(render.writeList(format, rows, render.taskKind));
    });
}

export function registerStackServices(stack: Command, io: Io): void {
  stack
    .command("services")
    .description("List the services in the stack")
    .argument("[stack...]")
    .option("-f, --filter <filter>", "Filter output based on conditions provided", collect, [])
    .option("--format <string>", "Pretty-print services using a Go template", "")
    .option("-q, --quiet", "Only display IDs")
    .action(async (args: string[], flags: ServicesFlags, command: Command) => {
      const namespace = stackArgument(command, args);
      const filters = await filterArgs(command, flags.filter);
      const [{ connectEngine }, read, render] = await readers();
      const quiet = Boolean(flags.quiet);
      const engine = await connectEngine();
      const services = await daemonErrors(() => read.stackServices(engine, namespace, filters, quiet));
      if (services.length === 0) {
        // docker says so on stderr and succeeds.
        io.stderr(`Nothing found in stack: ${namespace}\n`);
        return;
      }
      const rows = services.map(render.serviceContext);
      const source = flags.format || (quiet ? "" : configFormat("servicesFormat"));
      io.stdout(render.writeList(render.serviceFormat(source, quiet), rows, render.serviceKind));
    });
}

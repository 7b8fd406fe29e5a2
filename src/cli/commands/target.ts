// Which project a day-2 command acts on, decided the way the reference's cmd/compose decides it (2.26.1):
// - projectOrName (ps, logs, stop, restart, kill, pause, unpause, rm): with -p and no -f the compose files
//   are not read at all, the project is the name alone (its services come from the containers' labels);
//   otherwise the files are loaded, and if that fails COMPOSE_PROJECT_NAME still names the project.
// - nameOnly (exec, cp, wait, top, port, images, events): -p, else COMPOSE_PROJECT_NAME, else the loaded
//   project's name.
// And what those commands share: the progress view around their work, their errors as the reference
// prints them, their flags' parsing.
import type { Command } from "commander";
import { EngineError } from "../../project/engine/errors.js";
import type { Engine } from "../../project/engine/types.js";
import type { OpsContext } from "../../project/lifecycle.js";
import type { Project } from "../../project/load/index.js";
import { CliError, FlagError } from "../errors.js";
import type { Io } from "../io.js";
import type { GlobalOptions } from "../project-options.js";
import { invalidIntFlag } from "../usage-errors.js";

export interface Target {
  name: string;
  project?: Project;
  engine: Engine;
}

export interface TargetOptions {
  /** The command plans a dry run from engine reads alone: the engine as it is, not one that fakes writes. */
  plansDryRun?: boolean;
}

/** The engine; with --dry-run, one that changes nothing, unless the command plans its dry run itself. */
async function engine(command: Command, options: TargetOptions): Promise<Engine> {
  const { connectEngine } = await import("../../project/engine/index.js");
  const connected = await connectEngine();
  if (!isDryRun(command) || options.plansDryRun) return connected;
  const { dryRunEngine } = await import("../../project/engine/dry-run.js");
  return dryRunEngine(connected);
}

export function isDryRun(command: Command): boolean {
  return (command.optsWithGlobals() as { dryRun?: boolean }).dryRun === true;
}

async function load(command: Command, io: Io, services: string[]): Promise<Project> {
  const { loadFromCommand } = await import("../project-options.js");
  return loadFromCommand(command, services.length ? { services } : {}, io.stderr);
}

export async function projectOrName(
  command: Command,
  io: Io,
  services: string[] = [],
  options: TargetOptions = {},
): Promise<Target> {
  const global = command.optsWithGlobals() as GlobalOptions;
  if (global.projectName && !global.file?.length) {
    return { name: global.projectName.toLowerCase(), engine: await engine(command, options) };
  }
  let project: Project;
  try {
    project = await load(command, io, services);
  } catch (error) {
    const fromEnv = process.env.COMPOSE_PROJECT_NAME;
    if (!fromEnv) throw error;
    return { name: fromEnv.toLowerCase(), engine: await engine(command, options) };
  }
  return { name: project.name, project, engine: await engine(command, options) };
}

export async function nameOnly(command: Command, io: Io, options: TargetOptions = {}): Promise<Target> {
  const global = command.optsWithGlobals() as GlobalOptions;
  const named = global.projectName || process.env.COMPOSE_PROJECT_NAME;
  if (named) return { name: named.toLowerCase(), engine: await engine(command, options) };
  const project = await load(command, io, []);
  return { name: project.name, engine: await engine(command, options) };
}

/** The engine's refusal as the reference prints it ("Error response from daemon: …"). */
export function daemonError(error: unknown): unknown {
  if (!(error instanceof EngineError)) return error;
  const prefix = `${error.resource}: `;
  const message = (error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message)
    // dockerode's own wording around the engine's, for streamed requests: "(HTTP code 404) no such … - "
    .replace(/^\(HTTP code \d+\) [^-]*- /, "")
    .trim();
  return new CliError(`Error response from daemon: ${message}`);
}

/** -t/--timeout, --index, --wait-timeout: Go's int flags; `name` as pflag shows it ("-t, --timeout"). */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const invalid = invalidIntFlag(name, value);
  if (invalid) throw new FlagError(invalid);
  return Number.parseInt(value, 10);
}

export function concurrencyOf(command: Command): number | undefined {
  const n = Number((command.optsWithGlobals() as { parallel?: string }).parallel ?? "-1");
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Go's strconv.ParseBool, for a bool flag given a value (`--orphans=false`, `--sig-proxy=false`). */
export function parseGoBool(value: string | undefined): boolean {
  if (value === undefined) return true;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new Error(`invalid argument "${value}": strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/** The reference's utils.StringToBool: "y", or what Go's strconv.ParseBool calls true. */
export function stringToBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  return s === "y" || s === "1" || s === "t" || s === "true";
}

/** A service named on the command line must be one of the loaded project's (as the reference's loader checks). */
export function checkServices(target: Target, services: readonly string[]): void {
  if (!target.project) return;
  const known = (target.project.model.services ?? {}) as Record<string, unknown>;
  for (const s of services) if (!Object.hasOwn(known, s)) throw new CliError(`no such service: ${s}`);
}

/** An error of the engine or of the project layer as the CLI prints it (a plain Error: its message alone). */
export function asCliError(error: unknown): unknown {
  const mapped = daemonError(error);
  if (mapped instanceof CliError || !(mapped instanceof Error)) return mapped;
  if (mapped.constructor === Error) return new CliError(mapped.message);
  return mapped;
}

/** Runs a day-2 command's work (stop, kill, rm …) with the progress view titled as the reference's. */
export async function withOpsProgress<T>(
  command: Command,
  io: Io,
  target: Target,
  title: string,
  work: (context: OpsContext) => Promise<T>,
): Promise<T> {
  const { progressFor } = await import("../progress-output.js");
  const progress = await progressFor(command, io, title);
  const concurrency = concurrencyOf(command);
  const context: OpsContext = {
    engine: target.engine,
    name: target.name,
    ...(target.project ? { project: target.project } : {}),
    progress,
    ...(concurrency ? { concurrency } : {}),
    ...(isDryRun(command) ? { dryRun: true } : {}),
  };
  try {
    return await work(context);
  } catch (error) {
    throw asCliError(error);
  } finally {
    progress.stop();
  }
}

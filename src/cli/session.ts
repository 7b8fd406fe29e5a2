// What a command that talks to the engine starts from: the project (loaded from its files when there are
// some, or only its name when there are none and -p / COMPOSE_PROJECT_NAME names it, as the reference
// allows for ps, logs, down …) and a connection to the engine. I/O at the edge; commands stay thin.
import type { Command } from "commander";
import type { Engine } from "../project/engine/types.js";
import type { Project } from "../project/load/index.js";
import { CliError } from "./errors.js";
import type { Io } from "./io.js";
import { type GlobalOptions, loadFromCommand } from "./project-options.js";

export interface Session {
  /** The project's name (lower-cased like the reference when it comes from -p alone). */
  name: string;
  /** The loaded project; absent when there is no compose file and the project was named by -p. */
  project?: Project;
  engine: Engine;
}

export interface SessionOptions {
  /** Services named on the command line: enabled whatever their profiles. */
  services?: string[];
  /** Without a compose file, work from the project name alone (ps, logs, down, stop …). */
  nameIsEnough?: boolean;
  /** The command plans a dry run from engine reads alone: the engine as it is, not one that fakes writes. */
  plansDryRun?: boolean;
}

export async function openSession(command: Command, io: Io, options: SessionOptions = {}): Promise<Session> {
  const project = loadOrName(command, io, options);
  const { connectEngine } = await import("../project/engine/index.js");
  let engine = await connectEngine();
  if ((command.optsWithGlobals() as { dryRun?: boolean }).dryRun && !options.plansDryRun) {
    const { dryRunEngine } = await import("../project/engine/dry-run.js");
    engine = dryRunEngine(engine);
  }
  return typeof project === "string" ? { name: project, engine } : { name: project.name, project, engine };
}

function loadOrName(command: Command, io: Io, options: SessionOptions): Project | string {
  try {
    return loadFromCommand(command, options.services ? { services: options.services } : {}, io.stderr);
  } catch (error) {
    // Exit 14: no compose file. A named project can still be acted on (observed on 2.26: `-p x ps`).
    if (!(options.nameIsEnough && error instanceof CliError && error.exitCode === 14)) throw error;
    const global = command.optsWithGlobals() as GlobalOptions;
    const name = global.projectName ?? process.env.COMPOSE_PROJECT_NAME;
    if (!name) throw error;
    return name.toLowerCase();
  }
}

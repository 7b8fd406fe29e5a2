// The project lock (src/project/lock.ts) around a command's changes: the waiting message on stderr, no
// lock with --dry-run, and Ctrl-C while waiting ends the command (exit 130) instead of killing it.
import type { Command } from "commander";
import type { Engine } from "../project/engine/types.js";
import type { ProjectLock } from "../project/lock.js";
import { CliError } from "./errors.js";
import type { Io } from "./io.js";

/** Takes the project's lock (waiting for another run's end); release it in a `finally`. */
export async function lockFor(
  command: Command,
  io: Io,
  engine: Engine,
  project: string,
): Promise<ProjectLock> {
  const { lockProject } = await import("../project/lock.js");
  const dryRun = (command.optsWithGlobals() as { dryRun?: boolean }).dryRun === true;
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.on("SIGINT", abort);
  try {
    return await lockProject({
      engine,
      project,
      command: command.name(),
      dryRun,
      notify: io.stderr,
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) throw new CliError("canceled", 130);
    throw error;
  } finally {
    process.off("SIGINT", abort);
  }
}

/** Runs the work holding the project's lock. */
export async function locked<T>(
  command: Command,
  io: Io,
  engine: Engine,
  project: string,
  work: () => Promise<T>,
): Promise<T> {
  const lock = await lockFor(command, io, engine, project);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

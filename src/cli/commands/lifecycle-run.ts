// The work behind stop, restart, kill, pause, unpause, rm and wait (loaded only when one of them runs):
// which project, the progress view with the reference's title, and the reference's messages and exit codes.
import { readSync } from "node:fs";
import type { Command } from "commander";
import type { OpsContext } from "../../project/lifecycle.js";
import type { Progress } from "../../project/progress.js";
import { CliError, ExitStatus } from "../errors.js";
import type { Io } from "../main.js";
import { progressFor } from "../progress-output.js";
import { locked } from "../project-lock.js";
import type { RmFlags } from "./rm.js";
import { concurrencyOf, daemonError, intFlag, nameOnly, projectOrName, type Target } from "./target.js";

async function withProgress<T>(
  command: Command,
  io: Io,
  target: Target,
  title: string,
  work: (context: OpsContext) => Promise<T>,
): Promise<T> {
  const progress: Progress = await progressFor(command, io, title);
  const concurrency = concurrencyOf(command);
  const context: OpsContext = {
    engine: target.engine,
    name: target.name,
    ...(target.project ? { project: target.project } : {}),
    progress,
    ...(concurrency ? { concurrency } : {}),
  };
  try {
    return await work(context);
  } catch (error) {
    throw asCliError(error);
  } finally {
    progress.stop();
  }
}

function asCliError(error: unknown): unknown {
  const mapped = daemonError(error);
  if (mapped instanceof CliError || !(mapped instanceof Error)) return mapped;
  if (mapped.constructor === Error) return new CliError(mapped.message);
  return mapped;
}

/** A service named on the command line must be one of the loaded project's (as the reference's loader checks). */
function checkServices(target: Target, services: readonly string[]): void {
  if (!target.project) return;
  const known = (target.project.model.services ?? {}) as Record<string, unknown>;
  for (const s of services) if (!Object.hasOwn(known, s)) throw new CliError(`no such service: ${s}`);
}

export async function runStop(command: Command, io: Io, services: string[], timeout?: string) {
  const t = intFlag("timeout", timeout);
  const target = await projectOrName(command, io, services);
  checkServices(target, services);
  const { stopServices } = await import("../../project/lifecycle.js");
  await locked(command, io, target.engine, target.name, () =>
    withProgress(command, io, target, "Stopping", (context) =>
      stopServices(context, { services, ...(t !== undefined ? { timeout: t } : {}) }),
    ),
  );
}

export async function runRestart(
  command: Command,
  io: Io,
  services: string[],
  flags: { timeout?: string | undefined; noDeps: boolean },
) {
  const t = intFlag("timeout", flags.timeout);
  // The reference loads restart's project without the named services (then enables them).
  const target = await projectOrName(command, io, services);
  checkServices(target, services);
  const { restartServices } = await import("../../project/lifecycle.js");
  await locked(command, io, target.engine, target.name, () =>
    withProgress(command, io, target, "Restarting", (context) =>
      restartServices(context, {
        services,
        noDeps: flags.noDeps,
        ...(t !== undefined ? { timeout: t } : {}),
      }),
    ),
  );
}

export async function runKill(
  command: Command,
  io: Io,
  services: string[],
  flags: { removeOrphans?: boolean; signal: string },
) {
  const target = await projectOrName(command, io, services);
  checkServices(target, services);
  const { killServices } = await import("../../project/lifecycle.js");
  // COMPOSE_REMOVE_ORPHANS is the flag's default (the reference's utils.StringToBool).
  const removeOrphans = flags.removeOrphans ?? stringToBool(process.env.COMPOSE_REMOVE_ORPHANS ?? "");
  const outcome = await withProgress(command, io, target, "Killing", (context) =>
    killServices(context, { services, signal: flags.signal, removeOrphans }),
  );
  // Observed on 2.26.1: printed without a newline.
  if (outcome === "none") io.stderr("no container to kill");
}

export async function runPause(command: Command, io: Io, services: string[], unpause: boolean) {
  const target = await projectOrName(command, io, services);
  checkServices(target, services);
  const { pauseServices } = await import("../../project/lifecycle.js");
  await withProgress(command, io, target, unpause ? "Running" : "Pausing", (context) =>
    pauseServices(context, { services, unpause }),
  );
}

/** The reference's utils.StringToBool: "y", or what Go's strconv.ParseBool calls true. */
export function stringToBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  return s === "y" || s === "1" || s === "t" || s === "true";
}

/** One line of stdin, read synchronously (Go's fmt.Scanln reads up to the newline). */
function readLine(): string {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, one, 0, 1, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") continue;
      break;
    }
    if (n === 0 || one[0] === 0x0a) break;
    bytes.push(one[0] ?? 0);
  }
  return Buffer.from(bytes).toString("utf8").replace(/\r$/, "");
}

/**
 * The reference's confirmation (pkg/prompt, 2.26.1): on a terminal survey's "? MESSAGE (y/N) " question,
 * redrawn with the answer (Yes / No); otherwise the bare message on stdout and one line read from stdin.
 */
function confirm(io: Io, message: string): boolean {
  if (!process.stdin.isTTY) {
    io.stdout(message);
    return stringToBool(readLine());
  }
  const question = `\x1b[0;1;92m? \x1b[0m\x1b[0;1;99m${message} \x1b[0m`;
  io.stdout(`\x1b[0G\x1b[2K${question}\x1b[0;37m(y/N) \x1b[0m`);
  const answer = readLine().trim().toLowerCase();
  const yes = answer === "y" || answer === "yes";
  io.stdout(`\x1b[1A\x1b[0G\x1b[2K${question}\x1b[0;36m${yes ? "Yes" : "No"}\x1b[0m\n`);
  return yes;
}

export async function runRm(command: Command, io: Io, services: string[], flags: RmFlags) {
  const target = await projectOrName(command, io, services);
  checkServices(target, services);
  const lifecycle = await import("../../project/lifecycle.js");
  if (flags.stop) {
    await locked(command, io, target.engine, target.name, () =>
      withProgress(command, io, target, "Stopping", (context) =>
        lifecycle.stopServices(context, { services }),
      ),
    );
  }
  let stopped: Awaited<ReturnType<typeof lifecycle.stoppedContainers>>;
  try {
    stopped = await lifecycle.stoppedContainers(target, services);
  } catch (error) {
    throw asCliError(error);
  }
  if (stopped.length === 0) {
    io.stderr("No stopped containers\n");
    return;
  }
  const { canonicalName } = await import("../../project/state.js");
  const message = `Going to remove ${stopped.map(canonicalName).join(", ")}`;
  if (flags.force) io.stdout(`${message}\n`);
  else if (!confirm(io, message)) return;
  await locked(command, io, target.engine, target.name, () =>
    withProgress(command, io, target, "Removing", (context) =>
      lifecycle.removeStopped(context, stopped, {
        force: flags.force === true,
        volumes: flags.volumes === true,
      }),
    ),
  );
}

export async function runWait(command: Command, io: Io, services: string[], downProject: boolean) {
  const target = await nameOnly(command, io);
  const { waitServices } = await import("../../project/lifecycle.js");
  let status: number;
  try {
    status = await waitServices(target.engine, target.name, services, (c, code) =>
      io.stdout(`container "${c.id}" exited with status code ${code}\n`),
    );
  } catch (error) {
    throw asCliError(error);
  }
  if (downProject) {
    const { downProject: down } = await import("../../project/down.js");
    await locked(command, io, target.engine, target.name, () =>
      withProgress(command, io, target, "Running", (context) =>
        down(
          { engine: context.engine, name: context.name, progress: context.progress, warn: io.stderr },
          { removeOrphans: true },
        ),
      ),
    );
  }
  if (status !== 0) throw new ExitStatus(status);
}

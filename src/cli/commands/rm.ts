// `rm [SERVICE…]`: the reference's (pkg/compose/remove.go, 2.26.1): removes the services' stopped
// containers after "Going to remove …" (printed with -f, asked otherwise); -s stops them first.
import { readSync } from "node:fs";
import type { Command } from "commander";
import type { Io } from "../io.js";
import { asCliError, checkServices, projectOrName, stringToBool, withOpsProgress } from "./target.js";

export interface RmFlags {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
}

export function registerRm(program: Command, io: Io): void {
  program
    .command("rm")
    .description("Removes stopped service containers")
    .argument("[services...]")
    .option("-f, --force", "Don't ask to confirm removal")
    .option("-s, --stop", "Stop the containers, if required, before removing")
    .option("-v, --volumes", "Remove any anonymous volumes attached to containers")
    .option("-a, --all", "Deprecated - no effect")
    .action(async (services: string[], flags: RmFlags, command: Command) => {
      await runRm(command, io, services, flags);
    });
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

async function runRm(command: Command, io: Io, services: string[], flags: RmFlags) {
  const target = await projectOrName(command, io, services, { plansDryRun: true });
  checkServices(target, services);
  const lifecycle = await import("../../project/lifecycle.js");
  const { locked } = await import("../project-lock.js");
  if (flags.stop) {
    await locked(command, io, target.engine, target.name, () =>
      withOpsProgress(command, io, target, "Stopping", (context) =>
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
    withOpsProgress(command, io, target, "Removing", (context) =>
      lifecycle.removeStopped(context, stopped, {
        force: flags.force === true,
        volumes: flags.volumes === true,
      }),
    ),
  );
}

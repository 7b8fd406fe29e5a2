// `kill [SERVICE…]`: the reference's (pkg/compose/kill.go, 2.26.1): a signal (SIGKILL by default) to every
// running container of the services, all at once; COMPOSE_REMOVE_ORPHANS sets --remove-orphans's default.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { checkServices, projectOrName, stringToBool, withOpsProgress } from "./target.js";

export function registerKill(program: Command, io: Io): void {
  program
    .command("kill")
    .description("Force stop service containers")
    .argument("[services...]")
    .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
    .option("-s, --signal <signal>", "SIGNAL to send to the container", "SIGKILL")
    .action(
      async (services: string[], flags: { removeOrphans?: boolean; signal: string }, command: Command) => {
        await runKill(command, io, services, flags);
      },
    );
}

async function runKill(
  command: Command,
  io: Io,
  services: string[],
  flags: { removeOrphans?: boolean; signal: string },
) {
  const target = await projectOrName(command, io, services, { plansDryRun: true });
  checkServices(target, services);
  const { killServices } = await import("../../project/lifecycle.js");
  // COMPOSE_REMOVE_ORPHANS is the flag's default (the reference's utils.StringToBool).
  const removeOrphans = flags.removeOrphans ?? stringToBool(process.env.COMPOSE_REMOVE_ORPHANS ?? "");
  const outcome = await withOpsProgress(command, io, target, "Killing", (context) =>
    killServices(context, { services, signal: flags.signal, removeOrphans }),
  );
  // Observed on 2.26.1: printed without a newline.
  if (outcome === "none") io.stderr("no container to kill");
}

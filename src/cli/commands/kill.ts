// `kill [SERVICE…]`: the reference's (pkg/compose/kill.go, 2.26.1): a signal (SIGKILL by default) to every
// running container of the services, all at once; COMPOSE_REMOVE_ORPHANS sets --remove-orphans's default.
import type { Command } from "commander";
import type { Io } from "../main.js";

export function registerKill(program: Command, io: Io): void {
  program
    .command("kill")
    .description("Force stop service containers")
    .argument("[services...]")
    .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
    .option("-s, --signal <signal>", "SIGNAL to send to the container", "SIGKILL")
    .action(
      async (services: string[], flags: { removeOrphans?: boolean; signal: string }, command: Command) => {
        const { runKill } = await import("./lifecycle-run.js");
        await runKill(command, io, services, flags);
      },
    );
}

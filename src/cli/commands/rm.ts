// `rm [SERVICE…]`: the reference's (pkg/compose/remove.go, 2.26.1): removes the services' stopped
// containers after "Going to remove …" (printed with -f, asked otherwise); -s stops them first.
import type { Command } from "commander";
import type { Io } from "../main.js";

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
      const { runRm } = await import("./lifecycle-run.js");
      await runRm(command, io, services, flags);
    });
}

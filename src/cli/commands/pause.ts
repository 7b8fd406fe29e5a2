// `pause [SERVICE…]`: the reference's (pkg/compose/pause.go, 2.26.1): running containers, one "Paused" line each.
import type { Command } from "commander";
import type { Io } from "../main.js";

export function registerPause(program: Command, io: Io): void {
  program
    .command("pause")
    .description("Pause services")
    .argument("[services...]")
    .action(async (services: string[], _flags: unknown, command: Command) => {
      const { runPause } = await import("./lifecycle-run.js");
      await runPause(command, io, services, false);
    });
}

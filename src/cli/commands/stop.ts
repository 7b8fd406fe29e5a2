// `stop [SERVICE…]`: the reference's (cmd/compose/stop.go, pkg/compose/stop.go, 2.26.1): dependants first,
// every container of each service, stopped ones included (each still reports Stopping / Stopped).
import type { Command } from "commander";
import type { Io } from "../main.js";

export function registerStop(program: Command, io: Io): void {
  program
    .command("stop")
    .description("Stop services")
    .argument("[services...]")
    .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
    .action(async (services: string[], flags: { timeout?: string }, command: Command) => {
      const { runStop } = await import("./lifecycle-run.js");
      await runStop(command, io, services, flags.timeout);
    });
}

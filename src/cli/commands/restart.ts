// `restart [SERVICE…]`: the reference's (pkg/compose/restart.go, 2.26.1): in dependency order, following
// only depends_on entries with `restart: true`; named services bring their dependants unless --no-deps.
import type { Command } from "commander";
import type { Io } from "../main.js";

export function registerRestart(program: Command, io: Io): void {
  program
    .command("restart")
    .description("Restart service containers")
    .argument("[services...]")
    .option("--no-deps", "Don't restart dependent services")
    .option("-t, --timeout <seconds>", "Specify a shutdown timeout in seconds")
    .action(async (services: string[], flags: { timeout?: string; deps: boolean }, command: Command) => {
      const { runRestart } = await import("./lifecycle-run.js");
      await runRestart(command, io, services, { timeout: flags.timeout, noDeps: flags.deps === false });
    });
}

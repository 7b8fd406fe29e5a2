// `stack logs STACK [SERVICE...]`: tcompose's own (docker has no `stack logs`), the services' logs printed
// like `tcompose logs` prints containers' (same flags where the swarm has them, same prefixes and colours);
// the prefixes are explained in src/project/stack/logs.ts. Ctrl-C ends -f as it ends `tcompose logs -f`.
import type { Command } from "commander";
import type { Io } from "../io.js";

interface StackLogsFlags {
  follow?: boolean;
  since?: string;
  color: boolean;
  logPrefix: boolean;
  timestamps?: boolean;
  tail: string;
}

export function registerStackLogs(stack: Command, _io: Io): void {
  stack
    .command("logs")
    .description("View output from the services of a stack")
    .argument("<stack>")
    .argument("[service...]")
    .option("-f, --follow", "Follow log output")
    .option(
      "--since <since>",
      "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)",
    )
    .option("--no-color", "Produce monochrome output")
    .option("--no-log-prefix", "Don't print prefix in logs")
    .option("-t, --timestamps", "Show timestamps")
    .option("-n, --tail <tail>", "Number of lines to show from the end of the logs for each task", "all")
    .action(async (namespace: string, services: string[], flags: StackLogsFlags, command: Command) => {
      const [{ CliError }, { connectEngine }, { LogPrinter }, stackLogs, { invalidStackName }] =
        await Promise.all([
          import("../errors.js"),
          import("../../project/engine/index.js"),
          import("../render/log-printer.js"),
          import("../../project/stack/logs.js"),
          import("../../project/stack/remove.js"),
        ]);
      const invalid = invalidStackName(namespace);
      if (invalid) throw new CliError(invalid);
      const engine = await connectEngine();
      // A reader that goes away (`stack logs | head`) ends the command quietly, as `logs` does.
      process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        process.exit(141);
      });
      const ansi = (command.optsWithGlobals() as { ansi?: string }).ansi ?? "auto";
      const useAnsi = ansi === "always" || (ansi === "auto" && Boolean(process.stdout.isTTY));
      const printer = new LogPrinter(process.stdout, {
        color: flags.color && useAnsi,
        prefix: flags.logPrefix,
      });
      try {
        await stackLogs.printStackLogs(engine, namespace, services, printer, {
          follow: Boolean(flags.follow),
          tail: flags.tail,
          ...(flags.since !== undefined ? { since: flags.since } : {}),
          ...(flags.timestamps ? { timestamps: true } : {}),
        });
      } catch (error) {
        if (error instanceof stackLogs.StackLogsError) throw new CliError(error.message);
        throw error;
      }
    });
}

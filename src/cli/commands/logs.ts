// `logs [SERVICE...]` (cmd/compose/logs.go, pkg/compose/logs.go, 2.26.1): the project's containers,
// stopped ones too, one-off ones not; with a loaded project and no service named, the services that do
// not say `attach: false`. The printing and following is src/cli/render/log-printer.ts.
import type { Command } from "commander";
import type { Io } from "../io.js";

interface LogsFlags {
  follow?: boolean;
  index: string;
  since?: string;
  until?: string;
  color: boolean;
  logPrefix: boolean;
  timestamps?: boolean;
  tail: string;
  merge?: boolean;
}

export function registerLogs(program: Command, io: Io): void {
  program
    .command("logs")
    .description("View output from containers")
    .argument("[service...]")
    .option("-f, --follow", "Follow log output")
    .option("--index <index>", "index of the container if service has multiple replicas", "0")
    .option(
      "--since <since>",
      "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)",
    )
    .option(
      "--until <until>",
      "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)",
    )
    .option("--no-color", "Produce monochrome output")
    .option("--no-log-prefix", "Don't print prefix in logs")
    .option("-t, --timestamps", "Show timestamps")
    .option("-n, --tail <tail>", "Number of lines to show from the end of the logs for each container", "all")
    .option("--merge", "Interleave the containers' lines in time order (tcompose's own)")
    .action(async (services: string[], flags: LogsFlags, command: Command) => {
      const [{ CliError }, state, { intFlag, projectOrName }, printerModule] = await Promise.all([
        import("../errors.js"),
        import("../../project/state.js"),
        import("./target.js"),
        import("../render/log-printer.js"),
      ]);
      const index = intFlag("--index", flags.index) ?? 0;
      if (index > 0 && services.length !== 1)
        throw new CliError("--index requires one service to be selected");
      const { name, project, engine } = await projectOrName(command, io, services);
      let selected = services;
      if (project && selected.length === 0) {
        const declared = (project.model.services ?? {}) as Record<string, { attach?: boolean }>;
        selected = Object.keys(declared).filter((s) => declared[s]?.attach !== false);
      }
      const containers =
        index > 0
          ? [
              await state.specifiedContainer(engine, name, selected[0] as string, {
                oneoff: "exclude",
                stopped: true,
                index,
              }),
            ]
          : await state.composeContainers(engine, name, {
              oneoff: "exclude",
              stopped: true,
              services: selected,
            });
      // A reader that goes away (`logs | head`) ends the command quietly with the status a shell shows
      // for the reference, which SIGPIPE kills (128 + 13).
      process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        process.exit(141);
      });
      const ansi = (command.optsWithGlobals() as { ansi?: string }).ansi ?? "auto";
      const useAnsi = ansi === "always" || (ansi === "auto" && Boolean(process.stdout.isTTY));
      const printer = new printerModule.LogPrinter(process.stdout, {
        color: flags.color && useAnsi,
        prefix: flags.logPrefix,
      });
      const { sortContainers } = await import("../../project/state.js");
      const ordered = sortContainers(containers);
      printer.register(...ordered.map(printerModule.logName));
      let positions: Map<string, import("../render/log-cursor.js").LogPosition> | undefined;
      if (flags.merge) {
        // The logs so far, merged; with -f, each container's log then goes on from where it was printed to
        // (live lines come in the order they are written).
        const { printMerged } = await import("../render/log-merge.js");
        positions = await printMerged(engine, printer, ordered, {
          tail: flags.tail,
          ...(flags.since !== undefined ? { since: flags.since } : {}),
          ...(flags.until !== undefined ? { until: flags.until } : {}),
          ...(flags.timestamps ? { timestamps: true } : {}),
        });
        if (!flags.follow || !ordered.some((c) => c.state === "running")) return;
      }
      await printerModule.followContainers(engine, printer, ordered, {
        ...(positions ? { positions } : {}),
        project: name,
        ...(selected.length ? { services: selected } : {}),
        follow: Boolean(flags.follow),
        tail: flags.tail,
        ...(flags.since !== undefined ? { since: flags.since } : {}),
        ...(flags.until !== undefined ? { until: flags.until } : {}),
        ...(flags.timestamps ? { timestamps: true } : {}),
      });
    });
}

// `ps`, as the reference 2.26.1 prints it (cmd/compose/ps.go, cmd/formatter/container.go): containers
// sorted by name; the docker CLI's container formatter (../render/container-format.ts) for table, json and
// templates.
import type { Command } from "commander";
import type { ContainerSummary, Engine } from "../../project/engine/types.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { parseGoBool, projectOrName } from "./target.js";

export interface PsFlags {
  format: string;
  filter?: string;
  status: string[];
  quiet?: boolean;
  services?: boolean;
  orphans: boolean;
  all?: boolean;
  trunc: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPs(program: Command, io: Io): void {
  program
    .command("ps")
    .description("List containers")
    .argument("[service...]")
    .option(
      "--format <format>",
      "Format output using a custom template (table, json or a Go template)",
      "table",
    )
    .option("--filter <filter>", "Filter services by a property (supported filters: status)")
    .option(
      "--status <status>",
      "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]",
      collect,
      [],
    )
    .option("-q, --quiet", "Only display IDs")
    .option("--services", "Display services")
    .option("--orphans [bool]", "Include orphaned services (not declared by project)", parseGoBool, true)
    .option("-a, --all", "Show all stopped containers (including those created by the run command)")
    .option("--no-trunc", "Don't truncate output")
    .action(async (services: string[], flags: PsFlags, command: Command) => {
      await runPs(services, flags, command, io);
    });
}

function statusFilter(flags: PsFlags): string[] {
  const statuses = [...flags.status];
  if (flags.filter) {
    const eq = flags.filter.indexOf("=");
    if (eq < 0) throw new CliError("arguments to --filter should be in form KEY=VAL");
    const key = flags.filter.slice(0, eq);
    if (key === "status") statuses.push(flags.filter.slice(eq + 1));
    else if (key === "source") throw new CliError("not implemented");
    else throw new CliError(`unknown filter ${key}`);
  }
  return statuses;
}

async function runPs(services: string[], flags: PsFlags, command: Command, io: Io): Promise<void> {
  const statuses = statusFilter(flags);
  const [{ label }, { formatRows }, { byName, serviceNames }, { composeContainers }, view] =
    await Promise.all([
      import("../../project/labels.js"),
      import("../render/table.js"),
      import("./project-query.js"),
      import("../../project/state.js"),
      import("../render/container-format.js"),
    ]);
  const { name, project, engine } = await projectOrName(command, io, services);
  let selected = services;
  if (project) {
    const names = serviceNames(project);
    const unknown = services.find((s) => !names.includes(s));
    if (unknown !== undefined) throw new CliError(`no such service: ${unknown}`);
    if (services.length === 0 && !flags.orphans) selected = names;
  }
  const all = Boolean(flags.all) || statuses.length > 0;
  let containers = await composeContainers(engine, name, {
    oneoff: all ? "include" : "exclude",
    stopped: all,
    services: selected,
  });
  if (statuses.length) containers = containers.filter((c) => statuses.includes(c.state));
  containers.sort(byName);

  if (flags.quiet) {
    io.stdout(containers.map((c) => `${c.id}\n`).join(""));
    return;
  }
  if (flags.services) {
    const seen = [...new Set(containers.map((c) => c.labels[label.service] ?? ""))];
    io.stdout(`${seen.join("\n")}\n`);
    return;
  }
  // Health and exit code come from inspecting each container: only when the format can show them.
  const needsInspect =
    flags.format === "json" || /Health|ExitCode|\{\{\s*json\s+\.\s*\}\}/.test(flags.format);
  const details = needsInspect ? await Promise.all(containers.map((c) => healthAndExit(engine, c))) : [];
  const now = Date.now();
  const rows = containers.map((c, i) => view.containerContext(c, details[i], flags.trunc, now));
  try {
    io.stdout(formatRows(flags.format, rows, { headers: view.headers, defaultTable: view.defaultTable }));
  } catch (error) {
    if (error instanceof CliError && error.message.startsWith("template: ")) {
      throw new CliError(`template parsing error: ${error.message}`);
    }
    throw error;
  }
}

async function healthAndExit(
  engine: Engine,
  c: ContainerSummary,
): Promise<{ health: string; exitCode: number }> {
  const d = await engine.inspectContainer(c.id);
  // As pkg/compose/ps.go: health only for running containers, the exit code only for exited/dead ones.
  return {
    health: d.state.status === "running" ? (d.state.health ?? "") : "",
    exitCode: d.state.status === "exited" || d.state.status === "dead" ? d.state.exitCode : 0,
  };
}

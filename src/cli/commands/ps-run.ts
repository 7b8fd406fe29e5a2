// `ps`, as the reference 2.26.1 prints it (cmd/compose/ps.go, cmd/formatter/container.go): containers
// sorted by name; the docker CLI's container formatter for table, json and templates.
import type { Command } from "commander";
import type { ContainerSummary, Engine } from "../../project/engine/types.js";
import { label } from "../../project/labels.js";
import { canonicalName } from "../../project/state.js";
import { CliError } from "../errors.js";
import type { Io } from "../main.js";
import { displayablePorts, goTimeString, humanDuration, humanSize } from "../render/go-format.js";
import { jsonView, type TemplateData, typeLabel } from "../render/go-template.js";
import { formatRows } from "../render/table.js";
import { byName, composeContainers, serviceNames } from "./project-query.js";
import type { PsFlags } from "./ps.js";
import { projectOrName } from "./target.js";

const defaultTable =
  "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}";

// The docker CLI's header names for the container context's fields.
const headers: Record<string, string> = {
  ID: "CONTAINER ID",
  Name: "NAME",
  Project: "PROJECT",
  Service: "SERVICE",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Ports: "PORTS",
  State: "STATE",
  Status: "STATUS",
  Size: "SIZE",
  Labels: "LABELS",
};

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

export async function runPs(services: string[], flags: PsFlags, command: Command, io: Io): Promise<void> {
  const statuses = statusFilter(flags);
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
  const rows = containers.map((c, i) => containerContext(c, details[i], flags.trunc, now));
  try {
    io.stdout(formatRows(flags.format, rows, { headers, defaultTable }));
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

/** Go's strconv.Quote for the printable text commands are. */
export function goQuote(text: string): string {
  const named: Record<string, string> = { "\u0007": "\\a", "\b": "\\b", "\f": "\\f", "\u000b": "\\v" };
  return JSON.stringify(text).replace(/\\u00([0-1][0-9a-f])|\u007f/g, (_match, hex: string | undefined) => {
    if (!hex) return "\\x7f";
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return named[char] ?? `\\x${hex}`;
  });
}

/** The docker CLI's Ellipsis: at most `width` characters, the last one "…" when cut. */
export function ellipsis(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, width - 1).join("")}…`;
}

function containerContext(
  c: ContainerSummary,
  detail: { health: string; exitCode: number } | undefined,
  trunc: boolean,
  now: number,
): TemplateData {
  const publishers = [...c.ports]
    .sort((a, b) => a.PrivatePort - b.PrivatePort)
    .map((p) => ({
      URL: p.IP ?? "",
      TargetPort: p.PrivatePort,
      PublishedPort: p.PublicPort ?? 0,
      Protocol: p.Type,
    }));
  const mounts = c.mounts ?? [];
  const names = trunc ? [c.names.find((n) => !n.includes("/")) ?? c.names[0] ?? ""] : c.names;
  const fields: Record<string, string | number | object | null> = {
    Command: goQuote(trunc ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTimeString(c.created),
    ExitCode: detail?.exitCode ?? 0,
    Health: detail?.health ?? "",
    ID: trunc ? c.id.slice(0, 12) : c.id,
    Image: c.image,
    Labels: Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    LocalVolumes: String(mounts.filter((m) => m.driver === "local").length),
    Mounts: mounts.map((m) => (trunc ? ellipsis(m.name, 15) : m.name)).join(","),
    Name: canonicalName(c),
    Names: names.join(","),
    Networks: Object.keys(c.networks).join(","),
    Ports: displayablePorts(publishers.map(portOf)),
    Project: c.labels[label.project] ?? "",
    Publishers: publishers.length ? publishers : null,
    RunningFor: `${humanDuration(now - c.created * 1000)} ago`,
    Service: c.labels[label.service] ?? "",
    Size: humanSize(0),
    State: c.state,
    Status: c.status,
  };
  return {
    ...fields,
    Label: (key: unknown) => c.labels[String(key)] ?? "",
    [jsonView]: () => fields,
    [typeLabel]: "*formatter.ContainerContext",
  };
}

function portOf(p: { URL: string; TargetPort: number; PublishedPort: number; Protocol: string }) {
  return { IP: p.URL, PrivatePort: p.TargetPort, PublicPort: p.PublishedPort, Type: p.Protocol };
}

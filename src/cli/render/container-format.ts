// A container as the docker CLI's container formatter shows it (cmd/formatter/container.go, as the reference
// 2.26.1 prints `ps`): the fields of table, json and template output, and the table's header names.
import type { ContainerSummary } from "../../project/engine/types.js";
import { label } from "../../project/labels.js";
import { canonicalName } from "../../project/state.js";
import { displayablePorts, goTimeString, humanDuration, humanSize } from "./go-format.js";
import { jsonView, type TemplateData, typeLabel } from "./go-template.js";

export const defaultTable =
  "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}";

// The docker CLI's header names for the container context's fields.
export const headers: Record<string, string> = {
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

export function containerContext(
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

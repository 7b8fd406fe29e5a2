// The tables and rows of `stack ls`, `stack ps` and `stack services` as the docker CLI 20.10 prints them
// (cli/command/stack/formatter, cli/command/task/formatter.go, cli/command/service/formatter.go), through
// 20.10's formatter.Context: `table`, `table TEMPLATE`, `raw` where it has it, any other text a template
// (20.10 has no `json` key: it prints "json" once per row), and its template functions and errors.
import type { SwarmService } from "../../project/engine/swarm-types.js";
import { parseImageReference } from "../../project/image-reference.js";
import type { NamedTask, StackSummary } from "../../project/stack/read.js";
import { CliError } from "../errors.js";
import { goJson, humanDuration } from "./go-format.js";
import {
  builtinFunctionNames,
  headerMap,
  jsonView,
  parseTemplate,
  type TemplateData,
  type TemplateFunctions,
  typeLabel,
} from "./go-template.js";
import { tabwrite } from "./tabwriter.js";

/** What a list's formatter needs: its rows' fields (for errors), Go type name and table headers. */
export interface ListKind {
  typeName: string;
  fields: readonly string[];
  headers: Record<string, string>;
}

export const stackKind: ListKind = {
  typeName: "*formatter.stackContext",
  fields: ["Name", "Namespace", "Orchestrator", "Services"],
  headers: { Name: "NAME", Services: "SERVICES", Orchestrator: "ORCHESTRATOR", Namespace: "NAMESPACE" },
};

export const taskKind: ListKind = {
  typeName: "*task.taskContext",
  fields: ["CurrentState", "DesiredState", "Error", "ID", "Image", "Name", "Node", "Ports"],
  headers: {
    ID: "ID",
    Name: "NAME",
    Image: "IMAGE",
    Node: "NODE",
    DesiredState: "DESIRED STATE",
    CurrentState: "CURRENT STATE",
    Error: "ERROR",
    Ports: "PORTS",
  },
};

export const serviceKind: ListKind = {
  typeName: "*service.serviceContext",
  fields: ["ID", "Image", "Mode", "Name", "Ports", "Replicas"],
  headers: { ID: "ID", Name: "NAME", Mode: "MODE", Replicas: "REPLICAS", Image: "IMAGE", Ports: "PORTS" },
};

const quietFormat = "{{.ID}}";

/** `stack ls`'s format: `table` (or nothing) is the swarm stack table; anything else as given. */
export function stackFormat(source: string): string {
  return source === "" || source === "table" ? "table {{.Name}}\t{{.Services}}\t{{.Orchestrator}}" : source;
}

/** task.NewTaskFormat (an empty --format is `table` there). */
export function taskFormat(source: string, quiet: boolean): string {
  const key = source === "" ? "table" : source;
  if (key === "table") {
    return quiet
      ? quietFormat
      : "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}";
  }
  if (key === "raw") {
    return quiet
      ? "id: {{.ID}}"
      : "id: {{.ID}}\\nname: {{.Name}}\\nimage: {{.Image}}\\nnode: {{.Node}}\\ndesired_state: {{.DesiredState}}\\ncurrent_state: {{.CurrentState}}\\nerror: {{.Error}}\\nports: {{.Ports}}\\n";
  }
  return key;
}

/** service.NewListFormat (an empty --format is `table` there). */
export function serviceFormat(source: string, quiet: boolean): string {
  const key = source === "" ? "table" : source;
  if (key === "table") {
    return quiet ? quietFormat : "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}";
  }
  if (key === "raw") {
    return quiet
      ? "id: {{.ID}}"
      : "id: {{.ID}}\\nname: {{.Name}}\\nmode: {{.Mode}}\\nreplicas: {{.Replicas}}\\nimage: {{.Image}}\\nports: {{.Ports}}\\n";
  }
  return key;
}

export function isTableFormat(format: string): boolean {
  return format.startsWith("table");
}

/** command.PrettyPrint: the first letter upper-cased, the rest lower-cased ("running" → "Running"). */
export function prettyPrint(text: string): string {
  if (text.length <= 1) return text.toLowerCase();
  return text[0]?.toUpperCase() + text.slice(1).toLowerCase();
}

/** The image for display: a tagged reference as its familiar `name:tag` (its digest dropped), others as given. */
export function displayImage(image: string): string {
  if (!image || /[A-Z]/.test(image.split("@")[0]?.split(":")[0] ?? "")) return image;
  const { domain, path, tag } = parseImageReference(image);
  if (tag === undefined) return image;
  const name = domain === "docker.io" ? path.replace(/^library\/(?=[^/]+$)/, "") : `${domain}/${path}`;
  return `${name}:${tag}`;
}

/** Go's `s[:n]` on a string's bytes. */
function byteSlice(text: string, n: number): string {
  return Buffer.from(text).subarray(0, n).toString();
}

/** A task's ERROR cell: quoted, cut to 29 bytes and "…" when truncating (maxErrLength 30). */
export function taskError(err: string | undefined, trunc: boolean): string {
  let text = err ?? "";
  if (trunc && Buffer.byteLength(text) > 30) text = `${byteSlice(text, 29)}…`;
  return text ? `"${text}"` : "";
}

/** A task's PORTS: its published ports (host mode) as `*:published->target/protocol`, comma-joined. */
export function taskPorts(task: NamedTask["task"]): string {
  return (task.Status.PortStatus?.Ports ?? [])
    .map((p) => `*:${p.PublishedPort ?? 0}->${p.TargetPort ?? 0}/${p.Protocol ?? ""}`)
    .join(",");
}

export function taskContext(named: NamedTask, trunc: boolean, now: number): TemplateData {
  const { task } = named;
  const image = task.Spec.ContainerSpec?.Image ?? "";
  const since = now - Date.parse(task.Status.Timestamp);
  const fields = {
    CurrentState: `${prettyPrint(task.Status.State)} ${humanDuration(since).toLowerCase()} ago`,
    DesiredState: prettyPrint(task.DesiredState),
    Error: taskError(task.Status.Err, trunc),
    ID: trunc ? task.ID.slice(0, 12) : task.ID,
    Image: trunc ? displayImage(image) : image,
    Name: named.name,
    Node: named.node,
    Ports: taskPorts(task),
  };
  return { ...fields, [jsonView]: () => fields, [typeLabel]: taskKind.typeName };
}

export function serviceMode(service: SwarmService): string {
  const mode = service.Spec.Mode ?? {};
  if (mode.Global) return "global";
  if (mode.Replicated) return "replicated";
  if (mode.ReplicatedJob) return "replicated job";
  if (mode.GlobalJob) return "global job";
  return "";
}

/** REPLICAS: running/desired; jobs with their completions; "(max N per node)" for replicated services. */
export function serviceReplicas(service: SwarmService): string {
  const status = service.ServiceStatus;
  const running = status?.RunningTasks ?? 0;
  const desired = status?.DesiredTasks ?? 0;
  const completed = status?.CompletedTasks ?? 0;
  const mode = service.Spec.Mode ?? {};
  if (mode.ReplicatedJob) {
    return `${running}/${desired} (${completed}/${mode.ReplicatedJob.TotalCompletions ?? 0} completed)`;
  }
  if (mode.GlobalJob) return `${running}/${desired} (${completed}/${desired + completed} completed)`;
  const max = mode.Replicated ? (service.Spec.TaskTemplate.Placement?.MaxReplicas ?? 0) : 0;
  if (max > 0) return `${running}/${desired} (max ${max} per node)`;
  return `${running}/${desired}`;
}

/**
 * PORTS of a service: its ingress-published ports, sorted by protocol then published port, consecutive
 * ones grouped (`*:80-81->80-81/tcp`, `*:80-81->80/tcp`); host-mode ports are left out.
 */
export function servicePorts(service: SwarmService): string {
  const ports = [...(service.Endpoint?.Ports ?? [])].sort((a, b) => {
    const pa = a.Protocol ?? "";
    const pb = b.Protocol ?? "";
    if (pa === pb) return (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0);
    return pa < pb ? -1 : 1;
  });
  const out: string[] = [];
  let range = { pStart: 0, pEnd: 0, tStart: 0, tEnd: 0, protocol: "" };
  const show = (r: typeof range) => {
    const pub = r.pEnd > r.pStart ? `${r.pStart}-${r.pEnd}` : `${r.pStart}`;
    const target = r.tEnd > r.tStart ? `${r.tStart}-${r.tEnd}` : `${r.tStart}`;
    return `*:${pub}->${target}/${r.protocol}`;
  };
  for (const p of ports) {
    if ((p.PublishMode ?? "ingress") !== "ingress") continue;
    const published = p.PublishedPort ?? 0;
    const target = p.TargetPort ?? 0;
    const protocol = p.Protocol ?? "";
    const isRange = range.tEnd !== range.tStart;
    // The reference computes these differences on uint32: a smaller port wraps around to a large one.
    const gap = (a: number, b: number) => (a - b) >>> 0;
    if (
      protocol !== range.protocol ||
      gap(published, range.pEnd) > 1 ||
      gap(target, range.tEnd) > 1 ||
      (isRange && target <= range.tEnd)
    ) {
      if (range.pStart > 0) out.push(show(range));
      range = { pStart: published, pEnd: published, tStart: target, tEnd: target, protocol };
      continue;
    }
    range.pEnd = published;
    range.tEnd = target;
  }
  if (range.pStart > 0) out.push(show(range));
  return out.join(", ");
}

export function serviceContext(service: SwarmService): TemplateData {
  const fields = {
    ID: service.ID.slice(0, 12),
    Image: displayImage(service.Spec.TaskTemplate.ContainerSpec?.Image ?? ""),
    Mode: serviceMode(service),
    Name: service.Spec.Name,
    Ports: servicePorts(service),
    Replicas: serviceReplicas(service),
  };
  return { ...fields, [jsonView]: () => fields, [typeLabel]: serviceKind.typeName };
}

export function stackContext(stack: StackSummary): TemplateData {
  const fields = {
    Name: stack.Name,
    Namespace: stack.Namespace,
    Orchestrator: stack.Orchestrator,
    Services: String(stack.Services),
  };
  return { ...fields, [jsonView]: () => fields, [typeLabel]: stackKind.typeName };
}

/** encoding/json's Encoder with SetEscapeHTML(false), as 20.10's `json` function writes a value. */
function jsonNoHtml(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(/[\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16)}`;
  });
}

// The docker CLI 20.10's templates.basicFunctions (text/template's builtins are go-template.ts's).
const functions20: TemplateFunctions = {
  // A formatter context marshals itself with json.Marshal (HTML escaped); other values are encoded without.
  json: (v) =>
    v && typeof v === "object" && jsonView in v
      ? goJson((v as { [jsonView]: () => unknown })[jsonView]())
      : jsonNoHtml(v),
  split: (s, sep) => String(s).split(String(sep)),
  join: (list, sep) => (Array.isArray(list) ? list.map(String).join(String(sep)) : String(list)),
  title: (s) =>
    String(s).replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  pad: (s, before, after) =>
    String(s) === "" ? "" : `${" ".repeat(Number(before))}${String(s)}${" ".repeat(Number(after))}`,
  truncate: (s, n) =>
    Buffer.byteLength(String(s)) < Number(n) ? String(s) : byteSlice(String(s), Number(n)),
};

// templates.HeaderFunctions: these hand the header text through; `pad` and the builtins are the real ones.
const identity = (v: unknown) => {
  if (typeof v !== "string") throw new Error("wrong type for value");
  return v;
};
const headerFunctions20: TemplateFunctions = {
  ...functions20,
  json: identity,
  split: identity,
  join: identity,
  title: identity,
  lower: identity,
  upper: identity,
  truncate: identity,
};

const keywords = new Set([
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
]);
const literals = new Set(["true", "false", "nil"]);

interface TemplateProblem {
  /** Found when parsing: reported even when there is no row. */
  parse: boolean;
  message: string;
}

/**
 * What Go's text/template reports for the template mistakes people make with --format: an unclosed
 * action or an undefined function when parsing (`template: :1: …`), and a field the row does not have
 * when executing (`template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type …`).
 */
export function templateProblem(source: string, kind: ListKind): TemplateProblem | undefined {
  const lineOf = (offset: number) => 1 + (source.slice(0, offset).match(/\n/g)?.length ?? 0);
  let execution: TemplateProblem | undefined;
  let dotMoves = false;
  let at = 0;
  for (;;) {
    const open = source.indexOf("{{", at);
    if (open < 0) break;
    const close = source.indexOf("}}", open + 2);
    if (close < 0) {
      return { parse: true, message: `template: :${lineOf(source.length)}: unclosed action` };
    }
    const body = source.slice(open + 2, close);
    const tokens = body.matchAll(/"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)*'|[^\s|()"`']+/g);
    for (const match of tokens) {
      const token = match[0];
      const offset = open + 2 + (match.index ?? 0);
      if (/^["`']/.test(token) || token === "-" || /^-?\d/.test(token)) continue;
      if (/^[A-Za-z_]\w*$/.test(token)) {
        // Inside range and with the dot is another value: its fields are the executor's to check.
        if (token === "range" || token === "with") dotMoves = true;
        if (
          !keywords.has(token) &&
          !literals.has(token) &&
          !(token in functions20) &&
          !builtinFunctionNames.has(token)
        ) {
          return { parse: true, message: `template: :${lineOf(offset)}: function "${token}" not defined` };
        }
        continue;
      }
      const field = /^\.([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)$/.exec(token);
      if (!field || execution || dotMoves) continue;
      const [name = "", rest = ""] = [field[1], field[2]];
      // A chain's node starts at its second field (text/template's parse of `.A.B`).
      const position = rest ? offset + 1 + name.length : offset;
      const lastNewline = source.lastIndexOf("\n", position - 1);
      const column = lastNewline < 0 ? position : position - lastNewline - 1;
      const where = `template: :${lineOf(position)}:${column}: executing "" at <${token}>`;
      if (!kind.fields.includes(name)) {
        execution = {
          parse: false,
          message: `${where}: can't evaluate field ${name} in type ${kind.typeName}`,
        };
      } else if (rest) {
        const next = rest.slice(1).split(".")[0];
        execution = { parse: false, message: `${where}: can't evaluate field ${next} in type string` };
      }
    }
    at = close + 2;
  }
  return execution;
}

/**
 * 20.10's formatter.Context.Write: the format without its `table` prefix, trimmed of spaces, `\t` and `\n`
 * unescaped, executed per row; a table gets the header row and tabwriter(10, 1, 3) alignment. Template
 * errors are "template parsing error: …", as docker prints them.
 */
export function writeList(format: string, rows: readonly TemplateData[], kind: ListKind): string {
  const table = isTableFormat(format);
  const source = (table ? format.slice("table".length) : format)
    .replace(/^ +| +$/g, "")
    .replaceAll("\\t", "\t")
    .replaceAll("\\n", "\n");
  const problem = templateProblem(source, kind);
  if (problem && (problem.parse || rows.length > 0)) {
    throw new CliError(`template parsing error: ${problem.message}`);
  }
  let body = "";
  try {
    const template = parseTemplate(source, functions20);
    for (const row of rows) body += `${template.execute(row)}\n`;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      message.startsWith("template parsing error") ? message : `template parsing error: ${message}`,
    );
  }
  if (!table) return body;
  let header = "";
  try {
    header = parseTemplate(source, headerFunctions20).execute(headerMap(kind.headers));
  } catch {
    // docker ignores the header's execution errors (e.g. `json .` on the header map).
  }
  return tabwrite(`${header}\n${body}`, { minWidth: 10, padding: 3 });
}

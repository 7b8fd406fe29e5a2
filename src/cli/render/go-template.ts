// The subset of Go's text/template that `--format` strings use with docker's commands: text, actions
// `{{.Field}}`, `{{.Method "arg"}}`, `{{json .}}`, `{{json .Field}}`, the docker CLI's helper functions
// (json, join, split, lower, upper, title, truncate, pad, println), pipelines `a | b`, and `{{-`/`-}}`
// trimming. Control structures (if, range, with) are not supported and fail loudly.
import { CliError } from "../errors.js";
import { goJson } from "./go-format.js";

/** A value a template walks: plain fields, or methods taking string/number arguments. */
export type TemplateData = Record<string, unknown>;

/** Marks an object whose `{{json .}}` is something else than its fields (docker's MarshalJSON). */
export const jsonView = Symbol("jsonView");

type Node = { kind: "text"; text: string } | { kind: "action"; commands: Term[][] };
type Term =
  | { kind: "field"; path: string[] }
  | { kind: "dot" }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ident"; name: string };

export interface Template {
  execute(data: unknown): string;
}

export type TemplateFunctions = Record<string, (...args: unknown[]) => unknown>;

const defaultFunctions: TemplateFunctions = {
  json: (v) => goJson(toJsonValue(v)),
  join: (list, sep) => (Array.isArray(list) ? list.map(String).join(String(sep)) : String(list)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  truncate: (s, n) => [...String(s)].slice(0, Number(n)).join(""),
  pad: (s, before, after) => `${" ".repeat(Number(before))}${String(s)}${" ".repeat(Number(after))}`,
  println: (...args) => `${args.map(String).join(" ")}\n`,
};

/** The docker CLI's header functions: they hand the header text through (json gives nothing). */
export const headerFunctions: TemplateFunctions = {
  json: () => "",
  join: (v) => v,
  split: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  title: (v) => v,
  truncate: (v) => v,
  pad: (v) => v,
  println: (...args) => `${args.map(String).join(" ")}\n`,
};

function toJsonValue(v: unknown): unknown {
  if (v && typeof v === "object" && jsonView in v) return (v as { [jsonView]: () => unknown })[jsonView]();
  return v;
}

export function parseTemplate(source: string, functions: TemplateFunctions = defaultFunctions): Template {
  const nodes = parse(source);
  return {
    execute: (data) =>
      nodes.map((n) => (n.kind === "text" ? n.text : show(runAction(n.commands, data, functions)))).join(""),
  };
}

function parse(source: string): Node[] {
  const nodes: Node[] = [];
  let rest = source;
  while (rest.length) {
    const open = rest.indexOf("{{");
    if (open < 0) {
      nodes.push({ kind: "text", text: rest });
      break;
    }
    let text = rest.slice(0, open);
    let inner = rest.slice(open + 2);
    const close = inner.indexOf("}}");
    if (close < 0) throw templateError(`unclosed action in ${JSON.stringify(source)}`);
    let body = inner.slice(0, close);
    inner = inner.slice(close + 2);
    if (/^-\s/.test(body)) {
      text = text.replace(/\s+$/, "");
      body = body.slice(1);
    }
    if (/\s-$/.test(body)) {
      inner = inner.replace(/^\s+/, "");
      body = body.slice(0, -1);
    }
    if (text) nodes.push({ kind: "text", text });
    nodes.push({ kind: "action", commands: parsePipeline(body.trim()) });
    rest = inner;
  }
  return nodes;
}

function parsePipeline(body: string): Term[][] {
  const tokens = body.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|]+/g) ?? [];
  const commands: Term[][] = [[]];
  for (const token of tokens) {
    if (token === "|") {
      commands.push([]);
      continue;
    }
    (commands[commands.length - 1] as Term[]).push(term(token));
  }
  if (commands.some((c) => c.length === 0)) throw templateError(`empty command in {{${body}}}`);
  const first = commands[0]?.[0];
  if (
    first?.kind === "ident" &&
    ["if", "range", "with", "end", "else", "define", "template"].includes(first.name)
  ) {
    throw templateError(`{{${first.name}}} is not supported in --format templates`);
  }
  return commands;
}

function term(token: string): Term {
  if (token === ".") return { kind: "dot" };
  if (token.startsWith(".")) return { kind: "field", path: token.slice(1).split(".") };
  if (token.startsWith('"')) return { kind: "string", value: JSON.parse(token) as string };
  if (token.startsWith("`")) return { kind: "string", value: token.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { kind: "number", value: Number(token) };
  return { kind: "ident", name: token };
}

function runAction(commands: Term[][], data: unknown, functions: TemplateFunctions): unknown {
  let piped: unknown;
  let hasPiped = false;
  for (const command of commands) {
    const [head, ...args] = command as [Term, ...Term[]];
    const values = (terms: Term[]) => {
      const v = terms.map((t) => evaluate(t, data, functions, []));
      if (hasPiped) v.push(piped);
      return v;
    };
    if (head.kind === "ident") {
      const fn = functions[head.name];
      if (!fn) throw templateError(`function "${head.name}" not defined`);
      piped = fn(...values(args));
    } else if (head.kind === "field") {
      piped = evaluate(head, data, functions, values(args));
    } else {
      if (args.length || hasPiped) throw templateError("can't give arguments to a non-function");
      piped = evaluate(head, data, functions, []);
    }
    hasPiped = true;
  }
  return piped;
}

function evaluate(t: Term, data: unknown, functions: TemplateFunctions, args: unknown[]): unknown {
  switch (t.kind) {
    case "dot":
      return data;
    case "string":
    case "number":
      return t.value;
    case "ident":
      return (functions[t.name] ?? (() => undefined))();
    case "field": {
      let value: unknown = data;
      t.path.forEach((name, i) => {
        if (value === null || value === undefined || typeof value !== "object") {
          throw templateError(`can't evaluate field ${name}`);
        }
        const container = value as Record<string, unknown>;
        if (!(name in container)) {
          // A Go map gives "<no value>" for a missing key; a struct has no such field.
          if (container instanceof Map || isHeaderMap(container)) {
            value = undefined;
            return;
          }
          throw templateError(`can't evaluate field ${name} in type ${typeName(container)}`);
        }
        const member = container[name];
        const last = i === t.path.length - 1;
        value = typeof member === "function" ? member.apply(container, last ? args : []) : member;
      });
      return value;
    }
  }
}

const headerMaps = new WeakSet<object>();

/** A header context: a plain map whose missing keys print "<no value>", like Go's map[string]string. */
export function headerMap(entries: Record<string, string>): TemplateData {
  const map = { ...entries };
  headerMaps.add(map);
  return map;
}

function isHeaderMap(value: object): boolean {
  return headerMaps.has(value);
}

function typeName(value: object): string {
  return (value as { [typeLabel]?: string })[typeLabel] ?? "object";
}

/** How a data object names its Go type in errors ("*formatter.ContainerContext"). */
export const typeLabel = Symbol("typeLabel");

function show(value: unknown): string {
  if (value === undefined) return "<no value>";
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(show).join(" ")}]`;
  if (typeof value === "object") return goJson(toJsonValue(value));
  return String(value);
}

function templateError(message: string): CliError {
  return new CliError(`template: ${message}`);
}

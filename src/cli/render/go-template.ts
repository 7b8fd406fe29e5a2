// Go's text/template as docker's `--format` strings use it: text and actions; fields `.A.B`, methods with
// arguments `{{.Label "a"}}`, variables (`$`, `$x := …`, `$x.Field`), parenthesized pipelines, pipes
// `a | b`, `{{-`/`-}}` trimming and comments; the control structures `if`/`else if`/`else`, `range` (with
// `$i, $e :=`, and `else`) and `with`; text/template's builtins (and, or, not, len, index, eq, ne, lt, le,
// gt, ge, print, printf, println) and the docker CLI's helpers (json, join, split, lower, upper, title,
// truncate, pad). Not here: define/template/block, break/continue, html/js/urlquery, slice, call.
import { CliError } from "../errors.js";
import { goJson } from "./go-format.js";

/** A value a template walks: plain fields, or methods taking string/number arguments. */
export type TemplateData = Record<string, unknown>;

/** Marks an object whose `{{json .}}` is something else than its fields (docker's MarshalJSON). */
export const jsonView = Symbol("jsonView");

/** How a data object names its Go type in errors ("*formatter.ContainerContext"). */
export const typeLabel = Symbol("typeLabel");

type Operand =
  | { kind: "dot"; path: string[] }
  | { kind: "var"; name: string; path: string[] }
  | { kind: "paren"; pipeline: Pipeline; path: string[] }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "ident"; name: string };
type Command = Operand[];
interface Pipeline {
  /** `$x :=` (or `$i, $e :=` in a range): the variables it declares; `=` assigns an existing one. */
  declare: string[];
  assign: boolean;
  commands: Command[];
}
type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipeline: Pipeline }
  | { kind: "if" | "with"; branches: { pipeline: Pipeline; body: Node[] }[]; otherwise?: Node[] }
  | { kind: "range"; pipeline: Pipeline; body: Node[]; otherwise?: Node[] };

export interface Template {
  execute(data: unknown): string;
}

export type TemplateFunctions = Record<string, (...args: unknown[]) => unknown>;

function toJsonValue(v: unknown): unknown {
  if (v && typeof v === "object" && jsonView in v) return (v as { [jsonView]: () => unknown })[jsonView]();
  return v;
}

/** text/template's builtins; `and`/`or` are evaluated lazily by the executor. */
const builtins: TemplateFunctions = {
  not: (v) => !truthy(v),
  len: (v) => {
    // A nil slice or a missing map key (the zero value) has length 0.
    if (v === undefined || v === null) return 0;
    if (typeof v === "string") return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v instanceof Map) return v.size;
    if (v && typeof v === "object" && !(typeLabel in v)) return Object.keys(v).length;
    throw templateError(`error calling len: len of type ${goType(v)}`);
  },
  index: (item, ...keys) => {
    let v = item;
    for (const key of keys) {
      if (Array.isArray(v) || typeof v === "string") {
        const i = Number(key);
        const list = typeof v === "string" ? Buffer.from(v) : v;
        if (!Number.isInteger(i) || i < 0 || i >= list.length)
          throw templateError(`error calling index: index out of range: ${String(key)}`);
        v = list[i];
      } else if (v instanceof Map) v = v.has(key) ? v.get(key) : "";
      else if (v && typeof v === "object")
        v = Object.hasOwn(v, String(key)) ? (v as TemplateData)[String(key)] : "";
      else throw templateError(`error calling index: can't index item of type ${goType(v)}`);
    }
    return v;
  },
  eq: (a, ...others) => {
    if (others.length === 0) throw templateError("error calling eq: missing argument for comparison");
    return others.some((b) => compare("eq", a, b) === 0);
  },
  ne: (a, b) => compare("ne", a, b) !== 0,
  lt: (a, b) => compare("lt", a, b) < 0,
  le: (a, b) => compare("le", a, b) <= 0,
  gt: (a, b) => compare("gt", a, b) > 0,
  ge: (a, b) => compare("ge", a, b) >= 0,
  // fmt.Sprint: a space between two operands when neither is a string.
  print: (...args) =>
    args
      .map((a, i) => (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string" ? " " : "") + show(a))
      .join(""),
  printf: (format, ...args) => sprintf(String(format), args),
  println: (...args) => `${args.map(show).join(" ")}\n`,
};

/** The functions every template has, whichever helpers it is given. */
export const builtinFunctionNames: ReadonlySet<string> = new Set(["and", "or", ...Object.keys(builtins)]);

const defaultFunctions: TemplateFunctions = {
  json: (v) => goJson(toJsonValue(v)),
  join: (list, sep) => (Array.isArray(list) ? list.map(String).join(String(sep)) : String(list)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  truncate: (s, n) => [...String(s)].slice(0, Number(n)).join(""),
  pad: (s, before, after) => `${" ".repeat(Number(before))}${String(s)}${" ".repeat(Number(after))}`,
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
};

export function parseTemplate(source: string, functions: TemplateFunctions = defaultFunctions): Template {
  const all: TemplateFunctions = { ...builtins, ...functions };
  const nodes = parse(source, all);
  return {
    execute: (data) => {
      const out: string[] = [];
      run(nodes, { dot: data, root: data, vars: [], functions: all, out });
      return out.join("");
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// parsing

/** The source cut into text and action bodies, `{{-`/`-}}` trimming applied, comments dropped. */
function lex(source: string): ({ text: string } | { action: string })[] {
  const items: ({ text: string } | { action: string })[] = [];
  let rest = source;
  while (rest.length) {
    const open = rest.indexOf("{{");
    if (open < 0) {
      items.push({ text: rest });
      break;
    }
    let text = rest.slice(0, open);
    let inner = rest.slice(open + 2);
    const close = closingBraces(inner);
    if (close < 0) throw templateError("unclosed action");
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
    if (text) items.push({ text });
    body = body.trim();
    if (!(body.startsWith("/*") && body.endsWith("*/"))) items.push({ action: body });
    rest = inner;
  }
  return items;
}

/** Where the action's `}}` is, strings skipped. */
function closingBraces(inner: string): number {
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '"' || c === "`") {
      const end = c === "`" ? inner.indexOf("`", i + 1) : stringEnd(inner, i);
      if (end < 0) return -1;
      i = end;
    } else if (c === "}" && inner[i + 1] === "}") return i;
  }
  return -1;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function parse(source: string, functions: TemplateFunctions): Node[] {
  const items = lex(source);
  let at = 0;
  /** Nodes until one of the `stops` keywords; returns which ended them. */
  const list = (stops: string[]): { nodes: Node[]; stop: string; rest: string } => {
    const nodes: Node[] = [];
    while (at < items.length) {
      const item = items[at++] as { text: string } | { action: string };
      if ("text" in item) {
        nodes.push({ kind: "text", text: item.text });
        continue;
      }
      const [word = "", rest = ""] = splitKeyword(item.action);
      if (word === "end" || word === "else") {
        if (!stops.includes(word)) throw templateError(`unexpected {{${word}}}`);
        return { nodes, stop: word, rest };
      }
      if (word === "if" || word === "with") {
        const branches: { pipeline: Pipeline; body: Node[] }[] = [];
        let head = rest;
        let otherwise: Node[] | undefined;
        for (;;) {
          const part = list(["else", "end"]);
          branches.push({ pipeline: parsePipeline(head, functions, false), body: part.nodes });
          if (part.stop === "end") break;
          const [next = "", after = ""] = splitKeyword(part.rest);
          if (next === word) {
            head = after;
            continue;
          }
          if (part.rest) throw templateError(`unexpected "${part.rest}" in else`);
          const last = list(["end"]);
          otherwise = last.nodes;
          break;
        }
        nodes.push({ kind: word, branches, ...(otherwise ? { otherwise } : {}) });
        continue;
      }
      if (word === "range") {
        const pipeline = parsePipeline(rest, functions, true);
        const part = list(["else", "end"]);
        const otherwise = part.stop === "else" ? list(["end"]).nodes : undefined;
        nodes.push({ kind: "range", pipeline, body: part.nodes, ...(otherwise ? { otherwise } : {}) });
        continue;
      }
      if (["define", "template", "block", "break", "continue"].includes(word)) {
        throw templateError(`{{${word}}} is not supported in --format templates`);
      }
      nodes.push({ kind: "action", pipeline: parsePipeline(item.action, functions, false) });
    }
    if (stops.length > 0) throw templateError("unexpected EOF");
    return { nodes, stop: "", rest: "" };
  };
  return list([]).nodes;
}

function splitKeyword(action: string): [string, string] {
  const m = /^([a-z]+)\b\s*([\s\S]*)$/.exec(action);
  return m &&
    ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"].includes(
      m[1] as string,
    )
    ? [m[1] as string, (m[2] as string).trim()]
    : ["", action];
}

const tokenPattern = /"(?:[^"\\]|\\.)*"|`[^`]*`|:=|[=(),|]|[^\s"`=(),|:]+/g;

function parsePipeline(body: string, functions: TemplateFunctions, inRange: boolean): Pipeline {
  const tokens = body.match(tokenPattern) ?? [];
  const declare: string[] = [];
  let assign = false;
  const decl = tokens.findIndex((t) => t === ":=" || t === "=");
  if (decl > 0 && tokens.slice(0, decl).every((t) => t === "," || t.startsWith("$"))) {
    const names = tokens.slice(0, decl).filter((t) => t !== ",");
    if (names.length > (inRange ? 2 : 1)) throw templateError("too many declarations");
    declare.push(...names);
    assign = tokens[decl] === "=";
    tokens.splice(0, decl + 1);
  }
  let at = 0;
  const pipeline = (closing: boolean): Command[] => {
    const commands: Command[] = [[]];
    while (at < tokens.length) {
      const token = tokens[at++] as string;
      if (token === ")") {
        if (!closing) throw templateError("unexpected right paren");
        return commands;
      }
      if (token === "|") {
        commands.push([]);
        continue;
      }
      const command = commands[commands.length - 1] as Command;
      if (token === "(") {
        const inner = pipeline(true);
        command.push({ kind: "paren", pipeline: { declare: [], assign: false, commands: inner }, path: [] });
        continue;
      }
      command.push(operand(token, functions));
    }
    if (closing) throw templateError("unclosed left paren");
    return commands;
  };
  const commands = pipeline(false);
  if (commands.some((c) => c.length === 0)) throw templateError(`missing value for command in {{${body}}}`);
  return { declare, assign, commands };
}

function operand(token: string, functions: TemplateFunctions): Operand {
  if (token === ".") return { kind: "dot", path: [] };
  if (token.startsWith(".")) return { kind: "dot", path: token.slice(1).split(".") };
  if (token.startsWith("$")) {
    const [name = "$", ...path] = token.split(".");
    return { kind: "var", name, path };
  }
  if (token.startsWith('"')) return { kind: "string", value: JSON.parse(token) as string };
  if (token.startsWith("`")) return { kind: "string", value: token.slice(1, -1) };
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(token) || /^0[xX][\da-fA-F]+$/.test(token))
    return { kind: "number", value: Number(token) };
  if (token === "true" || token === "false") return { kind: "bool", value: token === "true" };
  if (token === "nil") return { kind: "nil" };
  if (token === "and" || token === "or" || token in functions) return { kind: "ident", name: token };
  throw templateError(`function "${token}" not defined`);
}

// ---------------------------------------------------------------------------------------------------------
// execution

interface State {
  dot: unknown;
  root: unknown;
  vars: { name: string; value: unknown }[];
  functions: TemplateFunctions;
  out: string[];
}

function run(nodes: Node[], state: State): void {
  for (const node of nodes) {
    switch (node.kind) {
      case "text":
        state.out.push(node.text);
        break;
      case "action": {
        const value = pipelineValue(node.pipeline, state);
        if (node.pipeline.declare.length === 0) state.out.push(show(value));
        break;
      }
      case "if":
      case "with": {
        const mark = state.vars.length;
        let done = false;
        for (const branch of node.branches) {
          const value = pipelineValue(branch.pipeline, state);
          if (!truthy(value)) continue;
          run(branch.body, node.kind === "with" ? { ...state, dot: value } : state);
          done = true;
          break;
        }
        if (!done && node.otherwise) run(node.otherwise, state);
        state.vars.length = mark;
        break;
      }
      case "range": {
        const mark = state.vars.length;
        const { declare } = node.pipeline;
        const value = pipelineValue({ ...node.pipeline, declare: [] }, state);
        const entries = rangeEntries(value);
        for (const [key, element] of entries) {
          const inner = { ...state, dot: element };
          if (declare.length === 1) state.vars.push({ name: declare[0] as string, value: element });
          if (declare.length === 2) {
            state.vars.push({ name: declare[0] as string, value: key });
            state.vars.push({ name: declare[1] as string, value: element });
          }
          run(node.body, inner);
          state.vars.length = mark;
        }
        if (entries.length === 0 && node.otherwise) run(node.otherwise, state);
        break;
      }
    }
  }
}

function rangeEntries(value: unknown): [unknown, unknown][] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (value instanceof Map) return [...value.keys()].sort().map((k) => [k, value.get(k)]);
  if (typeof value === "object" && !(typeLabel in value))
    return Object.keys(value)
      .sort()
      .map((k) => [k, (value as TemplateData)[k]]);
  if (typeof value === "number" && Number.isInteger(value) && value >= 0)
    return Array.from({ length: value }, (_, i) => [i, i]);
  throw templateError(`range can't iterate over ${show(value)}`);
}

function pipelineValue(pipeline: Pipeline, state: State): unknown {
  let piped: unknown;
  let hasPiped = false;
  for (const command of pipeline.commands) {
    piped = commandValue(command, state, hasPiped ? [piped] : []);
    hasPiped = true;
  }
  if (pipeline.declare.length > 0) {
    const name = pipeline.declare[0] as string;
    if (pipeline.assign) {
      const existing = [...state.vars].reverse().find((v) => v.name === name);
      if (!existing) throw templateError(`undefined variable: ${name}`);
      existing.value = piped;
    } else state.vars.push({ name, value: piped });
  }
  return piped;
}

function commandValue(command: Command, state: State, piped: unknown[]): unknown {
  const [head, ...rest] = command as [Operand, ...Operand[]];
  if (head.kind === "ident") {
    if (head.name === "and" || head.name === "or") {
      const operands = [...rest.map((o) => () => operandValue(o, state, [])), ...piped.map((p) => () => p)];
      if (operands.length === 0)
        throw templateError(`wrong number of args for ${head.name}: want at least 1 got 0`);
      let value: unknown;
      for (const next of operands) {
        value = next();
        if (truthy(value) === (head.name === "or")) return value;
      }
      return value;
    }
    const fn = state.functions[head.name] as (...args: unknown[]) => unknown;
    return fn(...rest.map((o) => operandValue(o, state, [])), ...piped);
  }
  const args = [...rest.map((o) => operandValue(o, state, [])), ...piped];
  const isMethodCall =
    (head.kind === "dot" || head.kind === "var" || head.kind === "paren") && head.path.length > 0;
  if (!isMethodCall && args.length > 0) throw templateError("can't give argument to non-function");
  return operandValue(head, state, args);
}

function operandValue(o: Operand, state: State, args: unknown[]): unknown {
  switch (o.kind) {
    case "dot":
      return walk(state.dot, o.path, args);
    case "var": {
      if (o.name === "$") return walk(state.root, o.path, args);
      const found = [...state.vars].reverse().find((v) => v.name === o.name);
      if (!found) throw templateError(`undefined variable "${o.name}"`);
      return walk(found.value, o.path, args);
    }
    case "paren":
      return walk(pipelineValue(o.pipeline, state), o.path, args);
    case "string":
    case "number":
    case "bool":
      return o.value;
    case "nil":
      return null;
    case "ident":
      return (state.functions[o.name] as (...a: unknown[]) => unknown)();
  }
}

/** A field chain from `value`; a method at its end gets `args`. */
function walk(start: unknown, path: string[], args: unknown[]): unknown {
  let value = start;
  path.forEach((name, i) => {
    if (value === null || value === undefined || typeof value !== "object") {
      throw templateError(`can't evaluate field ${name} in type ${goType(value)}`);
    }
    const container = value as Record<string, unknown>;
    if (container instanceof Map) {
      value = container.get(name);
      return;
    }
    if (!(name in container)) {
      // A Go map gives "<no value>" for a missing key; a struct has no such field.
      if (isHeaderMap(container)) {
        value = undefined;
        return;
      }
      throw templateError(`can't evaluate field ${name} in type ${goType(container)}`);
    }
    const member = container[name];
    const last = i === path.length - 1;
    value = typeof member === "function" ? member.apply(container, last ? args : []) : member;
  });
  return value;
}

/** text/template's truth: false, 0, nil, and empty strings, lists and maps are false. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** text/template's comparison of basic values: numbers with numbers, strings with strings, bools. */
function compare(name: string, a: unknown, b: unknown): number {
  const kind = (v: unknown) => (typeof v === "bigint" ? "number" : typeof v);
  if (kind(a) !== kind(b) || !["number", "string", "boolean"].includes(kind(a))) {
    if (name === "eq" || name === "ne") {
      if ((a === null || a === undefined) && (b === null || b === undefined)) return 0;
    }
    throw templateError(`error calling ${name}: incompatible types for comparison`);
  }
  if (typeof a === "boolean") {
    if (name !== "eq" && name !== "ne")
      throw templateError(`error calling ${name}: invalid type for comparison`);
    return a === b ? 0 : 1;
  }
  return (a as number | string) < (b as number | string)
    ? -1
    : (a as number | string) > (b as number | string)
      ? 1
      : 0;
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %t %f %x and %%, with flags, width, precision. */
function sprintf(format: string, args: unknown[]): string {
  let next = 0;
  return format.replace(
    /%([-+ #0]*)(\d*)(?:\.(\d+))?([svdqtfxX%])/g,
    (_all, flags: string, width: string, precision: string | undefined, verb: string) => {
      if (verb === "%") return "%";
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const value = args[next++];
      let text: string;
      switch (verb) {
        case "d":
          text =
            typeof value === "number" ? String(Math.trunc(value)) : `%!d(${goType(value)}=${show(value)})`;
          break;
        case "f":
          text =
            typeof value === "number"
              ? value.toFixed(precision === undefined ? 6 : Number(precision))
              : `%!f(${goType(value)}=${show(value)})`;
          break;
        case "q":
          text = JSON.stringify(show(value));
          break;
        case "x":
        case "X":
          text =
            typeof value === "number"
              ? Math.trunc(value).toString(16)
              : Buffer.from(show(value)).toString("hex");
          if (verb === "X") text = text.toUpperCase();
          break;
        case "t":
          text = typeof value === "boolean" ? String(value) : `%!t(${goType(value)}=${show(value)})`;
          break;
        default:
          text = show(value);
          if (precision !== undefined && verb === "s") text = [...text].slice(0, Number(precision)).join("");
      }
      const size = Number(width || 0);
      if (flags.includes("-")) return text.padEnd(size);
      if (flags.includes("0") && (verb === "d" || verb === "f")) {
        const negative = text.startsWith("-");
        return (negative ? "-" : "") + text.slice(negative ? 1 : 0).padStart(size - (negative ? 1 : 0), "0");
      }
      return text.padStart(size);
    },
  );
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

function goType(value: unknown): string {
  if (value === undefined || value === null) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "[]interface {}";
  return (value as { [typeLabel]?: string })[typeLabel] ?? "object";
}

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

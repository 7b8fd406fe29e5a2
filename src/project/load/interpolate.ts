// Compose variable interpolation ($VAR, ${VAR}, ${VAR:-default} …) and the type casts the reference applies
// right after it. Every rule here was learned from docker compose v2.26 (`config` as the oracle); the
// comments name the rule where the behaviour is surprising.
import type { Diagnostic } from "./diagnostics.js";
import { mapStrings } from "./document.js";
import { type Parsed, parseComposeBool, parseGoFloat, parseGoInt } from "./gonumbers.js";
import { goQuote } from "./gostrings.js";

/** Reads a variable: undefined when unset ("set but empty" is the empty string, and differs). */
export type Lookup = (name: string) => string | undefined;

export type TemplateError =
  | { kind: "invalid"; template: string }
  | { kind: "required"; variable: string; detail: string };

export interface Substitution {
  value: string;
  /** Each unset variable read, in order, once per occurrence: the reference warns for each. */
  unset: string[];
  /** The first error; the reference stops there. */
  error?: TemplateError;
}

class TemplateFailure extends Error {
  constructor(readonly failure: TemplateError) {
    super(failure.kind);
  }
}

/** Interpolates one string. */
export function substitute(template: string, lookup: Lookup): Substitution {
  const unset: string[] = [];
  try {
    return { value: expand(template, { lookup, unset }), unset };
  } catch (e) {
    if (e instanceof TemplateFailure) return { value: "", unset, error: e.failure };
    throw e;
  }
}

interface Scope {
  lookup: Lookup;
  unset: string[];
}

// Names are [_a-z][_a-z0-9]* matched case-insensitively the Go way, so U+017F (ſ) and U+212A (Kelvin K)
// fold into the class too; `$é`, `$1` or `$-` are not variables and stay literal.
const nameStart = /[_a-zA-Z\u017f\u212a]/;
const nameChar = /[_a-zA-Z0-9\u017f\u212a]/;

/** End of the variable name starting at `from` (`from` itself when there is none). */
export function nameEnd(text: string, from: number): number {
  let i = from;
  if (!nameStart.test(text[i] ?? "")) return i;
  while (nameChar.test(text[i] ?? "")) i++;
  return i;
}

function readVariable(name: string, scope: Scope): string {
  const value = scope.lookup(name);
  if (value === undefined) scope.unset.push(name);
  return value ?? "";
}

/** A `${NAME<op>…}` whose operand, then the text after its cut, is being expanded. */
interface Braced {
  name: string;
  op: Operator;
  operandStart: number;
  close: number;
  last: number;
  /** The operator's result, once the operand is expanded. */
  text?: string;
}

/** A template being expanded: its text, how far, what it gave so far, and the `${…}` it waits on. */
interface Frame {
  template: string;
  /** Where the template starts in the one being expanded. */
  base: number;
  i: number;
  out: string;
  braced?: Braced | undefined;
}

/**
 * Expands a template without recursion (`${A:-${A:-…}}` nests as deep as the text does): each operand and
 * text after a cut is a frame of its own, whose result goes back to the `${…}` that waits on it.
 */
function expand(template: string, scope: Scope): string {
  const stack: Frame[] = [{ template, base: 0, i: 0, out: "" }];
  let closes: Int32Array | undefined;
  const closeOf = (open: number) => {
    closes ??= balancedCloses(template);
    return closes[open] ?? -1;
  };
  for (;;) {
    const frame = stack[stack.length - 1] as Frame;
    const braced = advance(frame, scope, closeOf);
    if (braced) {
      frame.braced = braced;
      const operand = frame.template.slice(braced.operandStart, braced.close);
      stack.push({ template: operand, base: frame.base + braced.operandStart, i: 0, out: "" });
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent) return frame.out;
    const waiting = parent.braced as Braced;
    if (waiting.text === undefined) {
      waiting.text = applyOperator(waiting.name, waiting.op, frame.out, scope);
      if (waiting.close < waiting.last) {
        const rest = parent.template.slice(waiting.close + 1, waiting.last + 1);
        stack.push({ template: rest, base: parent.base + waiting.close + 1, i: 0, out: "" });
        continue;
      }
    } else {
      waiting.text += frame.out;
    }
    parent.out += waiting.text;
    parent.i = waiting.last + 1;
    parent.braced = undefined;
  }
}

/** Expands the frame's text up to its next `${NAME<op>…}` (returned) or to its end (undefined). */
function advance(frame: Frame, scope: Scope, closeOf: (open: number) => number): Braced | undefined {
  const { template } = frame;
  for (;;) {
    const dollar = template.indexOf("$", frame.i);
    if (dollar < 0) {
      frame.out += template.slice(frame.i);
      frame.i = template.length;
      return undefined;
    }
    frame.out += template.slice(frame.i, dollar);
    const next = template[dollar + 1] ?? "";
    const end = nameEnd(template, dollar + 1);
    if (next === "$") {
      frame.out += "$";
      frame.i = dollar + 2;
    } else if (next === "{") {
      const braced = readBraced(template, dollar, scope, (open) => closeOf(frame.base + open) - frame.base);
      if (typeof braced !== "string") return braced;
      frame.out += braced;
      frame.i = nameEnd(template, dollar + 2) + 1;
    } else if (end > dollar + 1) {
      frame.out += readVariable(template.slice(dollar + 1, end), scope);
      frame.i = end;
    } else {
      frame.out += "$";
      frame.i = dollar + 1;
    }
  }
}

export const operators = [":-", ":+", ":?", "-", "+", "?"] as const;
export type Operator = (typeof operators)[number];

/**
 * `${…}` at `dollar`: `${NAME}`'s value, or the parts of `${NAME<op>…}`. The reference matches
 * `${NAME<op>.*}` greedily up to the last `}` of the line (`.` never crosses a newline), then cuts it at
 * the first balanced `}` (counting every `{`); the operand and the text after that cut are each
 * interpolated on their own, so an error inside them quotes only that piece. Anything else after `${` is
 * an invalid template.
 */
function readBraced(
  template: string,
  dollar: number,
  scope: Scope,
  closeOf: (open: number) => number,
): string | Braced {
  const invalid = () => new TemplateFailure({ kind: "invalid", template });
  const end = nameEnd(template, dollar + 2);
  if (end === dollar + 2) throw invalid();
  const name = template.slice(dollar + 2, end);
  if (template[end] === "}") return readVariable(name, scope);
  const op = operators.find((o) => template.startsWith(o, end));
  if (op === undefined) throw invalid();
  const operandStart = end + op.length;
  const lineEnd = template.indexOf("\n", operandStart);
  const last = template.lastIndexOf("}", lineEnd < 0 ? template.length : lineEnd);
  if (last < operandStart) throw invalid();
  const balanced = closeOf(dollar + 1);
  const close = balanced > dollar && balanced < last ? balanced : last;
  return { name, op, operandStart, close, last };
}

/**
 * For each `{` of the text, the offset of the first `}` after it that balances the braces from there
 * (counting every `{` and `}`), else -1: for all of them in one pass.
 */
export function balancedCloses(text: string): Int32Array {
  const closes = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) open.push(i);
    else if (c === 125 /* } */ && open.length > 0) closes[open.pop() as number] = i;
  }
  return closes;
}

// The operand is interpolated before the operator is applied, even when it is not used: its unset
// variables warn and its errors fail (`${SET:-${UNSET:?x}}` fails in the reference).
function applyOperator(name: string, op: Operator, operand: string, scope: Scope): string {
  const value = scope.lookup(name);
  const empty = value === undefined || (op.startsWith(":") && value === "");
  switch (op) {
    case ":-":
    case "-":
      return empty ? operand : (value ?? "");
    case ":+":
    case "+":
      return empty ? "" : operand;
    default:
      if (empty) throw new TemplateFailure({ kind: "required", variable: name, detail: operand });
      return value ?? "";
  }
}

// ---- messages (the reference's exact text) ----

/** The reference's warning for an unset variable (logrus `%q` of a name, which is always plain ASCII). */
export function unsetVariableWarning(name: string): string {
  return `The "${name}" variable is not set. Defaulting to a blank string.`;
}

/** "services.web.ports.[].target": the reference prints every sequence index as `[]`. */
export function referencePath(path: readonly (string | number)[]): string {
  return path.map((part) => (typeof part === "number" ? "[]" : part)).join(".");
}

/** The error's own text, as env files report it (no document path). */
export function templateErrorText(error: TemplateError): string {
  if (error.kind === "invalid") return `Invalid template: ${goQuote(error.template)}`;
  const detail = error.detail === "" ? "" : `: ${error.detail}`;
  return `required variable ${error.variable} is missing a value${detail}`;
}

/** The text `config` prints for an interpolation error in a compose document. */
export function documentErrorText(error: TemplateError, path: readonly (string | number)[]): string {
  const where = referencePath(path);
  if (error.kind === "invalid") {
    return `invalid interpolation format for ${where}.\nYou may need to escape any $ with another $.\n${error.template}`;
  }
  return `error while interpolating ${where}: ${templateErrorText(error)}`;
}

// ---- whole documents ----

export type Path = (string | number)[];

export interface DocumentResult {
  value: unknown;
  /** Located problems; `message` is the reference's full text, which already names the path. */
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/**
 * Interpolates every string value of a parsed document (mappings, sequences, scalars), returning the
 * document with the changed strings (the one given is left as it is). Mapping keys are left alone, as the
 * reference does (`environment: {"${X}": 1}` keeps the key `${X}`); numbers, booleans and null pass through.
 */
export function interpolateDocument(document: unknown, lookup: Lookup): DocumentResult {
  const result: DocumentResult = { value: undefined, errors: [], warnings: [] };
  result.value = mapStrings(document, (text, at) => {
    const s = substitute(text, lookup);
    for (const name of s.unset) result.warnings.push({ path: [...at], message: unsetVariableWarning(name) });
    if (!s.error) return s.value;
    result.errors.push({ path: [...at], message: documentErrorText(s.error, at) });
    return text;
  });
  return result;
}

// ---- type casts after interpolation ----

export type CastKind = "bool" | "int" | "int64" | "float" | "float32" | "uint16" | "count";

/**
 * The paths whose string values the reference converts right after interpolation (learned by setting
 * each schema field to "x" and reading the error: these fail with "failed to cast to expected type"; the
 * others, such as ports.*.published, mem_limit, durations or depends_on.*.required, stay strings here and
 * are checked later by the schema or the model: decodeCastTable). `*` is any mapping key, `[]` any sequence index.
 * Casting applies to every string there, interpolated or literal, and never with --no-interpolate.
 */
export const castTable: ReadonlyArray<readonly [pattern: string, kind: CastKind]> = [
  ["services.*.cpu_count", "int64"],
  ["services.*.cpu_percent", "float"],
  ["services.*.cpu_period", "int64"],
  ["services.*.cpu_quota", "int64"],
  ["services.*.cpu_rt_period", "int64"],
  ["services.*.cpu_rt_runtime", "int64"],
  ["services.*.cpu_shares", "int64"],
  ["services.*.cpus", "float32"],
  ["services.*.init", "bool"],
  ["services.*.oom_kill_disable", "bool"],
  ["services.*.oom_score_adj", "int64"],
  ["services.*.pids_limit", "int64"],
  ["services.*.privileged", "bool"],
  ["services.*.read_only", "bool"],
  ["services.*.scale", "int"],
  ["services.*.stdin_open", "bool"],
  ["services.*.tty", "bool"],
  ["services.*.configs.[].mode", "int"],
  ["services.*.secrets.[].mode", "int"],
  ["services.*.ports.[].target", "int"],
  ["services.*.healthcheck.retries", "int"],
  ["services.*.healthcheck.disable", "bool"],
  ["services.*.deploy.replicas", "int"],
  ["services.*.deploy.update_config.parallelism", "int"],
  ["services.*.deploy.update_config.max_failure_ratio", "float"],
  ["services.*.deploy.rollback_config.parallelism", "int"],
  ["services.*.deploy.rollback_config.max_failure_ratio", "float"],
  ["services.*.deploy.restart_policy.max_attempts", "int"],
  ["services.*.deploy.placement.max_replicas_per_node", "int"],
  ["services.*.ulimits.*", "int"],
  ["services.*.ulimits.*.hard", "int"],
  ["services.*.ulimits.*.soft", "int"],
  ["services.*.volumes.[].read_only", "bool"],
  ["services.*.volumes.[].volume.nocopy", "bool"],
  ["networks.*.external", "bool"],
  ["networks.*.internal", "bool"],
  ["networks.*.attachable", "bool"],
  ["networks.*.enable_ipv4", "bool"],
  ["networks.*.enable_ipv6", "bool"],
  ["volumes.*.external", "bool"],
  ["secrets.*.external", "bool"],
  ["configs.*.external", "bool"],
];

/**
 * The paths the reference converts later, while decoding the model (its mapstructure hook turns text into
 * a bool, int, int64 or float field; a uint16 field refuses text): cast here too, never with --no-interpolate,
 * but a bad value reads `error decoding …` (exit 15 as well).
 */
export const decodeCastTable: ReadonlyArray<readonly [pattern: string, kind: CastKind]> = [
  ["services.*.attach", "bool"],
  ["services.*.build.no_cache", "bool"],
  ["services.*.build.pull", "bool"],
  ["services.*.build.privileged", "bool"],
  ["services.*.volumes.[].bind.create_host_path", "bool"],
  ["services.*.depends_on.*.restart", "bool"],
  ["services.*.env_file.[].required", "bool"],
  ["services.*.develop.watch.[].initial_sync", "bool"],
  ["services.*.deploy.resources.limits.pids", "int64"],
  ["services.*.deploy.resources.reservations.devices.[].count", "count"],
  ["services.*.deploy.resources.limits.generic_resources.[].discrete_resource_spec.value", "int64"],
  ["services.*.deploy.resources.reservations.generic_resources.[].discrete_resource_spec.value", "int64"],
  ["services.*.blkio_config.weight", "uint16"],
  ["services.*.blkio_config.weight_device.[].weight", "uint16"],
];

const compiledTable = [
  ...castTable.map(([pattern, kind]) => ({ parts: pattern.split("."), kind, decoding: false })),
  ...decodeCastTable.map(([pattern, kind]) => ({ parts: pattern.split("."), kind, decoding: true })),
];

/** The cast that applies at a document path, if any. */
export function castKindAt(path: readonly (string | number)[]): CastKind | undefined {
  return castAt(path)?.kind;
}

function castAt(path: readonly (string | number)[]): { kind: CastKind; decoding: boolean } | undefined {
  const matches = (parts: string[]) =>
    parts.length === path.length &&
    parts.every((part, i) => {
      const actual = path[i];
      if (part === "[]") return typeof actual === "number";
      return typeof actual === "string" && (part === "*" || part === actual);
    });
  return compiledTable.find((entry) => matches(entry.parts));
}

/** A path as the reference's decoder names it: `services[web].volumes[0].bind.create_host_path`. */
function decodePath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => {
      if (typeof part === "number") return `[${part}]`;
      const parent = path[i - 1];
      if (i === 1 && typeof parent === "string") return `[${part}]`;
      return i === 0 ? part : `.${part}`;
    })
    .join("");
}

function castValue(text: string, kind: CastKind): Parsed<number | boolean> & { warning?: string } {
  switch (kind) {
    case "bool":
      return parseComposeBool(text);
    case "int":
      return parseGoInt(text, "Atoi");
    case "int64":
      return parseGoInt(text, "ParseInt");
    case "float":
      return parseGoFloat(text, 64);
    case "float32":
      return parseGoFloat(text, 32);
    case "count": {
      // A device request's count: `all` (any case) is -1.
      if (text.toLowerCase() === "all") return { ok: true, value: -1 };
      const count = parseGoInt(text, "ParseInt");
      if (count.ok) return count;
      return {
        ok: false,
        error: `invalid value ${goQuote(text)}, the only value allowed is 'all' or a number`,
      };
    }
    case "uint16":
      return {
        ok: false,
        error: `expected type 'uint16', got unconvertible type 'string', value: '${text}'`,
      };
  }
}

/**
 * Converts the strings found at the paths of `castTable` and `decodeCastTable` into numbers and booleans, as
 * the reference does after interpolating (its message still says "error while interpolating") and decoding.
 * Other values are kept.
 */
export function castTypes(document: unknown): DocumentResult {
  const result: DocumentResult = { value: undefined, errors: [], warnings: [] };
  result.value = mapStrings(document, (text, where) => {
    const at = castAt(where);
    if (at === undefined) return text;
    const path = [...where];
    const cast = castValue(text, at.kind);
    if (cast.warning) result.warnings.push({ path, message: cast.warning });
    if (cast.ok) return cast.value;
    const message = !at.decoding
      ? `error while interpolating ${referencePath(path)}: failed to cast to expected type: ${cast.error}`
      : at.kind === "uint16"
        ? `'${decodePath(path)}' ${cast.error}`
        : `error decoding '${decodePath(path)}': ${cast.error}`;
    result.errors.push({ path, message });
    return text;
  });
  return result;
}

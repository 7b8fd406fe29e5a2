// Checks a compose document against the project's schema (compose.schema.json, compiled ahead of time into
// validate.generated.js) and turns every failure into a located Diagnostic with a message meant for people.
//
// All errors of a document come back at once. ajv reports some failures several times (each branch of a
// oneOf/anyOf, or two keywords on one value): those are collapsed into one message per location.
import type { Diagnostic, SourcePosition } from "../project/load/diagnostics.js";
import { type SchemaError, validate } from "./validate.generated.js";

export type DocumentPath = readonly (string | number)[];
export type Locate = (path: DocumentPath, at?: "key" | "value") => SourcePosition | undefined;

type Schema = Record<string, unknown>;
type Path = (string | number)[];

interface Located {
  error: SchemaError;
  path: Path;
}

/**
 * The schema's verdict on `value`, the merged and interpolated document. `locate` maps document paths to
 * file positions (a path that cannot be found is located at its nearest parent); without it, or when nothing
 * is found, a diagnostic is placed at the start of `file` if given.
 */
export function validateCompose(value: unknown, locate?: Locate, file?: string): Diagnostic[] {
  if (validate(value)) return [];
  return explainErrors(validate.errors ?? [], value, locate, file);
}

/**
 * Diagnostics for the errors of a validator compiled like the generated one (allErrors, verbose); exported
 * so tests can feed it errors of other schemas (ours has no oneOf/anyOf to collapse).
 */
export function explainErrors(
  errors: readonly SchemaError[],
  value: unknown,
  locate?: Locate,
  file?: string,
): Diagnostic[] {
  const located = errors.map((error) => ({ error, path: toPath(error.instancePath, value) }));
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const item of collapseAlternatives(located)) {
    const { atKey, ...d } = describeError(item);
    const key = `${d.path.join("\u001f")}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const position = positionOf(d.path, atKey === true, locate, file);
    diagnostics.push(position ? { ...d, position } : d);
  }
  return sortByPosition(diagnostics);
}

/** "/services/web/ports/1" → ["services", "web", "ports", 1] (numbers only where the value is a list). */
function toPath(pointer: string, root: unknown): Path {
  if (pointer === "") return [];
  const path: Path = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node = node !== null && typeof node === "object" ? (node as Schema)[segment] : undefined;
    }
  }
  return path;
}

function isUnder(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

const shapeKeywords = new Set(["type", "enum", "const", "pattern"]);

/**
 * A failed oneOf/anyOf comes after the errors of all its branches (ajv emits them in a row, at or below the
 * value's path). When every branch but one was rejected for the value's shape, the remaining branch is the
 * one the user meant: its own errors are kept. Otherwise the value matches no branch: one error for all.
 */
function collapseAlternatives(errors: Located[]): Located[] {
  const out: Located[] = [];
  for (const item of errors) {
    const { keyword, parentSchema } = item.error;
    if (keyword !== "oneOf" && keyword !== "anyOf") {
      out.push(item);
      continue;
    }
    let start = out.length;
    while (start > 0 && isUnder((out[start - 1] as Located).path, item.path)) start--;
    const branches = out.splice(start);
    const alternatives = Array.isArray(parentSchema[keyword])
      ? (parentSchema[keyword] as unknown[]).length
      : 0;
    const rejectedByShape = branches.filter(
      (b) => b.path.length === item.path.length && shapeKeywords.has(b.error.keyword),
    );
    const meant = branches.filter((b) => !rejectedByShape.includes(b));
    if (meant.length > 0 && alternatives - rejectedByShape.length === 1) out.push(...meant);
    else out.push(item);
  }
  return out;
}

interface Described {
  path: Path;
  message: string;
  hint?: string;
  /** Point at the key of the last path segment rather than at its value. */
  atKey?: boolean;
}

function describeError({ error, path }: Located): Described {
  const { keyword, params, parentSchema } = error;
  switch (keyword) {
    case "additionalProperties":
      return unknownKey(path, String(params.additionalProperty), parentSchema);
    case "required":
      return { path, message: `missing required key '${String(params.missingProperty)}'`, atKey: true };
    case "enum":
      return notInEnum(path, error);
    case "uniqueItems": {
      const [first, second] = [Number(params.j), Number(params.i)].sort((a, b) => a - b);
      const item = Array.isArray(error.data) ? error.data[second ?? 0] : undefined;
      return {
        path: [...path, second ?? 0],
        message: `duplicate entry ${showValue(item)} (same as item ${first})`,
      };
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { path, message: `must be ${boundText(parentSchema, keyword, params)}` };
    case "oneOf":
    case "anyOf":
    case "type":
    case "pattern":
    case "const":
      return { path, message: `must be ${describeSchema(parentSchema)}` };
    default:
      return { path, message: `is invalid (${keyword})` };
  }
}

function unknownKey(path: Path, key: string, schema: Schema): Described {
  const known = isSchema(schema.properties) ? Object.keys(schema.properties) : [];
  const patterns = isSchema(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];
  const at = [...path, key];
  if (key === "") return { path: at, message: "empty key is not allowed", atKey: true };
  if (known.length > 0) {
    const near = nearest(key, known);
    const extensible = patterns.includes("^x-");
    const d: Described = { path: at, message: `unknown key '${key}'`, atKey: true };
    if (near) d.hint = `did you mean '${near}'?`;
    else if (extensible) d.hint = "custom keys must start with 'x-'";
    return d;
  }
  const namePattern = patterns.find((p) => p !== "^x-");
  if (namePattern === "^[a-zA-Z0-9._-]+$") {
    return {
      path: at,
      message: `invalid name '${key}': only letters, digits, '.', '_' and '-' are allowed`,
      atKey: true,
    };
  }
  if (namePattern)
    return { path: at, message: `invalid key '${key}': must match ${namePattern}`, atKey: true };
  return { path: at, message: `unexpected key '${key}'`, atKey: true };
}

function notInEnum(path: Path, error: SchemaError): Described {
  const allowed = Array.isArray(error.schema) ? error.schema.map(String) : [];
  const d: Described = { path, message: `must be one of ${allowed.map((a) => `'${a}'`).join(", ")}` };
  const near = typeof error.data === "string" ? nearest(error.data, allowed) : undefined;
  if (near) d.hint = `did you mean '${near}'?`;
  return d;
}

function boundText(schema: Schema, keyword: string, params: Record<string, unknown>): string {
  if (typeof schema.title === "string") return schema.title;
  const limit = String(params.limit);
  const words: Record<string, string> = {
    minimum: "at least",
    maximum: "at most",
    exclusiveMinimum: "more than",
    exclusiveMaximum: "less than",
  };
  return `${words[keyword] ?? keyword} ${limit}`;
}

function isSchema(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const typeNames: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  null: "null",
  object: "a mapping",
  array: "a list",
};

/** A schema's expected shape in words: its title, else words made from its types. */
export function describeSchema(schema: Schema): string {
  if (typeof schema.title === "string") return schema.title;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((e) => `'${String(e)}'`).join(", ")}`;
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives)) return joinOr(alternatives.filter(isSchema).map(describeSchema));
  const types = Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type ?? "")];
  return joinOr(
    types.map((t) => {
      if (t === "array" && isSchema(schema.items) && schema.items.type === "string")
        return "a list of strings";
      return typeNames[t] ?? t;
    }),
  );
}

function joinOr(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? "valid";
  return `${parts.slice(0, -1).join(", ")} or ${parts[parts.length - 1]}`;
}

function showValue(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  const json = JSON.stringify(v);
  return json && json.length <= 60 ? json : "(a value)";
}

/** The closest candidate by edit distance, when close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  // One- and two-letter words are too short for any edit to be a plausible typo (only case differs).
  const limit = word.length < 3 ? 0 : Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, counting a swap of two neighbours as one edit (typos). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

function positionOf(
  path: Path,
  atKey: boolean,
  locate: Locate | undefined,
  file: string | undefined,
): SourcePosition | undefined {
  if (locate) {
    const own = locate(path, atKey ? "key" : "value");
    if (own) return own;
    for (let n = path.length - 1; n >= 0; n--) {
      const parent = locate(path.slice(0, n), "key");
      if (parent) return parent;
    }
  }
  return file ? { file, line: 1, column: 1 } : undefined;
}

/** Source order within each file; files in the order they first appear; unlocated ones last. */
function sortByPosition(list: Diagnostic[]): Diagnostic[] {
  const files = new Map<string, number>();
  for (const d of list) if (d.position && !files.has(d.position.file)) files.set(d.position.file, files.size);
  const order = (d: Diagnostic) =>
    d.position ? [files.get(d.position.file) ?? 0, d.position.line, d.position.column] : [files.size, 0, 0];
  return list
    .map((d, i) => ({ d, i, o: order(d) }))
    .sort((x, y) => {
      for (let k = 0; k < 3; k++) {
        const diff = (x.o[k] ?? 0) - (y.o[k] ?? 0);
        if (diff !== 0) return diff;
      }
      return x.i - y.i;
    })
    .map(({ d }) => d);
}

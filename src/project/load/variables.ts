// The variables a project's files use, as `docker compose config --variables` lists them: for each name,
// whether it is required (`${X?…}` / `${X:?…}`), its default (`${X-d}` / `${X:-d}`) and its alternate
// value (`${X+a}` / `${X:+a}`), as written.
//
// Reference rules followed here (2.26.1):
//   - variables are read from the model loaded without interpolation (canonical form, every service
//     whatever its profiles, unused resources too): values of mappings, recursively, and the strings
//     directly in a list — a mapping inside a list is not read (so `env_file`, long volume syntax and
//     `secrets: [name]` entries, which the canonical form turns into mappings, are not), keys never;
//   - a default or alternate value is kept as written, and read for variables too
//     (`${A:-${B:-x}}` lists A with default `${B:-x}` and B with default `x`);
//   - `$$` is not a variable; `${` not followed by a name and a closing brace counts as a variable with
//     no name (the reference lists a row with an empty name);
//   - a name seen several times keeps the last occurrence read.
import { isMapping } from "./document.js";
import { firstBalancedClose, nameEnd, type Operator, operators } from "./interpolate.js";

export interface Variable {
  name: string;
  required: boolean;
  defaultValue: string;
  alternateValue: string;
}

function variable(name: string, op?: Operator, operand = ""): Variable {
  const required = op === "?" || op === ":?";
  const isDefault = op === "-" || op === ":-";
  const isAlternate = op === "+" || op === ":+";
  return {
    name,
    required,
    defaultValue: isDefault ? operand : "",
    alternateValue: isAlternate ? operand : "",
  };
}

/** The variables of one string, in order of reading. */
export function variablesIn(text: string): Variable[] {
  const out: Variable[] = [];
  let i = 0;
  for (;;) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) return out;
    const next = text[dollar + 1] ?? "";
    if (next === "$") {
      i = dollar + 2;
      continue;
    }
    if (next !== "{") {
      const end = nameEnd(text, dollar + 1);
      if (end > dollar + 1) out.push(variable(text.slice(dollar + 1, end)));
      i = Math.max(end, dollar + 1);
      continue;
    }
    const end = nameEnd(text, dollar + 2);
    const name = text.slice(dollar + 2, end);
    if (end > dollar + 2 && text[end] === "}") {
      out.push(variable(name));
      i = end + 1;
      continue;
    }
    const op = end > dollar + 2 ? operators.find((o) => text.startsWith(o, end)) : undefined;
    const operandStart = end + (op?.length ?? 0);
    const lineEnd = text.indexOf("\n", operandStart);
    const last = text.lastIndexOf("}", lineEnd < 0 ? text.length : lineEnd);
    if (op === undefined || last < operandStart) {
      out.push(variable(""));
      i = dollar + 2;
      continue;
    }
    const close = firstBalancedClose(text, dollar + 1, last);
    const operand = text.slice(operandStart, close);
    out.push(variable(name, op, operand));
    out.push(...variablesIn(operand));
    if (close < last) out.push(...variablesIn(text.slice(close + 1, last + 1)));
    i = last + 1;
  }
}

/** The variables of a model, by name (the last occurrence read wins), sorted by name. */
export function extractVariables(model: unknown): Variable[] {
  const found = new Map<string, Variable>();
  const add = (text: unknown) => {
    if (typeof text === "string") for (const v of variablesIn(text)) found.set(v.name, v);
  };
  const walk = (value: unknown): void => {
    if (typeof value === "string") add(value);
    else if (Array.isArray(value)) value.forEach(add);
    else if (isMapping(value)) Object.values(value).forEach(walk);
  };
  walk(model);
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The reference's table (Go tabwriter: columns at least 20 wide, 3 spaces of padding; the last column is
 * not padded).
 */
export function formatVariables(variables: readonly Variable[]): string {
  const rows = [
    ["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
    ...variables.map((v) => [v.name, String(v.required), v.defaultValue, v.alternateValue]),
  ];
  const runes = (cell: string) => [...cell].length;
  const widths = [0, 1, 2].map((c) => Math.max(20, ...rows.map((r) => runes(r[c] ?? "") + 3)));
  const pad = (cell: string, c: number) => cell + " ".repeat(Math.max(0, (widths[c] ?? 0) - runes(cell)));
  return rows.map((r) => `${r.map((cell, c) => (c < 3 ? pad(cell, c) : cell)).join("")}\n`).join("");
}

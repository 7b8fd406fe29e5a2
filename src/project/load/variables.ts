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
import { balancedCloses, nameEnd, type Operator, operators } from "./interpolate.js";

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

/**
 * The variables of one string, in order of reading: each `${NAME<op>…}`, then those of its operand, then
 * those of the text after its cut, then the rest. Without recursion: operands nest as deep as the text does.
 */
export function variablesIn(whole: string): Variable[] {
  const out: Variable[] = [];
  // Texts still to read (the next one last), each from an offset; base: where it starts in the whole.
  const pending: { text: string; base: number; i: number }[] = [{ text: whole, base: 0, i: 0 }];
  let closes: Int32Array | undefined;
  for (let top = pending.pop(); top; top = pending.pop()) {
    const { text, base } = top;
    let i = top.i;
    for (;;) {
      const dollar = text.indexOf("$", i);
      if (dollar < 0) break;
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
      closes ??= balancedCloses(whole);
      const balanced = (closes[base + dollar + 1] ?? -1) - base;
      const close = balanced > dollar && balanced < last ? balanced : last;
      const operand = text.slice(operandStart, close);
      out.push(variable(name, op, operand));
      pending.push({ text, base, i: last + 1 });
      if (close < last) pending.push({ text: text.slice(close + 1, last + 1), base: base + close + 1, i: 0 });
      pending.push({ text: operand, base: base + operandStart, i: 0 });
      break;
    }
  }
  return out;
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

// A small, fast YAML emitter for plain JSON-like data (objects, arrays, strings, numbers, booleans, null),
// shaped like the output of Go's gopkg.in/yaml.v3 encoder with indent 2: block mappings, sequences indented
// under their key, `{}` and `[]` for empty containers, literal blocks for multi-line strings.
//
// The one hard rule is that the text reads back as the same data with YAML 1.2 core rules, YAML 1.1 rules
// and yaml.v3's rules: a string that any of these readers could take for something else (a number, a
// boolean, null, a timestamp, a merge key, an indicator, ...) is double-quoted. When in doubt, it quotes.

import { YamlTime } from "../../project/load/timestamps.js";

/**
 * Characters that may appear in a plain or literal scalar: printable, and no line break of YAML 1.1
 * (NEL, LS, PS), no byte-order mark, no lone surrogate. Tabs and all control characters are left out.
 */
const safeChar = String.raw`\x20-\x7E\u00A0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}`;

/**
 * A string that can be printed plain, as far as its characters and indicators go: it does not start with
 * whitespace or an indicator (a `-` is fine when something other than whitespace follows, as in `-f`, but
 * not `---`), nor with `...` (which could end the document), does not end with whitespace or `:`, and
 * holds no `: ` and no ` #`.
 */
const plainShape = new RegExp(
  String.raw`^(?![\s?:,\[\]{}#&*!|>'"%@${"`"}]|-(?:\s|$)|---|\.\.\.)(?![\s\S]*(?::\s|\s#|:$))[${safeChar}]+(?<!\s)$`,
  "u",
);

/**
 * Plain strings that some reader takes for something else: null, booleans of YAML 1.1 and 1.2 in any
 * case, `=` and `<<`, `.inf` and `.nan` (signed too), anything that looks like a number in one
 * of the dialects (decimal, octal, hex, binary, underscores, exponents, sexagesimal: matched broadly, so
 * e.g. `1.2.3` or `8080:80` are quoted too; the `yaml` package's YAML 1.1 reads `e1` as a float, NaN),
 * and anything that starts like a YAML 1.1 timestamp.
 */
const reserved =
  /^(?:~|null|true|false|y|n|yes|no|on|off|=|<<|[-+]?\.(?:inf|nan)|[-+]?\.?[0-9][0-9a-fox_.:+-]*|[-+]?\.[0-9e_.+-]*|[-+]?e[-+]?[0-9]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[\s\S]*)$/i;

/**
 * A multi-line string that a literal block (`|-`, `|`, `|+`) holds exactly: safe characters and line
 * feeds only, no whitespace at the start (the indentation is detected from the first line), and no
 * whitespace at the end of a line (yaml.v3 refuses block styles there too).
 */
const literalShape = new RegExp(
  String.raw`^(?!\s)(?![\s\S]*[^\S\n](?:\n|$))[\n${safeChar}]*\n[\n${safeChar}]*$`,
  "u",
);

/** Characters that double quotes must escape. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const needsEscape = /["\\\x00-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF]/;

/** Implicit keys may be at most 1024 characters long; longer ones are written as explicit `? key`. */
const maxImplicitKey = 1000;

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, "0");
}

function doubleQuoted(s: string): string {
  if (!needsEscape.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c === 0x0a) esc = "\\n";
    else if (c === 0x09) esc = "\\t";
    else if (c === 0x0d) esc = "\\r";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) esc = `\\x${hex(c, 2)}`;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: printed as is
        continue;
      }
      esc = `\\u${hex(c, 4)}`;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || c >= 0xfeff) {
      if (c > 0xfeff && c < 0xfffe) continue;
      esc = `\\u${hex(c, 4)}`;
    } else continue;
    out += s.slice(start, i) + esc;
    start = i + 1;
  }
  return `${out + s.slice(start)}"`;
}

/** A string on one line: plain when that reads back as the same string, double-quoted otherwise. */
function inlineString(s: string): string {
  return plainShape.test(s) && !reserved.test(s) ? s : doubleQuoted(s);
}

function number(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Number.POSITIVE_INFINITY) return ".inf";
  if (n === Number.NEGATIVE_INFINITY) return "-.inf";
  if (n === 0 && 1 / n < 0) return "-0.0";
  return String(n);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof YamlTime);
}

/** Whether a value is skipped as a mapping entry (like JSON.stringify does). */
function skipped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

class Emitter {
  out = "";

  /**
   * Writes a value that follows `key:` or `-` on the current line. `indent` is the indentation of the
   * key or dash; nested block content goes 2 spaces deeper. `inSequence` says a nested mapping or
   * sequence may start on the same line (after `- `); after a key it starts on the next line.
   */
  value(v: unknown, indent: string, inSequence: boolean): void {
    if (typeof v === "string") {
      if (v.includes("\n") && literalShape.test(v)) this.literal(v, `${indent}  `, " ");
      else this.out += ` ${inlineString(v)}\n`;
    } else if (Array.isArray(v)) {
      if (v.length === 0) this.out += " []\n";
      else if (inSequence) {
        this.out += " ";
        this.sequence(v, `${indent}  `, "");
      } else {
        this.out += "\n";
        this.sequence(v, `${indent}  `, `${indent}  `);
      }
    } else if (isObject(v)) {
      const first = this.firstKey(v);
      if (first === undefined) this.out += " {}\n";
      else if (inSequence) {
        this.out += " ";
        this.mapping(v, `${indent}  `, "");
      } else {
        this.out += "\n";
        this.mapping(v, `${indent}  `, `${indent}  `);
      }
    } else {
      this.out += ` ${this.scalar(v)}\n`;
    }
  }

  scalar(v: unknown): string {
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return number(v);
    if (typeof v === "bigint") return String(v);
    // A time is printed plain, so that it reads back as a time (yaml.v3 prints time.Time so).
    if (v instanceof YamlTime) return v.text;
    return inlineString(String(v));
  }

  firstKey(m: Record<string, unknown>): string | undefined {
    for (const key in m) if (Object.hasOwn(m, key) && !skipped(m[key])) return key;
    return undefined;
  }

  /** `indent` for every line; `firstPrefix` replaces it on the first line (empty after `- `). */
  mapping(m: Record<string, unknown>, indent: string, firstPrefix: string): void {
    let prefix = firstPrefix;
    for (const key in m) {
      if (!Object.hasOwn(m, key)) continue;
      const v = m[key];
      if (skipped(v)) continue;
      const k = inlineString(key);
      if (k.length > maxImplicitKey) this.out += `${prefix}? ${k}\n${indent}:`;
      else this.out += `${prefix}${k}:`;
      this.value(v, indent, false);
      prefix = indent;
    }
  }

  sequence(a: unknown[], indent: string, firstPrefix: string): void {
    let prefix = firstPrefix;
    for (const item of a) {
      this.out += `${prefix}-`;
      this.value(skipped(item) ? null : item, indent, true);
      prefix = indent;
    }
  }

  /** A literal block scalar; `lead` goes between what precedes it and the indicator. */
  literal(s: string, indent: string, lead: string): void {
    let body = s;
    let indicator = "|-";
    if (s.endsWith("\n")) {
      body = s.slice(0, -1);
      indicator = body.endsWith("\n") ? "|+" : "|";
    }
    let out = `${lead}${indicator}\n`;
    let start = 0;
    for (;;) {
      const end = body.indexOf("\n", start);
      const line = end === -1 ? body.slice(start) : body.slice(start, end);
      out += line === "" ? "\n" : `${indent}${line}\n`;
      if (end === -1) break;
      start = end + 1;
    }
    this.out += out;
  }
}

/**
 * YAML text for a plain JSON-like value, ending with a line break. Mapping keys keep their order; entries
 * whose value is undefined are left out, and undefined in a sequence is printed as null, like JSON.
 */
export function emitYaml(value: unknown): string {
  const e = new Emitter();
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]\n";
    e.sequence(value, "", "");
  } else if (isObject(value)) {
    if (e.firstKey(value) === undefined) return "{}\n";
    e.mapping(value, "", "");
  } else if (typeof value === "string" && value.includes("\n") && literalShape.test(value)) {
    e.literal(value, "  ", "");
  } else {
    return `${e.scalar(value)}\n`;
  }
  return e.out;
}

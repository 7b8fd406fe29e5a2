// A small YAML emitter for JSON-like data that writes the same text as Go's gopkg.in/yaml.v3 encoder
// (v3.0.1, indent 2, no line width), which the reference uses for `config`: block mappings, sequences indented
// under their key, `{}` and `[]` for empty containers, literal blocks for multi-line strings, explicit `? key`
// for keys longer than 128 bytes or on several lines.
//
// Plain objects are Go maps: their keys are printed in yaml.v3's "natural" order (see goKeyLess). A `Map` is
// a Go struct: its keys are printed in insertion order.
//
// Scalar styles follow yaml.v3: a string is plain unless yaml.v3 would read it back as another type (or it is
// a YAML 1.1 boolean or base-60 number), then double-quoted; strings with a line feed are literal blocks; and
// the emitter's character analysis moves plain to single quotes and single quotes or blocks to double quotes
// where they cannot hold the text. One deliberate difference: yaml.v3 drops the leading line feed of a
// literal block that starts with one (`|2`); here it is kept, so the text reads back as the same string.

import { YamlTime } from "../../project/load/timestamps.js";

/** Keys longer than this (in UTF-8 bytes), or on several lines, are written as explicit `? key`. */
const maxSimpleKey = 128;

// ---- How yaml.v3 resolves a plain scalar (resolve.go), reduced to "is it a string?" ----

/** strconv's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOk(text: string): boolean {
  let s = text;
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hexDigits = false;
  if (s.length >= 2 && s[0] === "0" && /[box]/i.test(s[1] ?? "")) {
    i = 2;
    saw = "0";
    hexDigits = (s[1] ?? "").toLowerCase() === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? "";
    if ((c >= "0" && c <= "9") || (hexDigits && /[a-f]/i.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;

/**
 * Whether Go's strconv.ParseInt (signed) or ParseUint accepts `s` in `base` (0: from the prefix) for 64 bits,
 * with the underscores already removed.
 */
function goParsesInt(text: string, base: number, signed: boolean): boolean {
  let s = text;
  let negative = false;
  if (signed && (s[0] === "+" || s[0] === "-")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "") return false;
  let radix = base;
  if (base === 0) {
    radix = 10;
    if (s[0] === "0") {
      const p = (s[1] ?? "").toLowerCase();
      if (s.length >= 3 && p === "b") [radix, s] = [2, s.slice(2)];
      else if (s.length >= 3 && p === "o") [radix, s] = [8, s.slice(2)];
      else if (s.length >= 3 && p === "x") [radix, s] = [16, s.slice(2)];
      else [radix, s] = [8, s.slice(1)];
    }
  }
  const digits = { 2: /^[01]*$/, 8: /^[0-7]*$/, 10: /^[0-9]*$/, 16: /^[0-9a-f]*$/i }[radix] as RegExp;
  if (!digits.test(s)) return false;
  if (s === "") return true; // "0" read as octal
  const prefix = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[radix] as string;
  const n = BigInt(prefix + s);
  if (!signed) return n <= uint64Max;
  return negative ? n <= int64Max + 1n : n <= int64Max;
}

/** A decimal float as yaml.v3 reads it (yamlStyleFloat), in range for float64. */
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function finite(text: string): boolean {
  return Number.isFinite(Number(text));
}

/** Go's time.Parse with one of yaml.v3's timestamp layouts; `t` is the date-time separator or "" for none. */
function goTime(s: string, separator: "T" | "t" | " " | ""): boolean {
  let i = 0;
  const num = (max: number): number | undefined => {
    // getnum: one digit, or two when the second is a digit too.
    if (!/[0-9]/.test(s[i] ?? "")) return undefined;
    let n = Number(s[i++]);
    if (/[0-9]/.test(s[i] ?? "")) n = n * 10 + Number(s[i++]);
    return n < max ? n : undefined;
  };
  const year = Number(s.slice(0, 4));
  i = 4;
  if (s[i++] !== "-") return false;
  const month = num(13);
  if (month === undefined || month === 0 || s[i++] !== "-") return false;
  const day = num(100);
  if (day === undefined) return false;
  if (separator !== "") {
    if (separator === " ") {
      // A space in a layout matches a run of spaces.
      if (s[i] !== " ") return false;
      while (s[i] === " ") i++;
    } else if (s[i++] !== separator) return false;
    if (num(24) === undefined || s[i++] !== ":" || num(60) === undefined) return false;
    if (s[i++] !== ":" || num(60) === undefined) return false;
    if ((s[i] === "." || s[i] === ",") && /[0-9]/.test(s[i + 1] ?? "")) {
      i++;
      while (/[0-9]/.test(s[i] ?? "")) i++;
    }
    if (separator !== " ") {
      if (s[i] === "Z") i++;
      else {
        const zone = /^[+-]([0-9]{2}):([0-9]{2})/.exec(s.slice(i));
        if (!zone || Number(zone[1]) > 24 || Number(zone[2]) > 60) return false;
        i += 6;
      }
    }
  }
  if (i !== s.length) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day >= 1 && day <= days;
}

function goTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  return (["T", "t", " ", ""] as const).some((separator) => goTime(s, separator));
}

const resolvedWords = new Set(
  [
    "true|True|TRUE|false|False|FALSE|~|null|Null|NULL",
    ".nan|.NaN|.NAN|.inf|.Inf|.INF|+.inf|+.Inf|+.INF|-.inf|-.Inf|-.INF",
  ].flatMap((l) => l.split("|")),
);
const oldBools = new Set("y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF".split("|"));
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Whether yaml.v3 prints `s` plain when the characters allow it: it reads back as this string. */
export function goPlainResolvesToString(s: string): boolean {
  if (s === "") return false;
  const c = s[0] ?? "";
  const digitOrSign = /[-+0-9]/.test(c);
  if (!digitOrSign && !/[yYnNtTfFoO~.]/.test(c)) return true;
  if (resolvedWords.has(s) || oldBools.has(s)) return false;
  if (digitOrSign && s.includes(":") && base60Float.test(s)) return false;
  if (c === ".")
    return !(
      underscoreOk(s) &&
      /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s.replaceAll("_", "")) &&
      finite(s.replaceAll("_", ""))
    );
  if (!digitOrSign) return true;
  if (goTimestamp(s)) return false;
  const plain = s.replaceAll("_", "");
  if (goParsesInt(plain, 0, true) || goParsesInt(plain, 0, false)) return false;
  if (yamlStyleFloat.test(plain) && finite(plain)) return false;
  if (plain.startsWith("0b"))
    return !(goParsesInt(plain.slice(2), 2, true) || goParsesInt(plain.slice(2), 2, false));
  if (plain.startsWith("-0b")) return !goParsesInt(`-${plain.slice(3)}`, 2, true);
  if (plain.startsWith("0o"))
    return !(goParsesInt(plain.slice(2), 8, true) || goParsesInt(plain.slice(2), 8, false));
  if (plain.startsWith("-0o")) return !goParsesInt(`-${plain.slice(3)}`, 8, true);
  return true;
}

// ---- The emitter's analysis of a scalar (emitterc.go analyze_scalar) ----

/** yaml.v3's is_printable, by code point: no control characters, no surrogates, no BOM, nothing above U+FFFF. */
function printable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}
function isBreak(c: number | undefined): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}
function isBlank(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09;
}

interface Analysis {
  multiline: boolean;
  plainAllowed: boolean;
  singleAllowed: boolean;
  blockAllowed: boolean;
}

/** Characters that cannot start a plain scalar: # , [ ] { } & * ! | > ' " % @ ` */
const firstIndicators = new Set(Array.from("#,[]{}&*!|>'\"%@`", (ch) => ch.charCodeAt(0)));

function analyze(cps: number[]): Analysis {
  if (cps.length === 0)
    return { multiline: false, plainAllowed: true, singleAllowed: true, blockAllowed: false };
  let indicators = false;
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leading = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const [c0, c1, c2] = cps;
  if (c0 === c1 && c1 === c2 && (c0 === 0x2d || c0 === 0x2e)) indicators = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as number;
    const next = cps[i + 1];
    const followedByWhitespace = next === undefined || isBlank(next);
    if (i === 0) {
      if (firstIndicators.has(c)) indicators = true;
      else if ((c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace) indicators = true;
    } else if ((c === 0x3a && followedByWhitespace) || (c === 0x23 && precededByWhitespace)) {
      indicators = true;
    }
    if (c === 0x09) tabs = true;
    else if (!printable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leading = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leading = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === 0;
  }
  const quotesOnly = breakSpace || spaceBreak || tabs || special;
  return {
    multiline: lineBreaks,
    plainAllowed: !(leading || trailingSpace || trailingBreak || quotesOnly || lineBreaks || indicators),
    singleAllowed: !quotesOnly,
    blockAllowed: !(trailingSpace || spaceBreak || special),
  };
}

// ---- Writing scalars ----

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, "0");
}

const shortEscapes = new Map<number, string>([
  [0x00, "0"],
  [0x07, "a"],
  [0x08, "b"],
  [0x09, "t"],
  [0x0a, "n"],
  [0x0b, "v"],
  [0x0c, "f"],
  [0x0d, "r"],
  [0x1b, "e"],
  [0x22, '"'],
  [0x5c, "\\"],
  [0x85, "N"],
  [0xa0, "_"],
  [0x2028, "L"],
  [0x2029, "P"],
]);

function doubleQuoted(cps: number[]): string {
  // yaml.v3 checks for a byte-order mark at the start of the string for every character: after one, all
  // characters are escaped.
  const all = cps[0] === 0xfeff;
  let out = '"';
  for (const c of cps) {
    if (all || !printable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
      const short = shortEscapes.get(c);
      if (short !== undefined) out += `\\${short}`;
      else if (c <= 0xff) out += `\\x${hex(c, 2)}`;
      else if (c <= 0xffff) out += `\\u${hex(c, 4)}`;
      else out += `\\U${hex(c, 8)}`;
    } else out += String.fromCodePoint(c);
  }
  return `${out}"`;
}

/** Single quotes; a break (only LS or PS get here) is written as is, and the next line indented. */
function singleQuoted(cps: number[], indent: string): string {
  let out = "'";
  let breaks = false;
  let column = 0;
  for (const c of cps) {
    if (c === 0x20) {
      out += " ";
      column++;
    } else if (isBreak(c)) {
      out += String.fromCodePoint(c);
      breaks = true;
      column = 0;
    } else {
      if (breaks && column < indent.length) out += indent.slice(column);
      breaks = false;
      column = indent.length + 1;
      out += c === 0x27 ? "''" : String.fromCodePoint(c);
    }
  }
  return `${out}'`;
}

/** A literal block: the header (after `lead`), then the lines at `indent`; empty lines stay empty. */
function literal(cps: number[], indent: string): string {
  let header = "|";
  if (cps[0] === 0x20 || isBreak(cps[0])) header += "2";
  const last = cps.length - 1;
  if (!isBreak(cps[last])) header += "-";
  else if (last === 0 || isBreak(cps[last - 1])) header += "+";
  // yaml.v3 lets a leading line feed end the header line, which loses it; here the header has its own.
  let out = `${header}\n`;
  let breaks = true;
  for (const c of cps) {
    if (isBreak(c)) {
      out += String.fromCodePoint(c);
      breaks = true;
    } else {
      if (breaks) out += indent;
      breaks = false;
      out += String.fromCodePoint(c);
    }
  }
  return breaks ? out : `${out}\n`;
}

type Style = "plain" | "single" | "double" | "literal";

/** The style yaml.v3 picks for a string value (or a key, `simpleKey`). */
function style(s: string, a: Analysis, simpleKey: boolean): Style {
  let chosen: Style = s.includes("\n") ? "literal" : goPlainResolvesToString(s) ? "plain" : "double";
  if (simpleKey && a.multiline) chosen = "double";
  if (chosen === "plain" && (!a.plainAllowed || (s === "" && simpleKey))) chosen = "single";
  if (chosen === "single" && !a.singleAllowed) chosen = "double";
  if (chosen === "literal" && (!a.blockAllowed || simpleKey)) chosen = "double";
  return chosen;
}

/** Text that is plain unless it is a YAML word (a fast path for names and most values). */
const simpleText = /^[A-Za-z_/][\w./=@%+-]*$/;

/** A string scalar; `indent` is where a literal block's lines go (then it ends with a line break). */
function stringScalar(s: string, indent: string, simpleKey = false): string {
  if (simpleText.test(s)) return resolvedWords.has(s) || oldBools.has(s) ? `"${s}"` : s;
  const cps = codePoints(s);
  const a = analyze(cps);
  switch (style(s, a, simpleKey)) {
    case "plain":
      return s;
    case "single":
      return singleQuoted(cps, indent);
    case "literal":
      return literal(cps, indent);
    default:
      return doubleQuoted(cps);
  }
}

// ---- yaml.v3's order of map keys (sorter.go keyList.Less, for string keys) ----

const letter = /\p{L}/u;
const digit = /\p{Nd}/u;
function isLetter(c: number): boolean {
  return c < 0x80
    ? (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    : letter.test(String.fromCodePoint(c));
}
function isDigit(c: number | undefined): boolean {
  if (c === undefined) return false;
  return c < 0x80 ? c >= 0x30 && c <= 0x39 : digit.test(String.fromCodePoint(c));
}

/** A run of digits read as Go does (value minus '0', wrapping at 64 bits); returns the value and the end. */
function digitRun(r: number[], from: number, start: number): [number | bigint, number] {
  let end = from;
  while (end < r.length && isDigit(r[end])) end++;
  if (end - from < 15) {
    // Exact as a number: no wrapping this short.
    let n = start;
    for (let i = from; i < end; i++) n = n * 10 + ((r[i] as number) - 0x30);
    return [n, end];
  }
  let n = BigInt(start);
  for (let i = from; i < end; i++) n = BigInt.asIntN(64, n * 10n + BigInt((r[i] as number) - 0x30));
  return [n, end];
}

/**
 * yaml.v3's order of two string keys: letters compare by code point, runs of digits by value, other
 * characters before letters (after them right behind a digit).
 */
export function goKeyLess(a: string, b: string): boolean {
  return a !== b && lessCodePoints(codePoints(a), codePoints(b));
}

function codePoints(s: string): number[] {
  const out = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return Array.from(s, (ch) => ch.codePointAt(0) as number);
    out[i] = c;
  }
  return out;
}

function lessCodePoints(ar: number[], br: number[]): boolean {
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as number;
    const bc = br[i] as number;
    if (ac === bc) {
      digits = isDigit(ac);
      continue;
    }
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return digits ? al : bl;
    let start = 0;
    if (ac === 0x30 || bc === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          start = 1;
          break;
        }
      }
    }
    const [an, ai] = digitRun(ar, i, start);
    const [bn, bi] = digitRun(br, i, start);
    if (typeof an !== typeof bn) {
      const [x, y] = [BigInt(an), BigInt(bn)];
      if (x !== y) return x < y;
    } else if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

export function goKeyCompare(a: string, b: string): number {
  return goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0;
}

// ---- The document ----

function number(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Number.POSITIVE_INFINITY) return ".inf";
  if (n === Number.NEGATIVE_INFINITY) return "-.inf";
  if (n === 0 && 1 / n < 0) return "-0";
  return String(n);
}

/** A mapping to print: a Map (a Go struct: in its order) or a plain object (a Go map: sorted). */
type Mapping = Map<string, unknown> | Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  if (value instanceof Map) return true;
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof YamlTime);
}

/** Whether a value is skipped as a mapping entry (like JSON.stringify does). */
function skipped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function entries(m: Mapping): [string, unknown][] {
  if (m instanceof Map) return [...m].filter(([, v]) => !skipped(v));
  return Object.keys(m)
    .filter((k) => !skipped(m[k]))
    .map((k): [string, number[]] => [k, codePoints(k)])
    .sort(([, a], [, b]) => (lessCodePoints(a, b) ? -1 : lessCodePoints(b, a) ? 1 : 0))
    .map(([k]) => [k, m[k]]);
}

class Emitter {
  out = "";

  /**
   * Writes a value that follows `key:`, `? `, `:` or `-` on the current line. `indent` is the column of that
   * indicator; nested block content goes 2 spaces deeper. `sameLine` says a nested mapping or sequence
   * starts on the same line (after `- `, `? ` and an explicit `:`); after a key it starts on the next line.
   */
  value(v: unknown, indent: string, sameLine: boolean): void {
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) this.out += " []\n";
      else if (sameLine) {
        this.out += " ";
        this.sequence(v, inner, "");
      } else {
        this.out += "\n";
        this.sequence(v, inner, inner);
      }
    } else if (isMapping(v)) {
      const list = entries(v);
      if (list.length === 0) this.out += " {}\n";
      else if (sameLine) {
        this.out += " ";
        this.mapping(list, inner, "");
      } else {
        this.out += "\n";
        this.mapping(list, inner, inner);
      }
    } else {
      const text = typeof v === "string" ? stringScalar(v, inner) : scalar(v);
      this.out += endsWithBreak(text) ? ` ${text}` : ` ${text}\n`;
    }
  }

  /** `indent` for every line; `firstPrefix` replaces it on the first line (empty after `- `). */
  mapping(list: [string, unknown][], indent: string, firstPrefix: string): void {
    let prefix = firstPrefix;
    for (const [key, v] of list) {
      const simple = key.length <= maxSimpleKey && simpleText.test(key);
      if (!simple && (analyze(codePoints(key)).multiline || Buffer.byteLength(key) > maxSimpleKey)) {
        this.out += `${prefix}?`;
        this.value(key, indent, true);
        this.out += `${indent}:`;
        this.value(v, indent, true);
      } else {
        this.out += `${prefix}${stringScalar(key, `${indent}  `, true)}:`;
        this.value(v, indent, false);
      }
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
}

/** A literal block ends with its last line break (a line feed, or LS or PS written as they are). */
function endsWithBreak(text: string): boolean {
  return /[\n\u2028\u2029]$/.test(text);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return number(v);
  if (typeof v === "bigint") return String(v);
  // A time is printed plain, so that it reads back as a time (yaml.v3 prints time.Time so).
  if (v instanceof YamlTime) return v.text;
  return stringScalar(String(v), "  ");
}

/**
 * YAML text for a JSON-like value, ending with a line break. Plain objects are printed with their keys in
 * yaml.v3's order, Maps in their own; entries whose value is undefined are left out, and undefined in a
 * sequence is printed as null, like JSON.
 */
export function emitYaml(value: unknown): string {
  const e = new Emitter();
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]\n";
    e.sequence(value, "", "");
  } else if (isMapping(value)) {
    const list = entries(value);
    if (list.length === 0) return "{}\n";
    e.mapping(list, "", "");
  } else {
    const text = typeof value === "string" ? stringScalar(value, "  ") : scalar(value);
    return endsWithBreak(text) ? text : `${text}\n`;
  }
  return e.out;
}

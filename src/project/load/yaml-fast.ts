// A fast reader for the YAML that compose files are made of: one document of block mappings and sequences,
// plain and quoted one-line scalars, flow collections (over several lines too, broken only between their
// items), literal and folded block scalars, comments,
// anchors, aliases and tags. It builds the same tree as the `yaml` package's path in ./yaml.ts, several times
// faster, because a cold start of that package's parser dominated `config` on large files.
//
// It reads only what it is sure of. Anything outside that subset, and anything that may be an error
// (a tab where indentation is, a plain scalar over two lines, a second document, a directive, a comment or
// an empty line inside a flow collection, an explicit indentation indicator …), returns undefined, and the caller reads
// the text with the `yaml` package instead, which also reports errors with their positions. So this module
// never reports an error of its own: what it accepts, the package reads to the same tree (a property test
// in test/unit/load/yaml-fast.test.ts holds it to that).
import { maxDepth } from "./depth.js";
import type { AliasNode, MapNode, ScalarNode, SeqNode, TreeNode } from "./yaml-tree.js";

const coreTag = "tag:yaml.org,2002:";

/** Thrown (never escapes this module) when the text leaves the subset. */
const outside = Symbol("outside the fast subset");

interface Line {
  /** Offset of the line's first character in the text. */
  start: number;
  text: string;
  /** Leading spaces. */
  indent: number;
  /** Nothing but spaces, or a comment. */
  blank: boolean;
}

/** Characters no plain scalar may start with (YAML's indicators). */
const indicatorStart = new Set([..."-?:,[]{}#&*!|>'\"%@`"]);
/** Characters that end a plain scalar or key inside a flow collection. */
const flowStop = new Set([..."[]{},"]);
/** Control characters and the YAML 1.1 line breaks (NEL, LS, PS), which the readers treat differently. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const unusual = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u2028\u2029\ufeff]/;

export function parseFast(text: string): TreeNode | null | undefined {
  if (unusual.test(text)) return undefined;
  try {
    return new FastReader(text).document();
  } catch (e) {
    if (e === outside) return undefined;
    throw e;
  }
}

function out(): never {
  throw outside;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  // The text after a final line break is no line (else a `|+` block at the end would keep one newline more).
  const end = text.endsWith("\n") ? text.length - 1 : text.length;
  while (start <= end) {
    let stop = text.indexOf("\n", start);
    if (stop === -1) stop = text.length;
    let line = text.slice(start, stop);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.includes("\r")) out();
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    const blank = indent === line.length || line.charCodeAt(indent) === 35; /* # */
    lines.push({ start, text: line, indent, blank });
    start = stop + 1;
  }
  return lines;
}

class FastReader {
  private readonly lines: Line[];
  /** The line being read. */
  private li = 0;
  private readonly anchors = new Map<string, TreeNode>();
  /** Collections open; deeper nesting than ./depth.ts allows is left to the package's path, which refuses it. */
  private depth = 0;

  constructor(private readonly source: string) {
    this.lines = splitLines(source);
  }

  document(): TreeNode | null {
    let first = 0;
    while (first < this.lines.length && (this.lines[first] as Line).blank) first++;
    // A `---` before the only document is allowed; any other marker or directive is left to the package.
    if (/^--- *(#.*)?$/.test(this.lines[first]?.text ?? "")) first++;
    this.li = this.nextContent(first);
    const line = this.lines[this.li];
    if (!line) return null;
    if (line.indent !== 0) out();
    const root = this.node(0, -1, true);
    if (this.nextContent(this.li) < this.lines.length) out();
    return root;
  }

  /** The next line at or after `from` that has content (lines.length at the end). */
  private nextContent(from: number): number {
    let i = from;
    while (i < this.lines.length) {
      const line = this.lines[i] as Line;
      if (!line.blank) {
        if (line.indent === 0 && (line.text.startsWith("---") || line.text.startsWith("..."))) out();
        if (line.indent === 0 && line.text.startsWith("%")) out();
        return i;
      }
      // yaml.v3 refuses a tab before a comment where a line may start a key: left to ./yaml-lenient.ts.
      if (line.text.includes("\t") && !line.text.startsWith("#", line.indent)) out();
      i++;
    }
    return i;
  }

  private line(): Line {
    return this.lines[this.li] ?? out();
  }

  /**
   * The node whose content starts at column `col` of the current line, inside a block at `parentIndent`.
   * `compact`: a block sequence or mapping may start here on the same line (after `- `, or at a line's start).
   */
  private node(col: number, parentIndent: number, compact: boolean): TreeNode {
    const line = this.line();
    const text = line.text;
    if (text.includes("\t")) out();
    if (isSeqIndicator(text, col)) return compact ? this.sequence(col) : out();
    if (compact && keyAt(text, col)) return this.mapping(col);
    const ch = text.charAt(col);
    if (ch === "&" || ch === "!") return this.withProperties(col, parentIndent);
    return this.inline(col, parentIndent);
  }

  private mapping(col: number): MapNode {
    if (++this.depth > maxDepth) out();
    const map: MapNode = { kind: "map", offset: this.offset(col), pairs: [] };
    for (;;) {
      const line = this.line();
      if (line.text.includes("\t")) out();
      const key = keyAt(line.text, col) ?? out();
      const keyNode: ScalarNode = { kind: "scalar", offset: this.offset(col), ...key.scalar };
      const valueCol = skipSpaces(line.text, key.end + 1);
      const value = atEnd(line.text, valueCol) ? this.indented(col, true) : this.node(valueCol, col, false);
      map.pairs.push({ key: keyNode, value });
      const next = this.nextContent(this.li);
      const nextLine = this.lines[next];
      if (!nextLine || nextLine.indent < col) {
        this.li = next;
        this.depth--;
        return map;
      }
      if (nextLine.indent > col || isSeqIndicator(nextLine.text, col)) out();
      this.li = next;
    }
  }

  private sequence(col: number): SeqNode {
    if (++this.depth > maxDepth) out();
    const seq: SeqNode = { kind: "seq", offset: this.offset(col), items: [] };
    for (;;) {
      const text = this.line().text;
      const itemCol = skipSpaces(text, col + 1);
      seq.items.push(atEnd(text, itemCol) ? this.indented(col, false) : this.node(itemCol, col, true));
      const next = this.nextContent(this.li);
      const nextLine = this.lines[next];
      if (
        !nextLine ||
        nextLine.indent < col ||
        (nextLine.indent === col && !isSeqIndicator(nextLine.text, col))
      ) {
        this.li = next;
        this.depth--;
        return seq;
      }
      if (nextLine.indent > col) out();
      this.li = next;
    }
  }

  /**
   * A value that starts on the lines after the current one (nothing after `key:` or `-`): a block node
   * indented deeper than its parent, a sequence at the parent mapping's own indentation, or nothing (null).
   */
  private indented(parentIndent: number, sameIndentSequence: boolean): TreeNode {
    const here = this.offset(this.line().text.length);
    const next = this.nextContent(this.li + 1);
    const line = this.lines[next];
    if (line && line.indent > parentIndent) {
      this.li = next;
      return this.node(line.indent, parentIndent, true);
    }
    if (
      line &&
      sameIndentSequence &&
      line.indent === parentIndent &&
      isSeqIndicator(line.text, line.indent)
    ) {
      this.li = next;
      return this.sequence(line.indent);
    }
    this.li = next;
    return { kind: "scalar", offset: here, text: "", plain: true };
  }

  /** `&anchor` and `!tag` before a node. */
  private withProperties(col: number, parentIndent: number): TreeNode {
    const text = this.line().text;
    let c = col;
    let anchor: string | undefined;
    let tag: string | undefined;
    while (text.charAt(c) === "&" || text.charAt(c) === "!") {
      const end = tokenEnd(text, c);
      const token = text.slice(c, end);
      if (token.startsWith("&")) {
        if (anchor !== undefined || !/^&[A-Za-z0-9_-]+$/.test(token)) out();
        anchor = token.slice(1);
      } else {
        if (tag !== undefined) out();
        tag = resolveTag(token);
      }
      c = skipSpaces(text, end);
      if (c === end && !atEnd(text, c)) out();
    }
    if (anchor !== undefined && this.anchors.has(anchor)) out();
    let node: TreeNode;
    if (atEnd(text, c)) {
      node = this.indented(parentIndent, false);
    } else {
      if (isSeqIndicator(text, c) || keyAt(text, c)) out();
      const ch = text.charAt(c);
      if (ch === "*" || ch === "&" || ch === "!") out();
      node = this.inline(c, parentIndent);
    }
    if (node.kind === "alias" || (node.tag !== undefined && tag !== undefined)) out();
    if (tag !== undefined) node.tag = tag;
    if (anchor !== undefined) {
      // Redefined anchors (the same name inside) are left to the package, which knows which one an alias means.
      if (this.anchors.has(anchor)) out();
      this.anchors.set(anchor, node);
    }
    return node;
  }

  /** A node that ends on this line (or a block scalar, whose header is on it). */
  private inline(col: number, parentIndent: number): TreeNode {
    let text = this.line().text;
    const ch = text.charAt(col);
    const offset = this.offset(col);
    let node: TreeNode;
    let end: number;
    if (ch === "*") {
      end = tokenEnd(text, col);
      const name = text.slice(col + 1, end);
      if (!/^[A-Za-z0-9_-]+$/.test(name)) out();
      const alias: AliasNode = { kind: "alias", offset, name, target: this.anchors.get(name) };
      node = alias;
    } else if (ch === '"' || ch === "'") {
      const quoted = ch === '"' ? doubleQuoted(text, col) : singleQuoted(text, col);
      node = { kind: "scalar", offset, text: quoted.value, plain: false };
      end = quoted.end;
    } else if (ch === "[" || ch === "{") {
      // Read in the whole text: the collection may close on a later line, where reading goes on.
      const flow = new FlowReader(this.source, parentIndent, this.anchors, this.depth).collection(offset);
      node = flow.node;
      while (flow.end > this.line().start + this.line().text.length) this.li++;
      text = this.line().text;
      end = flow.end - this.line().start;
    } else if (ch === "|" || ch === ">") {
      return this.blockScalar(col, parentIndent);
    } else {
      const plain = plainScalar(text, col);
      node = { kind: "scalar", offset, text: plain.value, plain: true };
      end = plain.end;
    }
    if (!atEnd(text, skipSpaces(text, end)) || (end < text.length && text.charAt(end) !== " ")) out();
    this.li++;
    return node;
  }

  /** `|` or `>` with an optional chomping indicator; content lines follow, indented deeper than the parent. */
  private blockScalar(col: number, parentIndent: number): ScalarNode {
    const header = this.line().text;
    const offset = this.offset(col);
    const m = /^([|>])([+-]?)( +#.*| *)$/.exec(header.slice(col));
    if (!m) out();
    const folded = m[1] === ">";
    const chomp = m[2];
    const body: string[] = [];
    let indent = -1;
    let i = this.li + 1;
    for (; i < this.lines.length; i++) {
      const line = this.lines[i] as Line;
      const spacesOnly = line.indent === line.text.length;
      if (spacesOnly) {
        if (indent !== -1 && line.text.length > indent) out();
        body.push("");
        continue;
      }
      // yaml.v3 refuses a tab right after the leading spaces while the indentation is not yet known.
      if (indent === -1 && line.text[line.indent] === "\t") out();
      if (indent === -1) {
        if (line.indent <= parentIndent) break;
        indent = line.indent;
        if (body.some((b, k) => (this.lines[this.li + 1 + k]?.text.length ?? 0) > indent && b === "")) out();
      }
      if (line.indent < indent) break;
      const content = line.text.slice(indent);
      if (folded && (content.startsWith(" ") || content.startsWith("\t"))) out();
      body.push(content);
    }
    if (indent === -1) out();
    if (i === this.lines.length && !this.source.endsWith("\n")) out();
    // Lines after the last content line are trailing empty lines (for chomping), not content.
    let last = body.length - 1;
    while (last >= 0 && body[last] === "") last--;
    const trailing = body.length - 1 - last;
    const content = body.slice(0, last + 1);
    let value = folded ? fold(content) : content.join("\n");
    if (chomp === "") value += "\n";
    else if (chomp === "+") value += "\n".repeat(1 + trailing);
    // Trailing empty lines belong to this scalar (for chomping); the reader goes on at the line that ended it.
    this.li = i;
    return { kind: "scalar", offset, text: value, plain: false };
  }

  private offset(col: number): number {
    return this.line().start + col;
  }
}

/** Folded content: a line break between two text lines is a space; each empty line between is a newline. */
function fold(lines: string[]): string {
  let value = "";
  let empties = 0;
  let started = false;
  for (const line of lines) {
    if (line === "") {
      empties++;
      continue;
    }
    if (started) value += empties > 0 ? "\n".repeat(empties) : " ";
    else value += "\n".repeat(empties);
    value += line;
    empties = 0;
    started = true;
  }
  return value;
}

function isSeqIndicator(text: string, col: number): boolean {
  return text.charAt(col) === "-" && (col + 1 === text.length || text.charAt(col + 1) === " ");
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

/** Nothing but a comment (or nothing) from `col` on. */
function atEnd(text: string, col: number): boolean {
  return col >= text.length || text.charAt(col) === "#";
}

function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charAt(i) !== " ") i++;
  return i;
}

function resolveTag(token: string): string {
  if (token === "!") return "!";
  if (/^!![A-Za-z]+$/.test(token)) return coreTag + token.slice(2);
  if (/^![A-Za-z][A-Za-z0-9_-]*$/.test(token)) return token;
  return out();
}

interface KeyAt {
  scalar: { text: string; plain: boolean };
  /** Column of the `:`. */
  end: number;
}

/** A block mapping key at `col` (`key:` then a space or the end of the line), else undefined. */
function keyAt(text: string, col: number): KeyAt | undefined {
  const key = keyAtAnyLength(text, col);
  // yaml.v3 refuses a key whose `:` is over 1024 characters after its start (./yaml-lenient.ts says so).
  if (key && key.end - col > 1024) out();
  return key;
}

function keyAtAnyLength(text: string, col: number): KeyAt | undefined {
  const ch = text.charAt(col);
  if (ch === '"' || ch === "'") {
    const quoted = ch === '"' ? tryQuoted(doubleQuoted, text, col) : tryQuoted(singleQuoted, text, col);
    if (!quoted) return undefined;
    const colon = skipSpaces(text, quoted.end);
    if (text.charAt(colon) !== ":") return undefined;
    if (colon + 1 < text.length && text.charAt(colon + 1) !== " ") out();
    return { scalar: { text: quoted.value, plain: false }, end: colon };
  }
  // A flow collection is a value here; as a key (`[a]: b`) it fails the end-of-line check after it.
  if (ch === "[" || ch === "{") return undefined;
  if (ch === "?" || ch === "&" || ch === "!" || ch === "*") {
    // Complex keys and keys with properties or aliases are left to the package.
    if (ch === "?" || /:( |$)/.test(text.slice(col))) out();
    return undefined;
  }
  for (let i = col; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === ":" && (i + 1 === text.length || text.charAt(i + 1) === " ")) {
      const key = text.slice(col, i).trimEnd();
      if (key === "" || !validPlainStart(key)) out();
      return { scalar: { text: key, plain: true }, end: i };
    }
    if (c === "#" && text.charAt(i - 1) === " ") return undefined;
  }
  return undefined;
}

function tryQuoted(
  read: (text: string, col: number) => { value: string; end: number },
  text: string,
  col: number,
): { value: string; end: number } | undefined {
  try {
    return read(text, col);
  } catch (e) {
    if (e === outside) return undefined;
    throw e;
  }
}

function validPlainStart(value: string): boolean {
  const first = value.charAt(0);
  if (!indicatorStart.has(first)) return true;
  // `-`, `?` and `:` may start a plain scalar when a non-space follows.
  return (first === "-" || first === "?" || first === ":") && value.length > 1 && value.charAt(1) !== " ";
}

/** A plain scalar in block context, to the end of the line or a comment. */
function plainScalar(text: string, col: number): { value: string; end: number } {
  let end = text.length;
  for (let i = col; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === "#" && text.charAt(i - 1) === " ") {
      end = i;
      break;
    }
    // `key: a: b` is an error; leave it to the package.
    if (c === ":" && (i + 1 === text.length || text.charAt(i + 1) === " ")) out();
  }
  const value = text.slice(col, end).trimEnd();
  if (!validPlainStart(value)) out();
  return { value, end: col + value.length };
}

function singleQuoted(text: string, col: number): { value: string; end: number } {
  let value = "";
  let i = col + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close === -1) out();
    value += text.slice(i, close);
    if (text.charAt(close + 1) === "'") {
      value += "'";
      i = close + 2;
      continue;
    }
    return { value, end: close + 1 };
  }
}

const simpleEscapes: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};
const hexEscapes: Record<string, number> = { x: 2, u: 4, U: 8 };

function doubleQuoted(text: string, col: number): { value: string; end: number } {
  let value = "";
  let i = col + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    const slash = text.indexOf("\\", i);
    if (quote === -1) out();
    if (slash === -1 || quote < slash) {
      value += text.slice(i, quote);
      return { value, end: quote + 1 };
    }
    value += text.slice(i, slash);
    const e = text.charAt(slash + 1);
    const simple = simpleEscapes[e];
    if (simple !== undefined) {
      value += simple;
      i = slash + 2;
      continue;
    }
    const width = hexEscapes[e];
    if (width === undefined) out();
    const hex = text.slice(slash + 2, slash + 2 + width);
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) out();
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) out();
    value += String.fromCodePoint(code);
    i = slash + 2 + width;
  }
}

/**
 * A flow collection, at an offset of the whole text. It may go on over several lines, broken only right after
 * its opening bracket or a comma, or right before its closing bracket; each further line indented deeper than
 * the block the collection is in (a closing bracket as deep as it), with no tab, comment or empty line (those
 * are left to the package).
 */
class FlowReader {
  constructor(
    private readonly text: string,
    /** The indentation of the block the collection is a value in: its further lines must be deeper. */
    private readonly blockIndent: number,
    private readonly anchors: ReadonlyMap<string, TreeNode>,
    /** Collections open (./depth.ts). */
    private depth: number,
  ) {}

  collection(col: number): { node: MapNode | SeqNode; end: number } {
    if (++this.depth > maxDepth) out();
    const made = this.text.charAt(col) === "[" ? this.sequence(col) : this.mapping(col);
    this.depth--;
    return made;
  }

  private sequence(col: number): { node: SeqNode; end: number } {
    const node: SeqNode = { kind: "seq", offset: col, items: [] };
    let i = this.gap(col + 1);
    for (;;) {
      if (this.text.charAt(i) === "]") return { node, end: i + 1 };
      const item = this.item(i);
      node.items.push(item.node);
      i = this.gap(item.end);
      const c = this.text.charAt(i);
      if (c === ",") i = this.gap(i + 1);
      else if (c !== "]") out();
    }
  }

  private mapping(col: number): { node: MapNode; end: number } {
    const node: MapNode = { kind: "map", offset: col, pairs: [] };
    let i = this.gap(col + 1);
    for (;;) {
      if (this.text.charAt(i) === "}") return { node, end: i + 1 };
      const key = this.scalar(i);
      if (!key) out();
      const keyStart = i;
      i = skipSpaces(this.text, key.end);
      if (this.text.charAt(i) !== ":" || this.text.charAt(i + 1) !== " " || i - keyStart > 1024) out();
      i = skipSpaces(this.text, i + 1);
      let value: TreeNode;
      const c = this.text.charAt(i);
      if (c === "," || c === "}") {
        value = { kind: "scalar", offset: i, text: "", plain: true };
      } else {
        const item = this.item(i);
        value = item.node;
        i = item.end;
      }
      node.pairs.push({ key: key.node, value });
      i = this.gap(i);
      const next = this.text.charAt(i);
      if (next === ",") i = this.gap(i + 1);
      else if (next !== "}") out();
    }
  }

  /** Past the spaces from `i`, and past line breaks to the next line's content where the subset allows. */
  private gap(from: number): number {
    let i = skipSpaces(this.text, from);
    while (this.text.charAt(i) === "\n") {
      const start = i + 1;
      let lineEnd = this.text.indexOf("\n", start);
      if (lineEnd === -1) lineEnd = this.text.length;
      const line = this.text.slice(start, lineEnd);
      i = skipSpaces(this.text, start);
      const c = this.text.charAt(i);
      // A closing bracket may stand where the block's keys do (`command: [` … `]` under `command`).
      const indent = i - start;
      const closing = c === "]" || c === "}";
      if (indent < this.blockIndent || (indent === this.blockIndent && !closing)) out();
      if (i === lineEnd || c === "#" || line.includes("\t") || line.includes("\r")) out();
    }
    return i;
  }

  private item(i: number): { node: TreeNode; end: number } {
    const c = this.text.charAt(i);
    if (c === "[" || c === "{") return this.collection(i);
    if (c === "*") return this.alias(i);
    const scalar = this.scalar(i) ?? out();
    // `[a: b]` (a one-pair mapping in a sequence) is left to the package.
    if (this.text.charAt(skipSpaces(this.text, scalar.end)) === ":") out();
    return scalar;
  }

  /** `*name` (as in `<<: [*a, *b]`): the name ends at a space, a comma or a closing bracket. */
  private alias(i: number): { node: AliasNode; end: number } {
    let end = i + 1;
    while (end < this.text.length && /[A-Za-z0-9_-]/.test(this.text.charAt(end))) end++;
    const name = this.text.slice(i + 1, end);
    const after = this.text.charAt(end);
    if (name === "" || (after !== "" && after !== " " && after !== "\n" && !flowStop.has(after))) out();
    const node: AliasNode = {
      kind: "alias",
      offset: i,
      name,
      target: this.anchors.get(name),
    };
    return { node, end };
  }

  private scalar(i: number): { node: ScalarNode; end: number } | undefined {
    const c = this.text.charAt(i);
    const offset = i;
    if (c === '"' || c === "'") {
      const q = c === '"' ? doubleQuoted(this.text, i) : singleQuoted(this.text, i);
      if (this.text.slice(i, q.end).includes("\n")) out();
      return { node: { kind: "scalar", offset, text: q.value, plain: false }, end: q.end };
    }
    let end = i;
    while (end < this.text.length) {
      const ch = this.text.charAt(end);
      if (flowStop.has(ch) || ch === "\n" || ch === "\r") break;
      if (ch === ":") {
        const after = this.text.charAt(end + 1);
        if (after === "" || after === " " || flowStop.has(after)) break;
      }
      if (ch === "#" && this.text.charAt(end - 1) === " ") out();
      end++;
    }
    const value = this.text.slice(i, end).trimEnd();
    // yaml.v3 reads `?` in a flow plain scalar as a key indicator (./yaml-lenient.ts).
    if (value === "" || !validPlainStart(value) || value.includes("?")) return out();
    return { node: { kind: "scalar", offset, text: value, plain: true }, end: i + value.length };
  }
}

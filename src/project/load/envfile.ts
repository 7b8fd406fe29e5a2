// Parses the text of a `.env` or `env_file` file the way docker compose v2.26 does. The rules below were
// learned from the reference binary; several are surprising and are kept on purpose (named where applied).
import type { Diagnostic } from "./diagnostics.js";
import { goQuote, isGoSpace, trimRightGoSpace } from "./gostrings.js";
import { type Lookup, substitute, templateErrorText, unsetVariableWarning } from "./interpolate.js";

export interface EnvAssignment {
  key: string;
  value: string;
  /** 1-based line where the statement starts. */
  line: number;
}

export interface EnvFileResult {
  /** Final values, in the order keys were first defined (a later assignment replaces the value). */
  variables: Map<string, string>;
  /** Every assignment in file order, to explain where a value came from. */
  assignments: EnvAssignment[];
  /** At most one: the reference stops at the first problem. `message` is the reference's text. */
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/**
 * Parses an env file. `lookup` answers for the environment around the file (the shell for `.env`; the
 * project environment for `env_file`): it serves `${VAR}` before the file's own earlier keys (the shell
 * wins) and gives bare `KEY` lines their value.
 */
export function parseEnvFile(file: string, text: string, lookup: Lookup): EnvFileResult {
  const parser = new EnvParser(file, text.startsWith("\ufeff") ? text.slice(1) : text, lookup);
  try {
    parser.run();
  } catch (e) {
    if (!(e instanceof EnvFailure)) throw e;
    parser.result.errors.push({ position: { file, ...e.at }, path: [], message: e.message });
  }
  return parser.result;
}

class EnvFailure extends Error {
  constructor(
    message: string,
    readonly at: { line: number; column: number },
  ) {
    super(message);
  }
}

// The reference's own "space" inside a statement: Go spaces except the newline (and the rarer Unicode
// spaces), so `A=` followed by a newline is an empty value, never the next line.
const inlineSpaces = new Set(["\t", "\v", "\f", "\r", " ", "\u0085", "\u00a0"]);
const keyPunctuation = new Set(["_", ".", "-", "[", "]"]);
const letterOrNumber = /^[\p{L}\p{N}]$/u;
// Go's regexp `^export\s+`: \s is [\t\n\f\r ] there (no \v).
const exportPrefix = /^export[\t\n\f\r ]/;

function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  return nl < 0 ? text : text.slice(0, nl);
}

function countNewlines(text: string): number {
  return text.split("\n").length - 1;
}

class EnvParser {
  readonly result: EnvFileResult = { variables: new Map(), assignments: [], errors: [], warnings: [] };
  private pos = 0;
  private line = 1;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly lookup: Lookup,
  ) {}

  run(): void {
    while (this.toStatementStart()) this.statement();
  }

  private column(offset: number): number {
    return offset - this.text.lastIndexOf("\n", offset - 1);
  }

  private at(offset: number, line = this.line): { line: number; column: number } {
    return { line, column: this.column(offset) };
  }

  /** Skips blank space and `#` comment lines; false at the end of the text. */
  private toStatementStart(): boolean {
    for (;;) {
      while (this.pos < this.text.length && isGoSpace(this.text[this.pos] ?? "")) {
        if (this.text[this.pos] === "\n") this.line++;
        this.pos++;
      }
      if (this.pos >= this.text.length) return false;
      if (this.text[this.pos] !== "#") return true;
      const nl = this.text.indexOf("\n", this.pos);
      this.pos = nl < 0 ? this.text.length : nl;
    }
  }

  private skipInlineSpace(): void {
    while (inlineSpaces.has(this.text[this.pos] ?? "")) this.pos++;
  }

  private statement(): void {
    const line = this.line;
    if (exportPrefix.test(this.text.slice(this.pos, this.pos + 7))) {
      this.pos += "export".length;
      this.skipInlineSpace();
    }
    const { key, inherited } = this.key();
    if (inherited) {
      const value = this.lookup(key);
      if (value !== undefined) this.assign(key, value, line);
      return;
    }
    this.skipInlineSpace();
    const valueAt = this.at(this.pos);
    const first = this.text[this.pos];
    const quote = first === '"' || first === "'" ? first : undefined;
    const raw = quote ? this.quoted(quote) : this.unquoted();
    this.assign(key, this.expand(raw, quote, valueAt), line);
  }

  /**
   * Reads up to `=` or `:` (both separate a value, YAML style) or a newline (a bare `KEY`, whose value
   * comes from `lookup`). Rule kept from the reference: a last line with no separator and no newline
   * becomes the key "" whose value is that text (`A` at the end of a file gives "" = "A").
   */
  private key(): { key: string; inherited: boolean } {
    const start = this.pos;
    for (let i = start; i < this.text.length; ) {
      const ch = String.fromCodePoint(this.text.codePointAt(i) ?? 0);
      const offset = i;
      i += ch.length;
      if (inlineSpaces.has(ch) || keyPunctuation.has(ch) || letterOrNumber.test(ch)) continue;
      if (ch === "=" || ch === ":" || ch === "\n") {
        this.pos = i;
        return this.checkedKey(start, offset, ch === "\n");
      }
      const name = goQuote(firstLine(this.text.slice(start)));
      throw new EnvFailure(
        `line ${this.line}: unexpected character ${goQuote(ch)} in variable name ${name}`,
        this.at(offset),
      );
    }
    return { key: "", inherited: false };
  }

  private checkedKey(start: number, end: number, inherited: boolean): { key: string; inherited: boolean } {
    const key = trimRightGoSpace(this.text.slice(start, end));
    if (key.includes(" "))
      throw new EnvFailure(`line ${this.line}: key cannot contain a space`, this.at(start));
    if (inherited) this.line++;
    return { key, inherited };
  }

  /** Unquoted: the rest of the line, cut at the first " #", right-trimmed. */
  private unquoted(): string {
    const nl = this.text.indexOf("\n", this.pos);
    const end = nl < 0 ? this.text.length : nl;
    let value = this.text.slice(this.pos, end);
    this.pos = nl < 0 ? end : end + 1;
    if (nl >= 0) this.line++;
    const comment = value.indexOf(" #");
    if (comment >= 0) value = value.slice(0, comment);
    return trimRightGoSpace(value);
  }

  /**
   * Quoted: up to the matching quote; a backslash always takes the next character with it (so `"a\\"`
   * ends after `\\`). Whatever follows the closing quote on the same line is read as further statements,
   * so `A="x" B=1` also sets B (rule kept from the reference).
   */
  private quoted(quote: string): string {
    const open = this.pos;
    let i = open + 1;
    while (i < this.text.length && this.text[i] !== quote) i += this.text[i] === "\\" ? 2 : 1;
    if (i >= this.text.length) {
      // The reference reports the line it reached: the end of the file.
      const line = this.line + countNewlines(this.text.slice(open));
      throw new EnvFailure(
        `line ${line}: unterminated quoted value ${firstLine(this.text.slice(open))}`,
        this.at(open),
      );
    }
    const inner = this.text.slice(open + 1, i);
    this.line += countNewlines(inner);
    this.pos = i + 1;
    return inner;
  }

  /** Single quotes: literal except `\'`. Double quotes: escapes, then interpolation. Unquoted: interpolation. */
  private expand(raw: string, quote: '"' | "'" | undefined, at: { line: number; column: number }): string {
    if (quote === "'") return raw.replaceAll("\\'", "'");
    const template = quote === '"' ? unescapeDoubleQuoted(raw) : raw;
    const s = substitute(template, (name) => this.lookup(name) ?? this.result.variables.get(name));
    const position = { file: this.file, ...at };
    for (const name of s.unset)
      this.result.warnings.push({ position, path: [], message: unsetVariableWarning(name) });
    if (s.error) throw new EnvFailure(templateErrorText(s.error), at);
    return s.value;
  }

  private assign(key: string, value: string, line: number): void {
    this.result.variables.set(key, value);
    this.result.assignments.push({ key, value, line });
  }
}

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  '"': '"',
  "\\": "\\",
  // `\$` becomes `$$`, which interpolation then reads as a literal `$`.
  $: "$$",
};

/**
 * The escapes the reference honours inside double quotes: \a \b \f \n \r \t \v \" \\ \$ and `\0` with up
 * to three digits, where `\0NNN` is the octal byte NNN (≤ 377) and any other `\0…` just loses its 0
 * (`\0` alone gives `\`). Every other backslash, including \' \x \u and \e, stays as written.
 */
export function unescapeDoubleQuoted(raw: string): string {
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] ?? "";
    const next = raw[i + 1] ?? "";
    if (ch !== "\\") {
      out += ch;
      i++;
    } else if (next === "0") {
      const digits = /^[0-9]{0,3}/.exec(raw.slice(i + 2))?.[0] ?? "";
      out += octalEscape(digits);
      i += 2 + digits.length;
    } else if (simpleEscapes[next] !== undefined) {
      out += simpleEscapes[next];
      i += 2;
    } else {
      out += "\\";
      i++;
    }
  }
  return out;
}

function octalEscape(digits: string): string {
  const code = Number.parseInt(digits, 8);
  return /^[0-7]{3}$/.test(digits) && code <= 0xff ? String.fromCharCode(code) : `\\${digits}`;
}

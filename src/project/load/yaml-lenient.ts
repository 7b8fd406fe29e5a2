// What Go's yaml.v3 (the reference's reader) accepts and the `yaml` package refuses or reads otherwise,
// rewritten into text the package reads the way yaml.v3 does. yaml.v3 does not check indentation inside
// flow collections nor on the continuation lines of quoted scalars, so clients write, for example
// (the devcontainers CLI's override file):
//     entrypoint: ["/bin/sh", "-c", "echo started\n
//   trap \"exit 0\" 15\n", "-"]
// Such lines get the indentation the package asks for: leading white space there is only separation (a
// quoted or flow plain scalar drops it), so the values do not change. Inside flow collections yaml.v3 also
// reads `?x` as the key indicator before `x` (a space is put after it) and a lone `-` as the text "-" (it is
// quoted); a `?` inside a plain scalar there ends the scalar, which is an error in every place (reported).
//
// Only white space is replaced and characters added, never lines: `original` maps an offset in the new text
// back to the given one, so errors keep their line:col.

export interface LenientText {
  text: string;
  /** The offset in the given text of an offset in `text`. */
  original: (offset: number) => number;
  /** Edits that change what the package reads (not only indentation): the new text must be read. */
  changesMeaning: boolean;
  /** What yaml.v3 refuses that the package reads (offsets in the given text). */
  problems: { offset: number; message: string }[];
}

interface Edit {
  /** Offset in the given text. */
  at: number;
  remove: number;
  insert: string;
}

const isBlank = (c: string) => c === " " || c === "\t";
const isFlowIndicator = (c: string) => c === "," || c === "[" || c === "]" || c === "{" || c === "}";
/** Blank, line end or the end of the text. */
const isBlankOrEnd = (c: string) => c === "" || c === " " || c === "\t" || c === "\n" || c === "\r";

/** The rewritten text, or undefined when nothing needs to change. */
export function lenientText(source: string): LenientText | undefined {
  const scan = new Scanner(source);
  scan.run();
  if (scan.edits.length === 0 && scan.problems.length === 0) return undefined;
  return applyEdits(source, scan.edits, scan.changesMeaning, scan.problems);
}

function applyEdits(
  source: string,
  edits: Edit[],
  changesMeaning: boolean,
  problems: LenientText["problems"],
): LenientText {
  let text = "";
  let from = 0;
  /** Per edit: where it starts in the new text, and the new text's offset just after it. */
  const newStarts: number[] = [];
  for (const edit of edits) {
    text += source.slice(from, edit.at);
    newStarts.push(text.length);
    text += edit.insert;
    from = edit.at + edit.remove;
  }
  text += source.slice(from);
  const original = (offset: number): number => {
    // The last edit that starts at or before the offset.
    let lo = 0;
    let hi = newStarts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((newStarts[mid] ?? 0) <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === -1) return offset;
    const edit = edits[found] as Edit;
    const start = newStarts[found] as number;
    const inside = offset - start;
    if (inside < edit.insert.length) return edit.at + Math.min(inside, edit.remove);
    return edit.at + edit.remove + (inside - edit.insert.length);
  };
  return { text, original, changesMeaning, problems };
}

class Scanner {
  readonly edits: Edit[] = [];
  readonly problems: LenientText["problems"] = [];
  changesMeaning = false;
  private i = 0;
  /** Nesting of flow collections. */
  private depth = 0;
  /** The quote of a quoted scalar that is still open at a line's end. */
  private quote = "";
  /** Where the last quoted scalar began. */
  private quoteStart = 0;
  /** Lines of a flow collection or quoted scalar that began in block context need this indentation. */
  private need = 0;
  /** Column of the innermost block node started on the current line. */
  private blockCol = 0;
  /** Block scalar content: lines indented deeper than this column (-1: none). */
  private blockScalarParent = -1;
  /** A plain scalar in block context ran to its line's end: deeper lines continue it (-1: none). */
  private plainParent = -1;
  /** A plain scalar ran to the previous line's end: the indentation its continuation lines need (-1: none). */
  private plainIndent = -1;
  /** The open flow collections' closing brackets, innermost last. */
  private closers = "";
  private lineStart = 0;

  constructor(private readonly s: string) {}

  run(): void {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    while (this.i < this.s.length) {
      this.lineStart = this.i;
      const end = this.lineEnd(this.i);
      this.line(end);
      this.i = end;
      // Past the line break.
      if (this.s.charAt(this.i) === "\r") this.i++;
      if (this.s.charAt(this.i) === "\n") this.i++;
      else if (this.i < this.s.length) this.i++;
    }
  }

  /** The offset of the line's end (before \r\n or \n). */
  private lineEnd(from: number): number {
    let nl = this.s.indexOf("\n", from);
    if (nl === -1) nl = this.s.length;
    return nl > from && this.s.charAt(nl - 1) === "\r" ? nl - 1 : nl;
  }

  private line(end: number): void {
    const s = this.s;
    const start = this.i;
    let spaces = 0;
    while (s.charAt(start + spaces) === " ") spaces++;
    let ws = start;
    while (isBlank(s.charAt(ws))) ws++;
    const blank = ws === end;
    if (this.blockScalarParent >= 0) {
      if (blank || spaces > this.blockScalarParent) return;
      this.blockScalarParent = -1;
    }
    if (this.quote === "") this.tabs(start, ws, blank);
    if (this.quote !== "" || this.depth > 0) {
      // A continuation line: its leading white space is separation only.
      const marker = /^(---|\.\.\.)([ \t\r\n]|$)/.test(s.slice(start, start + 4));
      const hasTab = s.slice(start, ws).includes("\t");
      if (blank) {
        if (hasTab) this.edits.push({ at: start, remove: ws - start, insert: "" });
        return;
      }
      if (!marker && (hasTab || ws - start < this.need))
        this.edits.push({ at: start, remove: ws - start, insert: " ".repeat(this.need) });
      let c = ws;
      if (this.quote !== "") {
        c = this.quoted(c, end, this.quote);
        if (this.quote !== "") return;
        this.quotedKey(c, end);
      }
      this.tokens(c, end);
      return;
    }
    // Block context.
    if (this.plainParent >= 0) {
      if (blank) return;
      if (s.charAt(ws) !== "#" && spaces > this.plainParent) return;
      this.plainParent = -1;
    }
    if (s.charAt(start) === "%") {
      const version = /^%YAML[ \t]+([0-9]+)\.([0-9]+)/.exec(s.slice(start, end));
      if (version && (version[1] !== "1" || version[2] !== "1"))
        this.refuse(start, "found incompatible YAML document (only %YAML 1.1 is read)");
      return;
    }
    const c = /^(---|\.\.\.)([ \t\r\n]|$)/.test(s.slice(start, start + 4)) ? start + 3 : ws;
    this.blockCol = c - start;
    this.tokens(c, end);
  }

  /**
   * yaml.v3's tabs in a line's leading white space (outside quoted scalars and block scalars): after a plain
   * scalar that ran to its line's end, a tab left of the scalar's indentation is refused (also on the empty
   * lines after it); else one is refused in block context, where a line may start a key.
   */
  private tabs(start: number, ws: number, blank: boolean): void {
    const tab = this.s.slice(start, ws).indexOf("\t");
    const plainIndent = this.plainIndent;
    if (!blank) this.plainIndent = -1;
    if (tab === -1) return;
    if (plainIndent >= 0) {
      if (tab < plainIndent) this.refuse(start + tab, "found a tab character that violates indentation");
    } else if (this.depth === 0) {
      this.refuse(start + tab, "found a tab character where indentation is expected (indent with spaces)");
    }
  }

  private refuse(offset: number, message: string): void {
    if (this.problems.length === 0) this.problems.push({ offset, message });
  }

  /** The tokens of a line from `c` (not inside a quoted scalar) to `end`. */
  private tokens(from: number, end: number): void {
    const s = this.s;
    let c = from;
    while (c < end) {
      const ch = s.charAt(c);
      const next = s.charAt(c + 1);
      if (isBlank(ch)) {
        c++;
        continue;
      }
      if (ch === "#" && (c === this.lineStart || isBlank(s.charAt(c - 1)))) return;
      if (ch === '"' || ch === "'") {
        if (this.depth === 0) this.need = this.blockCol + 1;
        this.quoteStart = c;
        c = this.quoted(c + 1, end, ch);
        if (this.quote !== "") return;
        this.quotedKey(c, end);
        continue;
      }
      if (ch === "[" || ch === "{") {
        if (this.depth === 0) this.need = this.blockCol + 1;
        this.depth++;
        this.closers += ch === "[" ? "]" : "}";
        c++;
        continue;
      }
      if (this.depth === 0) {
        c = this.blockToken(c, end);
        continue;
      }
      // Flow context.
      if (ch === "]" || ch === "}") {
        this.depth--;
        this.closers = this.closers.slice(0, -1);
        c++;
        continue;
      }
      if (ch === ",") {
        c++;
        continue;
      }
      if (ch === "?") {
        if (!isBlankOrEnd(next)) {
          this.edits.push({ at: c + 1, remove: 0, insert: " " });
          this.changesMeaning = true;
        }
        c++;
        continue;
      }
      if (ch === ":" && (isBlankOrEnd(next) || isFlowIndicator(next))) {
        c++;
        continue;
      }
      if (ch === "-" && isFlowIndicator(next)) {
        this.edits.push({ at: c, remove: 1, insert: '"-"' });
        this.changesMeaning = true;
        c++;
        continue;
      }
      if (ch === "&" || ch === "*") {
        c = this.anchor(c, end);
        continue;
      }
      if (ch === "!") {
        while (c < end && !isBlank(s.charAt(c)) && !isFlowIndicator(s.charAt(c))) c++;
        continue;
      }
      c = this.flowPlain(c, end);
    }
  }

  /** A plain scalar in a flow collection, to where it ends on this line. */
  private flowPlain(from: number, end: number): number {
    const s = this.s;
    let c = from + 1;
    while (c < end) {
      const ch = s.charAt(c);
      if (isFlowIndicator(ch)) return c;
      if (ch === ":" && (isBlankOrEnd(s.charAt(c + 1)) || isFlowIndicator(s.charAt(c + 1)))) {
        this.longKey(from, c);
        return c;
      }
      if (ch === "#" && isBlank(s.charAt(c - 1))) return c;
      if (ch === "?") {
        this.refuse(
          c,
          `did not find expected ',' or '${this.closers.slice(-1)}' (inside [ ] and { }, a '?' starts a key: quote the value)`,
        );
        return end;
      }
      c++;
    }
    this.plainIndent = this.need;
    return c;
  }

  /** A token in block context: an indicator, a key, a block scalar header or a plain scalar. */
  private blockToken(c: number, end: number): number {
    const s = this.s;
    const ch = s.charAt(c);
    const next = s.charAt(c + 1);
    if ((ch === "-" || ch === "?" || ch === ":") && isBlankOrEnd(next)) {
      // A tab may not follow `-`, `?` or a complex key's `:` (there a key may start; yaml.v3).
      const complex = ch !== ":" || c - this.lineStart === this.blockCol;
      let k = c + 1;
      while (k < end && isBlank(s.charAt(k))) k++;
      if (complex && s.slice(c + 1, k).includes("\t"))
        this.refuse(
          s.indexOf("\t", c + 1),
          "found character that cannot start any token (a tab after an indicator)",
        );
      if (complex) this.blockCol = c - this.lineStart;
      return c + 1;
    }
    if (ch === "|" || ch === ">") {
      this.blockScalarParent = this.blockCol;
      return end;
    }
    if (ch === "&" || ch === "*") return this.anchor(c, end);
    if (ch === "!") {
      let k = c;
      while (k < end && !isBlank(s.charAt(k))) k++;
      return k;
    }
    // A plain scalar or key: to `: `, ` #` or the line's end.
    let k = c + 1;
    while (k < end) {
      const x = s.charAt(k);
      if (x === ":" && isBlankOrEnd(s.charAt(k + 1))) {
        this.longKey(c, k);
        this.blockCol = c - this.lineStart;
        return k + 1;
      }
      if (x === "#" && isBlank(s.charAt(k - 1))) return k;
      k++;
    }
    this.plainParent = this.blockCol;
    this.plainIndent = this.blockCol + 1;
    return end;
  }

  /** yaml.v3 takes a key only where its `:` is at most 1024 characters after the key's start. */
  private longKey(start: number, colon: number): void {
    if (colon - start > 1024)
      this.refuse(
        start,
        "mapping values are not allowed in this context (a key is longer than 1024 characters)",
      );
  }

  /** After a quoted scalar that ended at `c`: a key must be on one line and not too long (yaml.v3). */
  private quotedKey(c: number, end: number): void {
    const s = this.s;
    let k = c;
    while (k < end && isBlank(s.charAt(k))) k++;
    if (s.charAt(k) !== ":") return;
    if (this.depth > 0 && s.slice(this.quoteStart, c).includes("\n"))
      this.refuse(
        this.quoteStart,
        `did not find expected ',' or '${this.closers.slice(-1)}' (a key must be on one line)`,
      );
    this.longKey(this.quoteStart, k);
  }

  /** `&name` or `*name`: yaml.v3 allows letters, digits, `_` and `-` in the name. */
  private anchor(c: number, end: number): number {
    const s = this.s;
    let k = c + 1;
    while (k < end && /[0-9A-Za-z_-]/.test(s.charAt(k))) k++;
    const after = s.charAt(k);
    if (k === c + 1 || !(isBlankOrEnd(after) || "?:,]}%@`".includes(after)))
      this.refuse(c, "did not find expected alphabetic or numeric character (in an anchor or alias name)");
    while (k < end && !isBlank(s.charAt(k)) && !(this.depth > 0 && isFlowIndicator(s.charAt(k)))) k++;
    return k;
  }

  /** A quoted scalar's content from `from`: the offset after its closing quote, or the line's end (still open). */
  private quoted(from: number, end: number, quote: string): number {
    const s = this.s;
    let c = from;
    while (c < end) {
      const ch = s.charAt(c);
      if (quote === '"' && ch === "\\") {
        c += 2;
        continue;
      }
      if (ch === quote) {
        if (quote === "'" && s.charAt(c + 1) === "'") {
          c += 2;
          continue;
        }
        this.quote = "";
        return c + 1;
      }
      c++;
    }
    this.quote = quote;
    return end;
  }
}

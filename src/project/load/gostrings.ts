// Go string helpers the reference's messages depend on: `%q` quoting and unicode.IsSpace. Kept apart so
// envfile, interpolate and casting share one definition of each.

const namedEscapes: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const goPrintable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/** The text Go's `%q` (strconv.Quote) prints for a string, used verbatim in the reference's messages. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const named = namedEscapes[ch];
    if (named !== undefined) out += named;
    else if (goPrintable.test(ch)) out += ch;
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

const goSpaces = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f]);

/** Go's unicode.IsSpace (JS's \s differs: it has U+FEFF and lacks U+0085). */
export function isGoSpace(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return goSpaces.has(code) || (code >= 0x2000 && code <= 0x200a) || code === 0x205f || code === 0x3000;
}

/** strings.TrimRightFunc(s, unicode.IsSpace). */
export function trimRightGoSpace(text: string): string {
  let end = text.length;
  while (end > 0 && isGoSpace(text[end - 1] ?? "")) end--;
  return text.slice(0, end);
}

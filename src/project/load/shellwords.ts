// Splits a `command:`/`entrypoint:` string the way the reference does (learned by experiment):
// - blanks (space, tab, newline) separate words; `''` and `""` produce an empty word;
// - a backslash escapes the next character everywhere except inside single quotes;
// - no variable, glob or backtick expansion (`$x` and `` `x` `` stay as written);
// - an unquoted `;`, `&`, `|`, `<` or `>` ends the command: the words before it are the result;
// - an unclosed quote or a trailing backslash is an error ("invalid command line string").

export type SplitResult = { ok: true; words: string[] } | { ok: false; error: string };

const BLANK = new Set([" ", "\t", "\n", "\r"]);
const TERMINATOR = new Set([";", "&", "|", "<", ">"]);

export function splitShellWords(line: string): SplitResult {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  let escaped = false;
  for (const ch of line) {
    if (escaped) {
      word += ch;
      inWord = true;
      escaped = false;
    } else if (ch === "\\" && quote !== "'") {
      escaped = true;
    } else if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (BLANK.has(ch) || TERMINATOR.has(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      if (TERMINATOR.has(ch)) return { ok: true, words };
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote || escaped) return { ok: false, error: "invalid command line string" };
  if (inWord) words.push(word);
  return { ok: true, words };
}

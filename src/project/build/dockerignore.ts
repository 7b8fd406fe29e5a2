// .dockerignore: which paths of a build context are left out of the tar sent to the engine. Pure.
//
// Behaviour followed (Docker's documented .dockerignore rules, as docker/cli and moby's patternmatcher apply
// them, checked against the reference docker compose 2.26.1 building on Engine 20.10):
// - one pattern per line; lines are trimmed; empty lines and lines starting with `#` are skipped;
// - `!` makes an exception (re-includes); the last pattern that matches a path decides;
// - patterns are cleaned like Go's filepath.Clean (`./a/` → `a`) and a leading `/` is dropped: every
//   pattern is relative to the context root;
// - `*` matches any run of characters but `/`, `?` one character but `/`, `[...]` a class, `\` escapes;
//   `**` matches any number of directories (zero included), `**/` likewise, a trailing `**` everything;
// - a pattern excludes a path when it matches the path or one of its parent directories (`sub` excludes
//   `sub/a/b`), so an excluded directory's files are excluded too, unless an exception brings them back.
// - BuildKit's `<Dockerfile>.dockerignore`, next to the Dockerfile, replaces `.dockerignore` when present.
//   (The engine's classic builder knows only `.dockerignore`; tcompose reads both, BuildKit's way.)

export interface IgnorePattern {
  /** The cleaned pattern, without its `!`. */
  text: string;
  exception: boolean;
  regex: RegExp;
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** The patterns of a .dockerignore file's text, in order. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const line of lines) {
    let pattern = line.trim();
    if (pattern === "" || pattern.startsWith("#")) continue;
    const exception = pattern.startsWith("!");
    if (exception) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
    }
    patterns.push({ text: pattern, exception, regex: compilePattern(pattern) });
  }
  return patterns;
}

const special = new Set([..."$^.+(){}|"]);

/** The anchored regular expression of one pattern (a path relative to the context, `/`-separated). */
export function compilePattern(pattern: string): RegExp {
  let source = "^";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    i++;
    if (ch === "*") {
      if (pattern[i] === "*") {
        i++;
        if (pattern[i] === "/") i++;
        // `**` at the end matches everything below; elsewhere any number of whole directories.
        source += i >= pattern.length ? ".*" : "(?:.*/)?";
      } else {
        source += "[^/]*";
      }
    } else if (ch === "?") {
      source += "[^/]";
    } else if (ch === "\\") {
      const next = pattern[i];
      if (next === undefined) {
        source += "\\\\";
      } else {
        source += escapeRegex(next);
        i++;
      }
    } else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) {
        source += "\\[";
      } else {
        // A class goes to the regular expression as written (`[^a]` negates), as Docker does.
        source += `[${pattern.slice(i, end)}]`;
        i = end + 1;
      }
    } else if (special.has(ch)) {
      source += `\\${ch}`;
    } else {
      source += ch;
    }
  }
  return new RegExp(`${source}$`, "s");
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Whether the pattern matches the path or one of its parent directories. */
function matchesOrParent(pattern: IgnorePattern, path: string): boolean {
  if (pattern.regex.test(path)) return true;
  let at = path.indexOf("/");
  while (at >= 0) {
    if (pattern.regex.test(path.slice(0, at))) return true;
    at = path.indexOf("/", at + 1);
  }
  return false;
}

export class IgnoreMatcher {
  readonly hasExceptions: boolean;

  constructor(readonly patterns: readonly IgnorePattern[]) {
    this.hasExceptions = patterns.some((p) => p.exception);
  }

  static parse(text: string): IgnoreMatcher {
    return new IgnoreMatcher(parseDockerignore(text));
  }

  /** Whether a context path (relative, `/`-separated, no leading `./`) is left out. */
  excludes(path: string): boolean {
    let excluded = false;
    for (const pattern of this.patterns) {
      // Only a pattern that can change the verdict is evaluated.
      if (pattern.exception !== excluded) continue;
      if (matchesOrParent(pattern, path)) excluded = !pattern.exception;
    }
    return excluded;
  }

  /**
   * Whether the walk must still enter an excluded directory: an exception may bring back something below
   * it. Like docker's tar walk, an exception counts when its text lies under the directory (`!dir/keep`),
   * or when it begins with a wildcard that can reach into any directory (`!**\/keep`, tcompose's addition).
   */
  mayIncludeBelow(dir: string): boolean {
    if (!this.hasExceptions) return false;
    const dirSlash = `${dir}/`;
    return this.patterns.some(
      (p) => p.exception && (`${p.text}/`.startsWith(dirSlash) || p.text.startsWith("**")),
    );
  }
}

/** The ignore file BuildKit pairs with a Dockerfile: `<dir>/<name>.dockerignore`, relative to the context. */
export function dockerfileIgnorePath(relativeDockerfile: string): string {
  return `${relativeDockerfile}.dockerignore`;
}

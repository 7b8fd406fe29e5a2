import { describe, expect, it } from "vitest";
import { cleanPath, IgnoreMatcher, parseDockerignore } from "../../../src/project/build/dockerignore.js";

const excluded = (rules: string, paths: string[]) => {
  const m = IgnoreMatcher.parse(rules);
  return paths.filter((p) => m.excludes(p));
};

describe(".dockerignore patterns", () => {
  it("parses lines like docker: trimmed, comments and blanks skipped, cleaned, leading / dropped", () => {
    const patterns = parseDockerignore("\uFEFF# comment\n\n  ./a/b/  \n/root.txt\n! keep\n**/x/../y\n");
    expect(patterns.map((p) => [p.text, p.exception])).toEqual([
      ["a/b", false],
      ["root.txt", false],
      ["keep", true],
      ["**/y", false],
    ]);
  });

  it("cleans paths like Go's path.Clean", () => {
    expect(cleanPath("./a//b/./c/..")).toBe("a/b");
    expect(cleanPath("/")).toBe("/");
    expect(cleanPath("../x")).toBe("../x");
    expect(cleanPath("")).toBe(".");
  });

  it("* and ? stay within one path component; a pattern matches from the context root", () => {
    expect(excluded("*.log", ["a.log", "sub/a.log", "alog"])).toEqual(["a.log"]);
    expect(excluded("?.txt", ["a.txt", "ab.txt", "/.txt"])).toEqual(["a.txt"]);
    expect(excluded("sub/*.log", ["sub/a.log", "sub/deep/a.log"])).toEqual(["sub/a.log"]);
  });

  it("** matches any number of directories, zero included", () => {
    const paths = ["a.log", "sub/a.log", "sub/deep/a.log", "a.txt"];
    expect(excluded("**/*.log", paths)).toEqual(["a.log", "sub/a.log", "sub/deep/a.log"]);
    expect(excluded("sub/**", ["sub", "sub/a", "sub/b/c", "subx"])).toEqual(["sub/a", "sub/b/c"]);
    expect(excluded("a/**/z", ["a/z", "a/b/z", "a/b/c/z", "a/bz"])).toEqual(["a/z", "a/b/z", "a/b/c/z"]);
  });

  it("a pattern that matches a directory excludes everything below it", () => {
    expect(excluded("node_modules", ["node_modules", "node_modules/x/y.js", "src/node_modules"])).toEqual([
      "node_modules",
      "node_modules/x/y.js",
    ]);
  });

  it("! exceptions re-include, and the last matching pattern wins", () => {
    expect(excluded("*.md\n!README.md", ["a.md", "README.md"])).toEqual(["a.md"]);
    expect(excluded("!README.md\n*.md", ["a.md", "README.md"])).toEqual(["a.md", "README.md"]);
    expect(excluded("docs\n!docs/keep.md", ["docs/a.md", "docs/keep.md"])).toEqual(["docs/a.md"]);
  });

  it("character classes and escapes", () => {
    expect(excluded("file[0-9].txt", ["file1.txt", "filex.txt"])).toEqual(["file1.txt"]);
    expect(excluded("file[^0-9].txt", ["file1.txt", "filex.txt"])).toEqual(["filex.txt"]);
    expect(excluded("a\\*b", ["a*b", "axb"])).toEqual(["a*b"]);
    expect(excluded("a.b+c", ["a.b+c", "axb+c"])).toEqual(["a.b+c"]);
  });

  it("enters an excluded directory only when an exception may bring something back", () => {
    expect(IgnoreMatcher.parse("docs").mayIncludeBelow("docs")).toBe(false);
    expect(IgnoreMatcher.parse("docs\n!docs/keep.md").mayIncludeBelow("docs")).toBe(true);
    expect(IgnoreMatcher.parse("docs\n!other/keep.md").mayIncludeBelow("docs")).toBe(false);
    expect(IgnoreMatcher.parse("docs\n!**/keep.md").mayIncludeBelow("docs")).toBe(true);
  });
});

// The fast YAML reader must read every text it accepts exactly as the `yaml` package's path does (value,
// !reset/!override paths, timestamps), and must accept the compose files people write (else it buys nothing).
// Also: no input, however broken, makes the reader or the whole loader throw.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadProject } from "../../../src/project/load/index.js";
import { parseWithPackage, parseYamlDocument } from "../../../src/project/load/yaml.js";
import { parseFast } from "../../../src/project/load/yaml-fast.js";
import { memoryFileSystem } from "../../helpers/memfs.js";
import { repoRoot } from "../../helpers/paths.js";

/** The fast path's answer, or undefined where it leaves the text to the package. */
function fastRead(text: string) {
  const read = parseYamlDocument("c.yaml", text);
  return parseFast(text)?.kind !== "map" || read.diagnostics.length > 0 ? undefined : read;
}

function expectSameAsPackage(text: string): boolean {
  const fast = fastRead(text);
  if (!fast) return false;
  const slow = parseWithPackage("c.yaml", text);
  expect(slow.diagnostics, text).toEqual([]);
  expect({ value: fast.value, tags: fast.tags }, text).toEqual({
    value: slow.value,
    tags: slow.tags,
  });
  return true;
}

const lines = (...l: string[]) => `${l.join("\n")}\n`;

describe("the fast YAML reader", () => {
  it("reads every compose file of the repository, like the package", () => {
    const files = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], { cwd: repoRoot, encoding: "utf8" })
      .split("\n")
      // The devcontainers CLI's override needs yaml.v3's leniencies (a quoted scalar continued at column 0):
      // the fast path leaves it to the package path and its lenient pre-pass, by design.
      .filter(
        (f) => f !== "" && !f.startsWith(".") && !f.includes("/invalid/") && !f.includes("/devcontainers/"),
      );
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const text = readFileSync(path.join(repoRoot, file), "utf8");
      expect(expectSameAsPackage(text), `${file} is read by the fast path`).toBe(true);
    }
  });

  it("reads the constructs compose files use, like the package", () => {
    const accepted = [
      // Flow collections over several lines, as getsentry/self-hosted writes postgres's command.
      lines(
        "services:",
        "  db:",
        "    command:",
        "      [",
        '        "postgres",',
        '        "-c",',
        "      ]",
      ),
      lines("services:", "  db:", "    command: [", '      "postgres",', '      "-c"', "    ]"),
      lines("a: [1,", "  2]  # done", "b: {x: 1,", "  y: [p,", "    q]}"),
      lines("x: &e {A: 1}", "m:", "  <<: [*e,", "    {C: 3}]", "l:", "  - [1,", "    2", "  ]"),
      lines(
        "services:",
        "  web:",
        "    image: busybox:1.36",
        "    command: [sh, -c, 'echo \"hi\" # not a comment']",
      ),
      lines(
        "a:",
        "- 1",
        "- two",
        "b: 0440",
        "c: 08",
        "d: yes",
        "e: ~",
        "f: 2001-12-14",
        "g: 1_000",
        "h: .inf",
      ),
      lines("x-env: &env", "  A: 1", "s:", "  <<: *env", "  B: 2", "m:", "  <<: [*env, {C: 3}]", "l: *env"),
      lines(
        "a: |",
        "  line 1",
        "",
        "    indented",
        "  # kept",
        "",
        "b: >-",
        "  folded",
        "  text",
        "",
        "  para",
        "c: |+",
        "  keep",
        "",
        "d: x",
      ),
      lines("a: !reset []", "b: !override {k: v}", "c: !reset", "d: !!str 5", 'e: !!int "7"', "f: !custom x"),
      lines(
        '"quoted key": 1',
        "'single ''q''': 2",
        'esc: "tab\\tnl\\n\\u00e9\\x41\\"\\\\"',
        "url: http://x:80/a#b",
      ),
      lines(
        "---",
        "a: 1 # comment",
        "# full-line comment",
        "b:",
        "  - c: 1",
        "    d: [1, {e: f}, []]",
        "  -",
        "  - - nested",
      ),
      lines(
        "ports:",
        '  - "8080:80"',
        "  - 127.0.0.1:53:53/udp",
        "environment:",
        "  - A=1",
        "  - B",
        "healthcheck:",
        "  test: [CMD-SHELL, 'curl -f http://localhost || exit 1']",
      ),
      lines(
        "windows: C:\\path\\x",
        "dash: -1",
        "colon: a:b",
        "q: what?",
        "star: a*b",
        "amp: a&b",
        "empty: ''",
        "sp: 'a b '",
      ),
      lines("a: {}", "b: []", "c: {x: }", "d: [a, b, ]", "e: {x: 1, y: [2, 3]}", "f:    spaced   ", "g:"),
      "k: |+\n  two\n\n",
      "k: |+\n  two\n",
      "k: |\n  two\n\n\n",
      "k: >+\n  a\n  b\n\n",
      lines("\r", "a: 1\r", "b: |\r", "  text\r").replaceAll("\r\n", "\r\n"),
    ];
    for (const text of accepted) expect(expectSameAsPackage(text), text).toBe(true);
  });

  it("leaves to the package what it does not read, and what is an error", () => {
    const left = [
      lines("a: b: c"),
      lines("a:", "\tb: 1"),
      lines("a: 1", "---", "b: 2"),
      lines("a: multi", "  line plain"),
      // Flow collections over several lines outside the subset: a comment, an empty line, too little
      // indentation, a scalar over two lines, text after the closing bracket.
      lines("a: [1, # c", "  2]"),
      lines("a: [1,", "", "  2]"),
      lines("a:", "  b: [1,", "  2]"),
      lines("a:", "  b: [1,", "    2", " ]"),
      lines("a: [x", "  y]"),
      lines("a: ['x", "  y']"),
      lines("a: {x:", "  1}"),
      lines("a: [1,", "  2] x"),
      lines("a: [1,", "\t2]"),
      lines("a: |2", "   x"),
      lines("? complex", ": key"),
      lines("%YAML 1.2", "---", "a: 1"),
      lines("a: &x 1", "b: &x 2", "c: *x"),
      lines("a: *nope"),
      lines("a: 1", "a: 2"),
      lines("a:", "    b: 1", "  c: 2"),
      lines('a: "unterminated'),
      lines("1: number key"),
      lines("- top level sequence"),
      "just a scalar\n",
      "",
    ];
    for (const text of left) expect(fastRead(text), text).toBeUndefined();
  });

  it("agrees with the package on generated documents in every style it writes", () => {
    const key = fc.oneof(
      fc.constantFrom("image", "<<", "x-a", "a b", "k:v", "-k", "1", "yes", "", "#", "a #b", "'", '"'),
      fc.string({ maxLength: 6 }),
    );
    const scalar = fc.oneof(
      fc.constantFrom(
        "0440",
        "08",
        "1e3",
        ".5",
        "yes",
        "~",
        "null",
        "2001-12-14",
        "1:20",
        "- x",
        "a: b",
        "a #b",
      ),
      fc.constantFrom(
        "#x",
        "*a",
        "&a",
        "!x",
        "|",
        ">",
        "[",
        "{",
        "%",
        "@",
        "`",
        " a",
        "a ",
        "\t",
        "\n",
        "a\nb\n",
      ),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const doc = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, scalar, tie("list"), tie("map")),
      list: fc.array(tie("value"), { maxLength: 4 }),
      map: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    })).map;
    const style = fc.record({
      indent: fc.constantFrom(2, 4),
      indentSeq: fc.boolean(),
      collectionStyle: fc.constantFrom("any", "block", "flow") as fc.Arbitrary<"any" | "block" | "flow">,
      defaultStringType: fc.constantFrom(
        "PLAIN",
        "QUOTE_DOUBLE",
        "QUOTE_SINGLE",
        "BLOCK_LITERAL",
        "BLOCK_FOLDED",
      ) as fc.Arbitrary<"PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE" | "BLOCK_LITERAL" | "BLOCK_FOLDED">,
      lineWidth: fc.constantFrom(0, 20, 80),
    });
    let fast = 0;
    fc.assert(
      fc.property(doc, style, (value, options) => {
        const text = stringify({ services: value }, { ...options, version: "1.1" });
        if (expectSameAsPackage(text)) fast++;
      }),
      { numRuns: 1500 },
    );
    // Most generated documents are in the subset; a reader that gave up on everything would fail here.
    expect(fast).toBeGreaterThan(500);
  });

  it("agrees with the package on mutated compose files (or leaves them to it)", () => {
    const base = readFileSync(
      path.join(repoRoot, "test/fixtures/schema/valid/full-service.yaml"),
      "utf8",
    ).split("\n");
    const edit = fc.record({
      line: fc.nat(),
      kind: fc.constantFrom("insert", "delete", "duplicate", "indent", "dedent", "replace"),
      text: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(" #", ": ", "- ", "&a ", "*a", "!reset ", "|", "'", '"', "[", "{"),
      ),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const text = [...base];
        for (const e of edits) {
          const at = e.line % text.length;
          const l = text[at] ?? "";
          if (e.kind === "insert") text.splice(at, 0, e.text);
          else if (e.kind === "delete") text.splice(at, 1);
          else if (e.kind === "duplicate") text.splice(at, 0, l);
          else if (e.kind === "indent") text[at] = `  ${l}`;
          else if (e.kind === "dedent") text[at] = l.replace(/^ {1,2}/, "");
          else text[at] = l.slice(0, e.text.length) + e.text + l.slice(e.text.length * 2);
        }
        expectSameAsPackage(text.join("\n"));
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it("never throws, and neither does the loader, on random text and byte noise", () => {
    const noise = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1")),
      fc
        .array(
          fc.constantFrom(
            "services:",
            "  web:",
            "    image: x",
            "- ",
            ": ",
            "&a",
            "*a",
            "<<",
            "|",
            "\t",
            "#",
            "'",
            '"',
            "[",
            "{",
            "!reset",
            "${A",
            "$$",
          ),
          { maxLength: 30 },
        )
        .map((p) => p.join(fc.sample(fc.constantFrom("", " ", "\n", "\n  "), 1)[0] ?? "")),
    );
    fc.assert(
      fc.property(noise, (text) => {
        parseYamlDocument("c.yaml", text);
        const fs = memoryFileSystem("/p", { "/p/compose.yaml": text });
        const result = loadProject({ options: {}, env: {}, fs, home: "/root" });
        expect(
          result.project !== undefined || result.problems.length > 0 || result.failure !== undefined,
        ).toBe(true);
      }),
      { numRuns: 800 },
    );
  });
});

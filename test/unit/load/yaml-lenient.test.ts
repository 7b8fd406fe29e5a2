// yaml.v3's leniencies and refusals where the `yaml` package differs (src/project/load/yaml-lenient.ts),
// through the reader the loader uses; each case was checked against the reference (test/e2e/yaml-forms.test.ts
// runs many more through both tools).
import { describe, expect, it } from "vitest";
import { formatDiagnosticHeadline } from "../../../src/project/load/diagnostics.js";
import { parseWithPackage, parseYamlDocument } from "../../../src/project/load/yaml.js";
import { lenientText } from "../../../src/project/load/yaml-lenient.js";
import { devcontainersOverride } from "../../e2e/yaml-forms.gen.js";

const parse = (text: string) => parseYamlDocument("compose.yaml", text);
const lines = (...l: string[]) => `${l.join("\n")}\n`;
const value = (text: string) => {
  const read = parse(text);
  expect(read.diagnostics.map(formatDiagnosticHeadline), text).toEqual([]);
  return read.value;
};
const headlines = (text: string) => parse(text).diagnostics.map(formatDiagnosticHeadline);

describe("what yaml.v3 reads and the yaml package refuses", () => {
  it("reads the devcontainers CLI's override: a quoted scalar in a flow sequence, continued at column 0", () => {
    expect(value(devcontainersOverride)).toEqual({
      services: {
        app: {
          entrypoint: [
            "/bin/sh",
            "-c",
            'echo Container started\n trap "exit 0" 15\n exec "$$@"\n while sleep 1 & wait $$!; do :; done',
            "-",
          ],
        },
      },
    });
  });

  it("reads quoted scalars continued left of their key, in block context and in flow maps, tabs included", () => {
    expect(value(lines("x:", "  k: 'a", "b'", '  j: "c', '\td"', "y: {a: 'p", "q', b: 1}"))).toEqual({
      x: { k: "a b", j: "c d" },
      y: { a: "p q", b: 1 },
    });
    expect(value(lines("x:", "  - 'a''", "", " b'", "  - c"))).toEqual({ x: ["a'\nb", "c"] });
  });

  it("reads flow collections whose lines start at column 0 or with tabs, plain scalars over lines too", () => {
    expect(value(lines("x: [a", "b,", "{k: 1,", "j: [2,", "3]}", "]"))).toEqual({
      x: ["a b", { k: 1, j: [2, 3] }],
    });
    expect(value(lines("x: {", "\ta: 1,", "\tb: [2]}"))).toEqual({ x: { a: 1, b: [2] } });
  });

  it("reads `?x` in a flow collection as a key and a lone `-` there as text", () => {
    expect(value("x: [?a, {?b: 1}]\n")).toEqual({ x: [{ a: null }, { b: 1 }] });
    expect(value("x: [-, a, {k: -}]\n")).toEqual({ x: ["-", "a", { k: "-" }] });
  });

  it("keeps file:line:col of problems after and on rewritten lines", () => {
    expect(headlines(lines("x: [a,", "b]", "y: !!int z"))).toEqual([
      'compose.yaml:3:10: y: cannot decode "z" as a !!int',
    ]);
    expect(headlines(lines("x: [a,", "b, !!int z]"))).toEqual([
      'compose.yaml:2:10: x[2]: cannot decode "z" as a !!int',
    ]);
    const read = parse(lines("x: ['a", "b', [c,", "  d]]"));
    expect(read.locate(["x", 1, 1])).toEqual({ file: "compose.yaml", line: 3, column: 3 });
  });

  it("reports the package's own error where rewriting does not help", () => {
    expect(headlines(lines("x: [a,", "b", "y: 1"))[0]).toMatch(/^compose\.yaml:2:1: flow sequence/);
  });
});

describe("what yaml.v3 refuses and the yaml package reads", () => {
  const refused = (text: string) => {
    const found = headlines(text);
    expect(found, text).toHaveLength(1);
    return found[0];
  };

  it("refuses a `?` inside a plain scalar in a flow collection", () => {
    expect(refused("x: [http://a/?q=1]\n")).toBe(
      "compose.yaml:1:14: did not find expected ',' or ']' (inside [ ] and { }, a '?' starts a key: quote the value)",
    );
    expect(refused("x: {a: b?c}\n")).toMatch(/^compose\.yaml:1:9: did not find expected ',' or '}'/);
    expect(value("x: a?b\ny: ['a?b']\n")).toEqual({ x: "a?b", y: ["a?b"] });
  });

  it("refuses tabs where a line may start a key, and left of a plain scalar's indentation", () => {
    expect(refused("x:\n  k:\n  \t# c\n  j: 1\n")).toMatch(/^compose\.yaml:3:3: found a tab character/);
    expect(refused("x:\n  - \ta\n")).toMatch(
      /^compose\.yaml:2:5: found character that cannot start any token/,
    );
    expect(refused("x:\n  k: v\n\t\n")).toBe(
      "compose.yaml:3:1: found a tab character that violates indentation",
    );
    expect(refused("x: [\n a\n\t, b]\n")).toBe(
      "compose.yaml:3:1: found a tab character that violates indentation",
    );
    expect(value("x:\n  k:\tb\n  j: v\n   \t# c\ny: [a,\n\t# c\n b]\n")).toEqual({
      x: { k: "b", j: "v" },
      y: ["a", "b"],
    });
  });

  it("refuses %YAML other than 1.1, anchor names with other characters, long and multi-line keys", () => {
    expect(refused("%YAML 1.2\n---\nx: 1\n")).toBe(
      "compose.yaml:1:1: found incompatible YAML document (only %YAML 1.1 is read)",
    );
    expect(value("%YAML 1.1\n---\nx: 1\n")).toEqual({ x: 1 });
    expect(refused("x: &a.b {k: 1}\ny: *a.b\n")).toMatch(
      /^compose\.yaml:1:4: did not find expected alphabetic/,
    );
    expect(refused(`x:\n  "${"k".repeat(1030)}": v\n`)).toMatch(/^compose\.yaml:2:3: /);
    expect(refused(`x:\n  ${"k".repeat(1025)}: v\n`)).toMatch(/^compose\.yaml:2:3: /);
    expect(value(`x:\n  ${"k".repeat(1024)}: v\n`)).toEqual({ x: { ["k".repeat(1024)]: "v" } });
    expect(refused('x: {"multi\n line": v}\n')).toMatch(
      /^compose\.yaml:1:5: did not find expected ',' or '}'/,
    );
  });
});

describe("the rewriting", () => {
  it("leaves ordinary files alone", () => {
    const text = lines("services:", "  web:", "    image: busybox", "    command: [sh, -c, 'echo \"hi\"']");
    expect(lenientText(text)).toBeUndefined();
  });

  it("changes only leading white space, which the package then reads to the same values", () => {
    const text = lines("a: [1,", "   2]", "b: 'x", "   y'", "c: {k: v,", "   j: w}");
    const rewritten = lenientText(text.replaceAll("\n   ", "\n"));
    expect(rewritten?.text).toBe(lines("a: [1,", " 2]", "b: 'x", " y'", "c: {k: v,", " j: w}"));
    expect(parseWithPackage("c.yaml", text.replaceAll("\n   ", "\n")).value).toEqual(
      parseWithPackage("c.yaml", text).value,
    );
  });

  it("keeps block scalars and plain multi-line scalars as they are", () => {
    expect(lenientText(lines("a: |", "  [x", "  'y", "b: c", "  [d", "e: 1"))).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { formatDiagnosticHeadline } from "../../../src/project/load/diagnostics.js";
import { markTimestamp } from "../../../src/project/load/timestamps.js";
import { parseYamlDocument } from "../../../src/project/load/yaml.js";

const parse = (text: string) => parseYamlDocument("compose.yaml", text);
const lines = (...l: string[]) => `${l.join("\n")}\n`;
const headlines = (text: string) => parse(text).diagnostics.map(formatDiagnosticHeadline);

describe("scalars, as yaml.v3 reads them", () => {
  const value = (text: string) => (parse(`v: ${text}\n`).value as { v: unknown }).v;

  it("reads a leading-zero number as octal, and the other integer spellings", () => {
    expect(value("0440")).toBe(288);
    expect(value("0o17")).toBe(15);
    expect(value("0x1F")).toBe(31);
    expect(value("-0x1F")).toBe(-31);
    expect(value("0b101")).toBe(5);
    expect(value("1_000")).toBe(1000);
    expect(value("+12")).toBe(12);
    expect(value("0")).toBe(0);
  });

  it("reads non-octal leading-zero digits and exponents as floats", () => {
    expect(value("08")).toBe(8);
    expect(value("012.5")).toBe(12.5);
    expect(value("1e3")).toBe(1000);
    expect(value(".5")).toBe(0.5);
    expect(value("0777777777777777777777777")).toBe(7.777777777777778e23);
    expect(value(".inf")).toBe(Number.POSITIVE_INFINITY);
    expect(value("-.Inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(value(".nan")).toBeNaN();
  });

  it("keeps YAML 1.1 booleans and other look-alikes as strings", () => {
    for (const s of ["yes", "no", "on", "off", "y", "n", "Yes", "ON", "1:20", "0x", "1.2.3", "_1", "1e400"])
      expect(value(s), s).toBe(s);
  });

  it("reads the YAML 1.2 core booleans and nulls", () => {
    expect(value("true")).toBe(true);
    expect(value("False")).toBe(false);
    expect(value("~")).toBeNull();
    expect(value("null")).toBeNull();
    expect(value("")).toBeNull();
  });

  it("keeps quoted and block scalars as text", () => {
    expect(value('"0440"')).toBe("0440");
    expect(value("'true'")).toBe("true");
    expect(value("|\n  0440")).toBe("0440\n");
  });

  it("honours explicit core tags; reads unknown tags as text", () => {
    expect(value('!!int "5"')).toBe(5);
    expect(value("!!str 5")).toBe("5");
    expect(value("!!float 1")).toBe(1);
    expect(value("!foo 5")).toBe("5");
    expect(value("!override 5")).toBe("5");
    expect(parse('v: !!int "five"\n').diagnostics[0]?.message).toBe('cannot decode "five" as a !!int');
  });

  it("marks timestamps, their text kept, and only where yaml.v3 reads one", () => {
    const parsed = parse(
      lines("a: 2001-12-14", "b: 2001-12-14T21:59:43.10-05:00", "c: 2001-13-01", "d: '2001-12-14'"),
    );
    expect(parsed.value).toEqual({
      a: markTimestamp("2001-12-14"),
      b: markTimestamp("2001-12-14T21:59:43.10-05:00"),
      c: "2001-13-01",
      d: "2001-12-14",
    });
  });
});

describe("mappings", () => {
  it("merges << keys: the mapping's own keys win, then earlier sources", () => {
    const text = lines(
      "x-a: &a {image: a, user: ua, init: true}",
      "x-b: &b {image: b, user: ub, tty: true}",
      "services:",
      "  one:",
      "    <<: *a",
      "    image: own",
      "  two:",
      "    image: own",
      "    <<: [*b, *a]",
      "  three:",
      "    <<: {image: inline}",
    );
    const { value, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect((value as { services: unknown }).services).toEqual({
      one: { image: "own", user: "ua", init: true },
      two: { image: "own", user: "ub", tty: true, init: true },
      three: { image: "inline" },
    });
  });

  it("resolves aliases to copies of the anchored value", () => {
    const { value } = parse(lines("a: &x [1, 2]", "b: *x"));
    expect(value).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it("requires string keys, like the reference", () => {
    expect(headlines(lines("labels:", "  true: a", "  1: b", "  '2': c"))).toEqual([
      'compose.yaml:2:3: labels: mapping key true is not a string (quote it: "true")',
      'compose.yaml:3:3: labels: mapping key 1 is not a string (quote it: "1")',
    ]);
  });

  it("rejects duplicate keys, the merge key too", () => {
    expect(headlines(lines("a: 1", "b: 2", "a: 3"))).toEqual([
      'compose.yaml:3:1: mapping key "a" already defined at line 1',
    ]);
    expect(headlines(lines("x: &x {a: 1}", "y:", "  <<: *x", "  <<: {b: 2}"))).toEqual([
      'compose.yaml:4:3: y: mapping key "<<" already defined at line 3',
    ]);
  });

  it("rejects merging what is not a mapping", () => {
    expect(headlines(lines("x: &x [1]", "y:", "  <<: *x"))).toEqual([
      "compose.yaml:3:7: y: map merge requires map or sequence of maps as the value",
    ]);
  });

  it("reports unknown anchors and cycles instead of looping", () => {
    expect(headlines(lines("a: *nope"))).toEqual(["compose.yaml:1:4: a: unknown anchor 'nope' referenced"]);
    expect(headlines(lines("a: &e", "  b: *e"))).toEqual([
      "compose.yaml:2:6: a.b: alias *e refers to a node that contains it (a cycle)",
    ]);
  });

  it("keeps __proto__ as an ordinary key", () => {
    const { value } = parse(lines("__proto__: {polluted: true}"));
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe("!reset and !override", () => {
  it("records the paths of tagged nodes and keeps the data (an empty !reset is null)", () => {
    const text = lines(
      "services:",
      "  web:",
      "    ports: !reset []",
      "    command: !override [a, b]",
      "    environment:",
      "      A: !reset",
      "    volumes:",
      "      - !override ./a:/a",
    );
    const { value, tags, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(tags).toEqual({
      resets: [
        ["services", "web", "ports"],
        ["services", "web", "environment", "A"],
      ],
      overrides: [
        ["services", "web", "command"],
        ["services", "web", "volumes", 0],
      ],
    });
    expect(value).toEqual({
      services: { web: { ports: [], command: ["a", "b"], environment: { A: null }, volumes: ["./a:/a"] } },
    });
  });

  it("records tags reached through aliases and merge keys at the path where they land", () => {
    const text = lines(
      "x-base: &base",
      "  ports: !reset []",
      "services:",
      "  web:",
      "    <<: *base",
      "  db: *base",
    );
    expect(parse(text).tags.resets).toEqual([
      ["x-base", "ports"],
      ["services", "web", "ports"],
      ["services", "db", "ports"],
    ]);
  });
});

describe("positions", () => {
  const text = lines(
    "x-base: &base",
    "  user: root",
    "services:",
    "  web:",
    "    <<: *base",
    "    image: nginx",
    "    ports:",
    "      - 80",
    "      - target: 81",
    "    command:",
    "  db: {image: postgres}",
  );
  const { locate } = parse(text);

  it("finds values and keys by document path, 1-based", () => {
    expect(locate(["services", "web", "image"])).toEqual({ file: "compose.yaml", line: 6, column: 12 });
    expect(locate(["services", "web", "image"], "key")).toEqual({ file: "compose.yaml", line: 6, column: 5 });
    expect(locate(["services", "web", "ports", 1, "target"])).toEqual({
      file: "compose.yaml",
      line: 9,
      column: 17,
    });
    expect(locate(["services", "web", "ports", 0])).toEqual({ file: "compose.yaml", line: 8, column: 9 });
    expect(locate(["services", "db", "image"])).toEqual({ file: "compose.yaml", line: 11, column: 15 });
    expect(locate([])).toEqual({ file: "compose.yaml", line: 1, column: 1 });
  });

  it("places an empty value at its key", () => {
    expect(locate(["services", "web", "command"])).toEqual({ file: "compose.yaml", line: 10, column: 5 });
  });

  it("follows merge keys into the anchored mapping", () => {
    expect(locate(["services", "web", "user"])).toEqual({ file: "compose.yaml", line: 2, column: 9 });
  });

  it("returns undefined for paths not in the document", () => {
    expect(locate(["services", "nope"])).toBeUndefined();
    expect(locate(["services", "web", "ports", 5])).toBeUndefined();
    expect(locate(["services", "web", "image", "x"])).toBeUndefined();
  });
});

describe("syntax errors and documents", () => {
  it("reports a syntax error with file, line and column", () => {
    const diagnostics = parse(lines("services:", "  web:", "    image: [nginx", "  db: {}")).diagnostics;
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.position).toMatchObject({ file: "compose.yaml", line: 4 });
    expect(headlines(lines("a:", "  - x", " - y"))).toEqual([
      "compose.yaml:3:1: a block sequence may not be used as an implicit map key",
    ]);
  });

  it("reads an empty file as null, without a problem", () => {
    for (const text of ["", "# only a comment\n"]) {
      const parsed = parse(text);
      expect(parsed.value).toBeNull();
      expect(parsed.documents).toEqual([]);
      expect(parsed.diagnostics).toEqual([]);
    }
  });

  it("requires a mapping at the top of each document", () => {
    expect(headlines("- a\n")).toEqual(["compose.yaml:1:1: top-level object must be a mapping"]);
    expect(headlines(lines("a: 1", "---"))).toEqual(["compose.yaml:2:1: top-level object must be a mapping"]);
  });

  it("returns every document of a file; locate prefers the last", () => {
    const parsed = parse(
      lines("services:", "  web: {image: a}", "---", "services:", "  web: {image: b, ports: !reset []}"),
    );
    expect(parsed.value).toEqual({ services: { web: { image: "a" } } });
    expect(parsed.documents.map((d) => d.value)).toEqual([
      { services: { web: { image: "a" } } },
      { services: { web: { image: "b", ports: [] } } },
    ]);
    expect(parsed.documents[1]?.tags.resets).toEqual([["services", "web", "ports"]]);
    expect(parsed.locate(["services", "web", "image"])).toEqual({
      file: "compose.yaml",
      line: 5,
      column: 16,
    });
  });

  it("stops alias bombs", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++)
      bomb.push(
        `${"abcdefgh"[i]}: &${"abcdefgh"[i]} [${Array(10)
          .fill(`*${"abcdefgh"[i - 1]}`)
          .join(", ")}]`,
      );
    const parsed = parse(lines(...bomb));
    expect(parsed.diagnostics.map((d) => d.message)).toContain(
      "document expands to too many nodes through aliases",
    );
  });
});

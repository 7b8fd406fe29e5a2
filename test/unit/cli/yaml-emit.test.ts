import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { emitYaml } from "../../../src/cli/render/yaml-emit.js";
import { parseYamlDocument } from "../../../src/project/load/yaml.js";

/** Read back by the `yaml` package as YAML 1.2 core and as YAML 1.1, and by the loader's yaml.v3 rules. */
function readings(text: string): unknown[] {
  return [parse(text), parse(text, { version: "1.1" }), parseYamlDocument("c.yaml", text).value];
}

function expectRoundTrip(value: unknown): void {
  const text = emitYaml(value);
  const [core, v11, v3] = readings(text);
  expect(core, text).toEqual(value);
  expect(v11, text).toEqual(value);
  // The loader reads only mappings at the top (a compose file); its reading must agree there too.
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0)
    expect(v3, text).toEqual(value);
}

const tricky = [
  "",
  " lead",
  "trail ",
  "null",
  "Null",
  "~",
  "true",
  "FALSE",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "0440",
  "0o17",
  "0x1F",
  "0b101",
  "1_000",
  "1e3",
  ".5",
  "-1",
  "+1",
  ".inf",
  ".NaN",
  "1:20",
  "2001-12-14",
  "=",
  "<<",
  "- x",
  "-x",
  "? x",
  ": x",
  "a: b",
  "a #b",
  "a#b",
  "ends:",
  "#c",
  "&a",
  "*a",
  "!t",
  "|",
  ">",
  "'",
  '"',
  "%x",
  "@x",
  "`x",
  "[a]",
  "{a}",
  "a,b",
  "tab\there",
  "line\nbreak",
  "line\n",
  "\u0085nel",
  "ls\u2028",
  "del\u007f",
  "bom\ufeff",
  "é unicode",
  "emoji 😀",
  "$$HOME",
  "http://x:80/a?b=c",
  "C:\\dir",
];

describe("emitYaml", () => {
  it("quotes every string a YAML reader would take for something else", () => {
    for (const s of tricky) {
      expectRoundTrip({ [s]: s });
      expectRoundTrip({ list: [s] });
    }
    for (const s of ["null", "true", "yes", "0440", "1:20", "2001-12-14", "", " lead", "a: b", "<<"])
      expect(emitYaml({ k: s }), s).toBe(`k: ${JSON.stringify(s)}\n`);
  });

  it("writes block collections with two-space indentation, sequences of mappings after the dash", () => {
    const model = {
      name: "p",
      services: {
        web: {
          command: ["sh", "-c", "echo hi"],
          environment: { A: "1", EMPTY: null },
          ports: [{ mode: "ingress", target: 80, published: "8080", protocol: "tcp" }],
          networks: { default: null },
          healthcheck: { test: [], disable: true },
          labels: {},
        },
      },
      volumes: { data: { name: "p_data" } },
      nested: [[1, 2], [], [{ a: 1 }]],
    };
    expect(emitYaml(model)).toBe(
      [
        "name: p",
        "services:",
        "  web:",
        "    command:",
        "      - sh",
        "      - -c",
        "      - echo hi",
        "    environment:",
        '      A: "1"',
        "      EMPTY: null",
        "    ports:",
        "      - mode: ingress",
        "        target: 80",
        '        published: "8080"',
        "        protocol: tcp",
        "    networks:",
        "      default: null",
        "    healthcheck:",
        "      test: []",
        "      disable: true",
        "    labels: {}",
        "volumes:",
        "  data:",
        "    name: p_data",
        "nested:",
        "  -",
        "    - 1",
        "    - 2",
        "  - []",
        "  -",
        "    - a: 1",
        "",
      ].join("\n"),
    );
    expectRoundTrip(model);
  });

  it("writes numbers so that they read back the same", () => {
    expectRoundTrip({ a: 0, b: -7, c: 1.5, d: 1e21, e: 2 ** 53, f: -0.25, g: 1e-7 });
    expect(emitYaml({ nan: Number.NaN, i: Number.POSITIVE_INFINITY, m: Number.NEGATIVE_INFINITY })).toBe(
      "nan: .nan\ni: .inf\nm: -.inf\n",
    );
  });

  it("round-trips random JSON values, with tricky strings mixed in", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom(...tricky));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        text,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
        fc.boolean(),
        fc.constant(null),
        tie("list"),
        tie("map"),
      ),
      list: fc.array(tie("node"), { maxLength: 4 }),
      map: fc.dictionary(text, tie("node"), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(value.map, (v) => expectRoundTrip({ services: v })),
      { numRuns: 1000 },
    );
  });
});

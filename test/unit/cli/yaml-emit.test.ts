import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { emitYaml } from "../../../src/cli/render/yaml-emit.js";
import { parseWithPackage } from "../../../src/project/load/yaml.js";

/** Read back by the `yaml` package as YAML 1.2 core and as YAML 1.1. */
function readings(text: string): unknown[] {
  return [parse(text), parse(text, { version: "1.1" })];
}

/**
 * The loader's reading with yaml.v3's scalar rules (through the `yaml` package's tree), for a mapping at the
 * top like a compose file; a scalar read as a timestamp comes back marked, so it differs from the text.
 */
function readAsLoader(text: string): unknown {
  return parseWithPackage("c.yaml", text).value;
}

function expectRoundTrip(value: unknown): void {
  const text = emitYaml(value);
  const [core, v11] = readings(text);
  expect(core, text).toEqual(value);
  expect(v11, text).toEqual(value);
  // The loader reads only mappings at the top (a compose file); its reading must agree there too.
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0)
    expect(readAsLoader(text), text).toEqual(value);
}

/** Strings some YAML 1.1, 1.2 or yaml.v3 reader takes for something else, or that break the syntax plain. */
const mustQuote = [
  "",
  " lead",
  "trail ",
  " ",
  "null",
  "Null",
  "NULL",
  "~",
  "true",
  "True",
  "FALSE",
  "tRuE",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "N",
  "0",
  "12",
  "-1",
  "+1",
  "0440",
  "0777",
  "08",
  "0o17",
  "0x1F",
  "0X1f",
  "0b101",
  "-0b1",
  "1_000",
  "1.5",
  "1.",
  ".5",
  "-.5",
  "1e3",
  "1E-3",
  "1.0e+21",
  "e1",
  "-E+5",
  ".e1",
  ".",
  "...",
  "... x",
  "...x",
  ".inf",
  "-.Inf",
  "+.INF",
  ".nan",
  ".NaN",
  "1:20",
  "-1:20",
  "190:20:30.15",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "2001-12-14 21:59:43.10 -5",
  "=",
  "<<",
  "-",
  "---",
  "--- x",
  "- x",
  "?",
  "? x",
  "?x",
  ":",
  ": x",
  ":x",
  "a: b",
  "a #b",
  "ends:",
  "#c",
  ",a",
  "[a]",
  "]",
  "{a}",
  "}",
  "&a",
  "*a",
  "!t",
  "!!str",
  "|",
  "|-",
  ">",
  "'",
  "'a'",
  '"',
  '"a"',
  "%x",
  "@x",
  "`x",
];

/** Strings with characters that only double quotes (or, for line feeds, a literal block) can hold. */
const special = [
  "tab\there",
  "\ttab",
  "line\nbreak",
  "line\n",
  "two\n\n",
  "\nleading break",
  "  indented\nblock",
  "trailing space \nline",
  "a\n\n\nb",
  "cr\r\nlf",
  "nul\u0000",
  "bell\u0007",
  "esc\u001b[0m",
  "del\u007f",
  "\u0085nel",
  "c1\u009b",
  "ls\u2028",
  "ps\u2029",
  "bom\ufeff",
  "\ufffe",
  "lone \ud800",
  "lone \udc00 low",
  "nbsp end\u00a0",
  "\u3000ideographic space",
];

/** Strings that may stay plain (yaml.v3 prints them plain too), and must still read back. */
const plainOk = [
  "-x",
  "-c",
  "--flag=1",
  "a#b",
  "a:b",
  "http://x:80/a?b=c#frag",
  "C:\\dir",
  "a,b",
  "a [b] {c}",
  "it's",
  'say "hi"',
  "é unicode",
  "emoji 😀",
  "$$HOME",
  "busybox:1.36",
  "10s",
  "128M",
  "nan",
  "inf",
  "yes please",
  "Host(`svc.example.com`)",
  'quote " and backslash \\',
];

const tricky = [...mustQuote, ...special, ...plainOk];

describe("emitYaml", () => {
  it("double-quotes every string a YAML reader would take for something else, as key and as value", () => {
    for (const s of mustQuote) {
      expect(emitYaml({ k: s }), s).toBe(`k: ${JSON.stringify(s)}\n`);
      expect(emitYaml({ [s]: 1 }), s).toBe(`${JSON.stringify(s)}: 1\n`);
      expect(emitYaml([s]), s).toBe(`- ${JSON.stringify(s)}\n`);
    }
  });

  it("never prints a string with special characters plain, and reads every tricky string back", () => {
    for (const s of special) expect(emitYaml({ k: s }), s).not.toBe(`k: ${s}\n`);
    for (const s of plainOk) expect(emitYaml({ k: s }), s).toBe(`k: ${s}\n`);
    for (const s of tricky) {
      expectRoundTrip({ [s]: s });
      expectRoundTrip({ list: [s, [s], { [s]: [s] }] });
      expect(parse(emitYaml(s)), s).toBe(s);
      expect(parse(emitYaml(s), { version: "1.1" }), s).toBe(s);
    }
  });

  it('escapes in double quotes: \\" \\\\ \\n \\t, other control and non-printable characters as \\x or \\u', () => {
    expect(emitYaml({ k: 'a"b\\c\td' })).toBe('k: "a\\"b\\\\c\\td"\n');
    expect(emitYaml({ k: "\u0000\u001b\u007f\u0085 \u2028\ufeff\ud800" })).toBe(
      'k: "\\x00\\x1B\\x7F\\x85 \\u2028\\uFEFF\\uD800"\n',
    );
    expect(emitYaml({ k: "cr\r\n" })).toBe('k: "cr\\r\\n"\n');
  });

  it("writes multi-line strings as literal blocks when they read back exactly, else double-quoted", () => {
    expect(emitYaml({ k: "a\nb" })).toBe("k: |-\n  a\n  b\n");
    expect(emitYaml({ k: "a\n\n  b\n" })).toBe("k: |\n  a\n\n    b\n");
    expect(emitYaml({ k: "a\n\n", z: 1 })).toBe("k: |+\n  a\n\nz: 1\n");
    expect(emitYaml({ k: ["a\nb"], z: 1 })).toBe("k:\n  - |-\n    a\n    b\nz: 1\n");
    expect(emitYaml({ k: "a \nb" })).toBe('k: "a \\nb"\n');
    expect(emitYaml({ k: " a\nb" })).toBe('k: " a\\nb"\n');
    expect(emitYaml({ k: "\nb" })).toBe('k: "\\nb"\n');
    for (const s of ["a\nb", "a\n\n  b\n", "a\n\n", "a\n\n\n", "x:\n  - y\n# z\n---\n..."]) {
      expectRoundTrip({ k: s, list: [s, { s }], after: 1 });
    }
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
      nested: [[1, 2], [], {}, [{ a: 1, b: [true] }]],
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
        "  - - 1",
        "    - 2",
        "  - []",
        "  - {}",
        "  - - a: 1",
        "      b:",
        "        - true",
        "",
      ].join("\n"),
    );
    expectRoundTrip(model);
  });

  it("writes empty and scalar documents, and leaves out undefined entries like JSON", () => {
    expect(emitYaml({})).toBe("{}\n");
    expect(emitYaml([])).toBe("[]\n");
    expect(emitYaml(null)).toBe("null\n");
    expect(emitYaml("yes")).toBe('"yes"\n');
    expect(emitYaml({ a: undefined, b: { c: undefined } })).toBe("b: {}\n");
    expect(emitYaml([undefined])).toBe("- null\n");
  });

  it("writes a key longer than an implicit key may be as an explicit `? key`", () => {
    const long = "k".repeat(2000);
    expectRoundTrip({ [long]: { a: 1 }, [`${long}2`]: "v", b: [{ [long]: [1] }] });
  });

  it("writes numbers so that they read back the same", () => {
    expectRoundTrip({ a: 0, b: -7, c: 1.5, d: 1e21, e: 2 ** 53, f: -0.25, g: 1e-7, h: -1.5e300, i: 5e-324 });
    expect(emitYaml({ nan: Number.NaN, i: Number.POSITIVE_INFINITY, m: Number.NEGATIVE_INFINITY })).toBe(
      "nan: .nan\ni: .inf\nm: -.inf\n",
    );
    for (const o of [undefined, { version: "1.1" as const }]) {
      const back = parse(emitYaml({ z: -0, n: Number.NaN, i: -Infinity }), o);
      expect(Object.is(back.z, -0)).toBe(true);
      expect(back.n).toBeNaN();
      expect(back.i).toBe(-Infinity);
    }
  });

  it("reads back like the yaml package's YAML 1.1 stringify did, on a compose-like model", () => {
    const model = {
      name: "demo",
      services: {
        api: {
          command: ["node", "server.js", "--port", "8080"],
          depends_on: { db: { condition: "service_healthy", required: true, restart: false } },
          deploy: { resources: { limits: { cpus: 0.5, memory: "134217728" } }, replicas: 2 },
          entrypoint: null,
          environment: {
            DEBUG: "false",
            EMPTY: "",
            NO_PROXY: "localhost,127.0.0.1",
            OCTAL: "0755",
            ON: "on",
            PASSWORD: "p@ss: #word",
            TIME: "12:30",
            URL: "postgres://app:secret@db:5432/app?sslmode=disable",
            VERSION: "1.10",
            WHEN: "2024-01-02",
          },
          healthcheck: {
            interval: "10s",
            retries: 3,
            test: ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"],
          },
          image: "example/api:1.2.3",
          labels: { "com.example.rule": "Host(`api.example.com`)", "x.y": "yes" },
          networks: { back: null, front: { aliases: ["api", "api-1"], ipv4_address: "172.16.0.10" } },
          ports: [
            { mode: "ingress", target: 8080, published: "10001", protocol: "tcp" },
            { mode: "ingress", host_ip: "127.0.0.1", target: 9090, published: "20001", protocol: "udp" },
          ],
          restart: "unless-stopped",
          sysctls: { "net.core.somaxconn": "1024" },
          ulimits: { nofile: { soft: 20000, hard: 40000 }, nproc: 65535 },
          volumes: [
            { type: "volume", source: "data", target: "/var/lib/app", volume: {} },
            { type: "bind", source: "/srv/config", target: "/etc/app", read_only: true, bind: {} },
          ],
          working_dir: "/app",
        },
        db: {
          configs: [{ source: "init", target: "/docker-entrypoint-initdb.d/init.sql" }],
          healthcheck: { test: ["CMD", "pg_isready"], timeout: "5s" },
          image: "postgres:16",
          shm_size: "268435456",
          x_script: '#!/bin/sh\nset -e\n\necho "ready: yes"\n',
        },
      },
      networks: { back: { name: "demo_back" }, front: { name: "demo_front", ipam: { config: [] } } },
      volumes: { data: { name: "demo_data", driver_opts: { o: "bind", type: "none" } } },
      configs: { init: { name: "demo_init", file: "/srv/init.sql" } },
      "x-common": { "~": "tilde", "1": 1, "": "empty" },
    };
    // (Not with a `<<` key: the old output printed it plain, which YAML 1.1 readers take for a merge.)
    const old = stringify(model, { version: "1.1", lineWidth: 0 });
    const text = emitYaml(model);
    for (const o of [undefined, { version: "1.1" as const }]) {
      expect(parse(text, o)).toEqual(parse(old, o));
      expect(parse(text, o)).toEqual(model);
    }
    expect(readAsLoader(text)).toEqual(model);
  });

  it("round-trips random JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (v) => {
        expectRoundTrip(v);
        expectRoundTrip({ services: v });
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips random values whose strings mix unicode, YAML words and indicators", () => {
    const piece = fc.oneof(
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
      fc.constantFrom(...tricky),
      fc.constantFrom(" ", ":", "#", "-", "\n", "\t", ".", "0", "1", "e", "x", "_", "+", "'", '"', "\\"),
    );
    const text = fc.oneof(fc.string({ unit: piece, maxLength: 6 }), fc.constantFrom(...tricky));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        text,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        tie("list"),
        tie("map"),
      ),
      list: fc.array(tie("node"), { maxLength: 4 }),
      map: fc.dictionary(text, tie("node"), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(value.node, (v) => {
        const yamlText = emitYaml(v);
        for (const o of [undefined, { version: "1.1" as const }])
          expect(parse(yamlText, o), yamlText).toEqual(v);
        if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0)
          expect(readAsLoader(yamlText), yamlText).toEqual(v);
      }),
      { numRuns: 1000 },
    );
  });
});

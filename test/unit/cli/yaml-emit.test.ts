import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  emitYaml,
  goKeyCompare,
  goKeyLess,
  goPlainResolvesToString,
} from "../../../src/cli/render/yaml-emit.js";
import { parseWithPackage } from "../../../src/project/load/yaml.js";

/** The loader's reading (yaml.v3's scalar rules), for a mapping at the top like a compose file. */
function readAsLoader(text: string): unknown {
  return parseWithPackage("c.yaml", text).value;
}

/**
 * Strings and the reference's text of `x: [s, {s: 1}]` (docker compose 2.26.1 `config`, yaml.v3 v3.0.1),
 * without the `x:` line: plain, single- and double-quoted, literal blocks, escapes and explicit keys.
 */
const referenceScalars: [string, string[]][] = [
  ["", ['  - ""', '  - "": 1']],
  [" lead", ["  - ' lead'", "  - ' lead': 1"]],
  ["trail ", ["  - 'trail '", "  - 'trail ': 1"]],
  [" ", ["  - ' '", "  - ' ': 1"]],
  ["null", ['  - "null"', '  - "null": 1']],
  ["Null", ['  - "Null"', '  - "Null": 1']],
  ["~", ['  - "~"', '  - "~": 1']],
  ["true", ['  - "true"', '  - "true": 1']],
  ["tRuE", ["  - tRuE", "  - tRuE: 1"]],
  ["yes", ['  - "yes"', '  - "yes": 1']],
  ["No", ['  - "No"', '  - "No": 1']],
  ["on", ['  - "on"', '  - "on": 1']],
  ["OFF", ['  - "OFF"', '  - "OFF": 1']],
  ["y", ['  - "y"', '  - "y": 1']],
  ["N", ['  - "N"', '  - "N": 1']],
  ["0", ['  - "0"', '  - "0": 1']],
  ["12", ['  - "12"', '  - "12": 1']],
  ["-1", ['  - "-1"', '  - "-1": 1']],
  ["+1", ['  - "+1"', '  - "+1": 1']],
  ["0440", ['  - "0440"', '  - "0440": 1']],
  ["08", ['  - "08"', '  - "08": 1']],
  ["0o17", ['  - "0o17"', '  - "0o17": 1']],
  ["0x1F", ['  - "0x1F"', '  - "0x1F": 1']],
  ["0b101", ['  - "0b101"', '  - "0b101": 1']],
  ["-0b1", ['  - "-0b1"', '  - "-0b1": 1']],
  ["1_000", ['  - "1_000"', '  - "1_000": 1']],
  ["1.5", ['  - "1.5"', '  - "1.5": 1']],
  ["1.", ['  - "1."', '  - "1.": 1']],
  [".5", ['  - ".5"', '  - ".5": 1']],
  ["1e3", ['  - "1e3"', '  - "1e3": 1']],
  ["1E-3", ['  - "1E-3"', '  - "1E-3": 1']],
  ["e1", ["  - e1", "  - e1: 1"]],
  [".e1", ["  - .e1", "  - .e1: 1"]],
  [".", ["  - .", "  - .: 1"]],
  ["...", ["  - '...'", "  - '...': 1"]],
  ["... x", ["  - '... x'", "  - '... x': 1"]],
  [".inf", ['  - ".inf"', '  - ".inf": 1']],
  ["-.Inf", ['  - "-.Inf"', '  - "-.Inf": 1']],
  [".nan", ['  - ".nan"', '  - ".nan": 1']],
  ["1:20", ['  - "1:20"', '  - "1:20": 1']],
  ["-1:20", ['  - "-1:20"', '  - "-1:20": 1']],
  ["190:20:30.15", ['  - "190:20:30.15"', '  - "190:20:30.15": 1']],
  ["8080:80", ["  - 8080:80", "  - 8080:80: 1"]],
  ["2001-12-14", ['  - "2001-12-14"', '  - "2001-12-14": 1']],
  [
    "2001-12-14t21:59:43.10-05:00",
    ['  - "2001-12-14t21:59:43.10-05:00"', '  - "2001-12-14t21:59:43.10-05:00": 1'],
  ],
  ["2001-12-14 21:59:43.10", ['  - "2001-12-14 21:59:43.10"', '  - "2001-12-14 21:59:43.10": 1']],
  ["2001-12-14 21:59:43.10 -5", ["  - 2001-12-14 21:59:43.10 -5", "  - 2001-12-14 21:59:43.10 -5: 1"]],
  ["2001-02-30", ["  - 2001-02-30", "  - 2001-02-30: 1"]],
  ["=", ["  - =", "  - =: 1"]],
  ["<<", ["  - <<", "  - <<: 1"]],
  ["-", ["  - '-'", "  - '-': 1"]],
  ["---", ["  - '---'", "  - '---': 1"]],
  ["- x", ["  - '- x'", "  - '- x': 1"]],
  ["-x", ["  - -x", "  - -x: 1"]],
  ["?", ["  - '?'", "  - '?': 1"]],
  ["? x", ["  - '? x'", "  - '? x': 1"]],
  ["?x", ["  - ?x", "  - ?x: 1"]],
  [":", ["  - ':'", "  - ':': 1"]],
  [": x", ["  - ': x'", "  - ': x': 1"]],
  [":80", ["  - :80", "  - :80: 1"]],
  ["a: b", ["  - 'a: b'", "  - 'a: b': 1"]],
  ["a:b", ["  - a:b", "  - a:b: 1"]],
  ["a #b", ["  - 'a #b'", "  - 'a #b': 1"]],
  ["a#b", ["  - a#b", "  - a#b: 1"]],
  ["ends:", ["  - 'ends:'", "  - 'ends:': 1"]],
  ["#c", ["  - '#c'", "  - '#c': 1"]],
  [",a", ["  - ',a'", "  - ',a': 1"]],
  ["[a]", ["  - '[a]'", "  - '[a]': 1"]],
  ["{a}", ["  - '{a}'", "  - '{a}': 1"]],
  ["&a", ["  - '&a'", "  - '&a': 1"]],
  ["*a", ["  - '*a'", "  - '*a': 1"]],
  ["!t", ["  - '!t'", "  - '!t': 1"]],
  ["|", ["  - '|'", "  - '|': 1"]],
  [">", ["  - '>'", "  - '>': 1"]],
  ["'", ["  - ''''", "  - '''': 1"]],
  ["it's", ["  - it's", "  - it's: 1"]],
  ["'a'", ["  - '''a'''", "  - '''a''': 1"]],
  ['"', ["  - '\"'", "  - '\"': 1"]],
  ['say "hi"', ['  - say "hi"', '  - say "hi": 1']],
  ["%x", ["  - '%x'", "  - '%x': 1"]],
  ["@x", ["  - '@x'", "  - '@x': 1"]],
  ["`x", ["  - '`x'", "  - '`x': 1"]],
  ["127.0.0.1", ["  - 127.0.0.1", "  - 127.0.0.1: 1"]],
  ["0.0.0.0:8000", ["  - 0.0.0.0:8000", "  - 0.0.0.0:8000: 1"]],
  ["1d", ["  - 1d", "  - 1d: 1"]],
  ["10s", ["  - 10s", "  - 10s: 1"]],
  ["busybox:1.36", ["  - busybox:1.36", "  - busybox:1.36: 1"]],
  ["C:\\dir", ["  - C:\\dir", "  - C:\\dir: 1"]],
  ["tab\there", ['  - "tab\\there"', '  - "tab\\there": 1']],
  ["\ttab", ['  - "\\ttab"', '  - "\\ttab": 1']],
  ["line\nbreak", ["  - |-", "    line", "    break", "  - ? |-", "      line", "      break", "    : 1"]],
  ["line\n", ["  - |", "    line", "  - ? |", "      line", "    : 1"]],
  ["two\n\n", ["  - |+", "    two", "", "  - ? |+", "      two", "", "    : 1"]],
  [
    "  indented\nblock",
    ["  - |2-", "      indented", "    block", "  - ? |2-", "        indented", "      block", "    : 1"],
  ],
  ["trailing space \nline", ['  - "trailing space \\nline"', '  - ? "trailing space \\nline"', "    : 1"]],
  ["a\n\n\nb", ["  - |-", "    a", "", "", "    b", "  - ? |-", "      a", "", "", "      b", "    : 1"]],
  ["cr\r\nlf", ['  - "cr\\r\\nlf"', '  - ? "cr\\r\\nlf"', "    : 1"]],
  ["nul\u0000", ['  - "nul\\0"', '  - "nul\\0": 1']],
  ["esc\u001b", ['  - "esc\\e"', '  - "esc\\e": 1']],
  ["del", ['  - "del\\x7F"', '  - "del\\x7F": 1']],
  ["nel", ['  - "\\Nnel"', '  - ? "\\Nnel"', "    : 1"]],
  ["c1", ['  - "c1\\x9B"', '  - "c1\\x9B": 1']],
  ["ls x", ["  - 'ls     x'", "  - ? 'ls       x'", "    : 1"]],
  ["ls  x", ['  - "ls\\L x"', '  - ? "ls\\L x"', "    : 1"]],
  ["bom﻿", ['  - "bom\\uFEFF"', '  - "bom\\uFEFF": 1']],
  [
    "﻿bom first",
    [
      '  - "\\uFEFF\\x62\\x6F\\x6D\\x20\\x66\\x69\\x72\\x73\\x74"',
      '  - "\\uFEFF\\x62\\x6F\\x6D\\x20\\x66\\x69\\x72\\x73\\x74": 1',
    ],
  ],
  ["￾", ['  - "\\uFFFE"', '  - "\\uFFFE": 1']],
  ["nbsp end ", ["  - nbsp end ", "  - nbsp end : 1"]],
  ["é unicode", ["  - é unicode", "  - é unicode: 1"]],
  ["emoji 😀", ['  - "emoji \\U0001F600"', '  - "emoji \\U0001F600": 1']],
  ["9223372036854775807", ['  - "9223372036854775807"', '  - "9223372036854775807": 1']],
  ["9223372036854775808", ['  - "9223372036854775808"', '  - "9223372036854775808": 1']],
  ["18446744073709551616", ['  - "18446744073709551616"', '  - "18446744073709551616": 1']],
  ["0x10000000000000000", ["  - 0x10000000000000000", "  - 0x10000000000000000: 1"]],
  ["1e400", ["  - 1e400", "  - 1e400: 1"]],
  [".5e999", ["  - .5e999", "  - .5e999: 1"]],
  ["0b-1", ['  - "0b-1"', '  - "0b-1": 1']],
  ["0o+7", ['  - "0o+7"', '  - "0o+7": 1']],
];

describe("emitYaml", () => {
  it("writes each string as yaml.v3 does, as a value and as a key", () => {
    for (const [s, lines] of referenceScalars) {
      expect(emitYaml({ x: [s, { [s]: 1 }] }), JSON.stringify(s)).toBe(`x:\n${lines.join("\n")}\n`);
    }
  });

  it("keeps the leading line feed of a literal block, which yaml.v3 loses", () => {
    const text = emitYaml({ k: "\nleading\nx", l: ["\n a"] });
    expect(text).toBe("k: |2-\n\n  leading\n  x\nl:\n  - |2-\n\n     a\n");
    expect(readAsLoader(text)).toEqual({ k: "\nleading\nx", l: ["\n a"] });
  });

  it("reads plain only what yaml.v3 reads back as a string", () => {
    const plain = ["127.0.0.1", "0.0.0.0:8000", ":80", "1d", "8080:80", "<<", "yEs", "0x", "1e400", "0b-"];
    const typed = ["1:20", "0b-1", "0o+7", "1_000", "2001-1-2", "2001-12-14  1:2:3", "1e3", ".5_5", "-0o7"];
    for (const s of plain) expect(goPlainResolvesToString(s), s).toBe(true);
    for (const s of [...typed, "", "~", "NULL", "y", "OFF", ".NaN", "-.inf"])
      expect(goPlainResolvesToString(s), s).toBe(false);
    expect(goPlainResolvesToString("2001-02-29"), "not a leap year").toBe(true);
    expect(goPlainResolvesToString("2004-02-29")).toBe(false);
    expect(goPlainResolvesToString("2001-12-14t21:59:43.10-05:00")).toBe(false);
    expect(goPlainResolvesToString("2001-12-14 21:59:43.10 -5")).toBe(true);
  });

  it("orders plain objects' keys like yaml.v3 sorts a Go map, and Maps as they are", () => {
    const keys = [
      "REDISPASS",
      "b",
      "V10",
      "REDIS_SLAVEOF_IP",
      "a10",
      "V09",
      "a9",
      "V9",
      "",
      "_x",
      "B1",
      "1a",
    ];
    expect([...keys].sort(goKeyCompare)).toEqual([
      "",
      "_x",
      "1a",
      "B1",
      "REDIS_SLAVEOF_IP",
      "REDISPASS",
      "V9",
      "V09",
      "V10",
      "a9",
      "a10",
      "b",
    ]);
    expect(goKeyLess("18446744073709551615", "0"), "a digit run past 2^63 wraps").toBe(true);
    const value = Object.fromEntries(keys.map((k) => [k, 1]));
    expect(emitYaml(value).split("\n").slice(0, 4)).toEqual(['"": 1', "_x: 1", "1a: 1", "B1: 1"]);
    expect(emitYaml({ "10": 1, "9": 2, "09": 3 })).toBe('"9": 2\n"09": 3\n"10": 1\n');
    expect(
      emitYaml(
        new Map<string, unknown>([
          ["z", 1],
          ["a", { y: 1, b: 2 }],
        ]),
      ),
    ).toBe('z: 1\na:\n  b: 2\n  "y": 1\n');
  });

  it("writes block collections with two-space indentation, sequences of mappings after the dash", () => {
    const model = new Map<string, unknown>([
      ["name", "p"],
      ["nested", [[1, 2], [], {}, [{ a: 1, b: [true] }], null]],
      ["e", { A: "1", EMPTY: null, L: [] }],
    ]);
    expect(emitYaml(model)).toBe(
      [
        "name: p",
        "nested:",
        "  - - 1",
        "    - 2",
        "  - []",
        "  - {}",
        "  - - a: 1",
        "      b:",
        "        - true",
        "  - null",
        "e:",
        '  A: "1"',
        "  EMPTY: null",
        "  L: []",
        "",
      ].join("\n"),
    );
  });

  it("writes keys longer than 128 bytes or on several lines as explicit keys, values after `:`", () => {
    const long = "k".repeat(129);
    expect(emitYaml({ [long]: { a: 1, b: 2 }, ["k".repeat(128)]: [1, 2] })).toBe(
      `${"k".repeat(128)}:\n  - 1\n  - 2\n? ${long}\n: a: 1\n  b: 2\n`,
    );
    expect(emitYaml({ "a\nb": "v" })).toBe("? |-\n  a\n  b\n: v\n");
  });

  it("writes empty and scalar documents, and leaves out undefined entries like JSON", () => {
    expect(emitYaml({})).toBe("{}\n");
    expect(emitYaml([])).toBe("[]\n");
    expect(emitYaml(null)).toBe("null\n");
    expect(emitYaml("yes")).toBe('"yes"\n');
    expect(emitYaml({ a: undefined, b: { c: undefined } })).toBe("b: {}\n");
    expect(emitYaml([undefined])).toBe("- null\n");
  });

  it("writes numbers like Go: -0, .inf, -.inf and .nan", () => {
    expect(emitYaml({ z: -0, n: Number.NaN, i: Number.POSITIVE_INFINITY, m: Number.NEGATIVE_INFINITY })).toBe(
      'i: .inf\nm: -.inf\n"n": .nan\nz: -0\n',
    );
    expect(emitYaml({ a: 0, b: -7, c: 1.5, d: 1e21 })).toBe("a: 0\nb: -7\nc: 1.5\nd: 1e+21\n");
  });

  // Not LS and PS (yaml.v3 reads them as line breaks, but writes them as they are) nor `<<` (plain as yaml.v3
  // writes it, and a merge key to its reader).
  it("round-trips random values through the loader (yaml.v3's rules)", () => {
    const piece = fc.oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
      fc.constantFrom(...referenceScalars.map(([s]) => s).filter((s) => !/[\u2028\u2029]|<</.test(s))),
      fc.constantFrom(" ", ":", "#", "-", "\n", "\t", ".", "0", "1", "e", "x", "_", "+", "'", '"', "\\"),
    );
    const text = fc.string({ unit: piece, maxLength: 6 }).filter((s) => !/[\u2028\u2029]|^<<$/.test(s));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        text,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        fc.boolean(),
        fc.constant(null),
        tie("list"),
        tie("map"),
      ),
      list: fc.array(tie("node"), { maxLength: 4 }),
      map: fc.dictionary(text, tie("node"), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(value.map, (v) => {
        const yamlText = emitYaml({ k: v });
        expect(readAsLoader(yamlText), yamlText).toEqual({ k: v });
      }),
      { numRuns: 100 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { formatGoFloat } from "../../../src/project/load/gonumbers.js";
import { withNumberTexts } from "../../../src/project/load/numbers.js";
import { parseYamlDocument } from "../../../src/project/load/yaml.js";

const read = (text: string) => {
  const { value, tags, diagnostics } = parseYamlDocument("compose.yaml", text);
  expect(diagnostics).toEqual([]);
  return { value, numbers: tags.numbers };
};

describe("Go's text of numbers a JS number does not keep", () => {
  it("formats floats as fmt's %v does", () => {
    expect(formatGoFloat(1e6)).toBe("1e+06");
    expect(formatGoFloat(123456)).toBe("123456");
    expect(formatGoFloat(1.5e7)).toBe("1.5e+07");
    expect(formatGoFloat(1e20)).toBe("1e+20");
    expect(formatGoFloat(1e-5)).toBe("1e-05");
    expect(formatGoFloat(0.0001)).toBe("0.0001");
    expect(formatGoFloat(2.5)).toBe("2.5");
    expect(formatGoFloat(-0)).toBe("-0");
  });

  it("records integers beyond 2^53 and whole floats from 1e6 by path; other numbers are not recorded", () => {
    const { numbers } = read(
      [
        "e:",
        "  a: 9007199254740993",
        "  b: 0x20000000000001",
        "  c: 18446744073709551615",
        "  d: -9223372036854775808",
        "  f: 1e6",
        "  g: !!float 2000000",
        '  h: !!int "9_007_199_254_740_993"',
        "  small: 1000",
        "  exact: 9007199254740991",
        "  float: 2.5",
        "  text: '9007199254740993'",
        "",
      ].join("\n"),
    );
    expect(numbers).toEqual([
      [["e", "a"], "9007199254740993"],
      [["e", "b"], "9007199254740993"],
      [["e", "c"], "18446744073709551615"],
      [["e", "d"], "-9223372036854775808"],
      [["e", "f"], "1e+06"],
      [["e", "g"], "2e+06"],
      [["e", "h"], "9007199254740993"],
    ]);
  });

  it("turns recorded numbers into their text in maps of text only, without changing the document", () => {
    const { value, numbers } = read(
      [
        "x-env: &env",
        "  FROM_ANCHOR: 9007199254740995",
        "  OWN: 9007199254740997",
        "services:",
        "  a:",
        "    environment:",
        "      <<: *env",
        "      OWN: 5",
        "      BIG: 9223372036854775807",
        "      F: 1e6",
        "    labels: {big: 9007199254740993}",
        "    build: {args: {BIG: 9007199254740993}}",
        "    pids_limit: 9007199254740993",
        "    x-big: 9007199254740993",
        "    x-labels: {labels: {big: 9007199254740993}}",
        "",
      ].join("\n"),
    );
    const before = structuredClone(value);
    const out = withNumberTexts(value, numbers) as {
      services: { a: Record<string, unknown> };
      "x-env": unknown;
    };
    expect(value).toEqual(before);
    const a = out.services.a;
    expect(a.environment).toEqual({
      FROM_ANCHOR: "9007199254740995",
      OWN: 5,
      BIG: "9223372036854775807",
      F: "1e+06",
    });
    expect(a.labels).toEqual({ big: "9007199254740993" });
    expect(a.build).toEqual({ args: { BIG: "9007199254740993" } });
    // Typed fields and extensions keep a number, as the reference does (printed exactly there: a gap).
    expect(typeof a.pids_limit).toBe("number");
    expect(typeof a["x-big"]).toBe("number");
    expect(a["x-labels"]).toEqual({ labels: { big: 9007199254740992 } });
    expect(out["x-env"]).toBe((value as { "x-env": unknown })["x-env"]);
  });

  it("leaves a document without recorded numbers as it is", () => {
    const { value, numbers } = read("services:\n  a:\n    environment: {A: 1, B: 2.5}\n");
    expect(withNumberTexts(value, numbers)).toBe(value);
  });
});

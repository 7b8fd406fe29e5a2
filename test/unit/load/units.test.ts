import { describe, expect, it } from "vitest";
import { splitShellWords } from "../../../src/project/load/shellwords.js";
import { canonicalDuration, parseSize } from "../../../src/project/load/units.js";

describe("durations (Go's ParseDuration and Duration.String, as the reference prints them)", () => {
  it.each([
    ["1m30s", "1m30s"],
    ["90s", "1m30s"],
    ["1m", "1m0s"],
    ["1h", "1h0m0s"],
    ["1.5h", "1h30m0s"],
    ["3600s", "1h0m0s"],
    ["1h2m3.5s", "1h2m3.5s"],
    ["0s", "0s"],
    ["0", "0s"],
    ["500ms", "500ms"],
    ["1ms500us", "1.5ms"],
    ["100us", "100µs"],
    ["1000ns", "1µs"],
    ["-1s", "-1s"],
    ["2h0m", "2h0m0s"],
  ])("%s → %s", (text, printed) => {
    expect(canonicalDuration(text)).toEqual({ ok: true, value: printed });
  });

  it("reports Go's errors", () => {
    expect(canonicalDuration("10x")).toEqual({
      ok: false,
      error: 'time: unknown unit "x" in duration "10x"',
    });
    expect(canonicalDuration("1d")).toEqual({ ok: false, error: 'time: unknown unit "d" in duration "1d"' });
    expect(canonicalDuration("10")).toEqual({ ok: false, error: 'time: missing unit in duration "10"' });
    expect(canonicalDuration("")).toEqual({ ok: false, error: 'time: invalid duration ""' });
  });
});

describe("sizes (binary multiples, like the reference)", () => {
  it.each([
    ["1g", 1073741824],
    ["1gb", 1073741824],
    ["1GiB", 1073741824],
    ["1 g", 1073741824],
    ["1.5g", 1610612736],
    ["100k", 102400],
    ["10M", 10485760],
    ["1b", 1],
    ["1t", 1099511627776],
    ["1024", 1024],
    [1024, 1024],
    [0.5, 0],
  ])("%s → %d bytes", (text, bytes) => {
    expect(parseSize(text)).toEqual({ ok: true, value: bytes });
  });

  it("rejects what the reference rejects", () => {
    expect(parseSize("10x")).toEqual({ ok: false, error: "invalid size: '10x'" });
    expect(parseSize("1.2.3g")).toEqual({ ok: false, error: "invalid size: '1.2.3g'" });
  });
});

describe("command strings split like the reference", () => {
  it.each([
    [`echo 'a b' "c d" e\\ f`, ["echo", "a b", "c d", "e f"]],
    [`a\\"b c`, ['a"b', "c"]],
    ["a  b\\tc", ["a", "btc"]],
    ["'it''s'", ["its"]],
    ['a "" b', ["a", "", "b"]],
    ['""', [""]],
    ["", []],
    ["  ", []],
    ["a;b", ["a"]],
    ["a | b > c", ["a"]],
    ["a & b", ["a"]],
    ["a `b` $c", ["a", "`b`", "$c"]],
    ["'a \\\" b'", ['a \\" b']],
    ['a"b c"d', ["ab cd"]],
    ["a\nb", ["a", "b"]],
  ])("%j", (line, words) => {
    expect(splitShellWords(line)).toEqual({ ok: true, words });
  });

  it("fails on an unclosed quote", () => {
    expect(splitShellWords('"a')).toEqual({ ok: false, error: "invalid command line string" });
    expect(splitShellWords('"a\\\\"b" c')).toEqual({ ok: false, error: "invalid command line string" });
  });
});

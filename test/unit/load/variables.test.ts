import { describe, expect, it } from "vitest";
import { extractVariables, formatVariables, variablesIn } from "../../../src/project/load/variables.js";

const v = (
  name: string,
  more: Partial<{ required: boolean; defaultValue: string; alternateValue: string }> = {},
) => ({
  name,
  required: false,
  defaultValue: "",
  alternateValue: "",
  ...more,
});

describe("variablesIn", () => {
  it("reads every form, with the operand as written", () => {
    expect(variablesIn("$A ${B} ${C:-c} ${D-d} ${E:+e} ${F+f} ${G:?g} ${H?}")).toEqual([
      v("A"),
      v("B"),
      v("C", { defaultValue: "c" }),
      v("D", { defaultValue: "d" }),
      v("E", { alternateValue: "e" }),
      v("F", { alternateValue: "f" }),
      v("G", { required: true }),
      v("H", { required: true }),
    ]);
  });

  it("reads nested operands too, and skips $$", () => {
    expect(variablesIn("${A:-${B:-x}} $$C")).toEqual([
      v("A", { defaultValue: "${B:-x}" }),
      v("B", { defaultValue: "x" }),
    ]);
  });

  it("counts a `${` that is not a variable as one without a name", () => {
    expect(variablesIn("${X")).toEqual([v("")]);
    expect(variablesIn("$1 $-")).toEqual([]);
  });
});

describe("extractVariables", () => {
  it("reads mapping values and strings of lists, not mappings inside lists nor keys", () => {
    const model = {
      services: { web: { image: "${IMG}", env_file: [{ path: "${HIDDEN}" }], dns: ["${DNS}"] } },
      "${KEY}": "x",
    };
    expect(extractVariables(model).map((x) => x.name)).toEqual(["DNS", "IMG"]);
  });
});

describe("formatVariables", () => {
  it("prints the reference's table: columns at least 20 wide, 3 spaces of padding", () => {
    const long = "A_VERY_LONG_VARIABLE_NAME_INDEED";
    expect(
      formatVariables([v(long, { defaultValue: "d" }), v("R", { required: true, alternateValue: "a" })]),
    ).toBe(
      [
        `NAME${" ".repeat(31)}REQUIRED            DEFAULT VALUE       ALTERNATE VALUE`,
        `${long}   false               d                   `,
        `R${" ".repeat(34)}true                                    a`,
        "",
      ].join("\n"),
    );
  });
});

describe("deep nesting", () => {
  it("reads `${A:-${B:-…}}` nested 5,000 deep, in order", () => {
    const n = 5000;
    const text = `${"${A:-$B".repeat(n)}x${"}".repeat(n)}`;
    const found = variablesIn(text);
    expect(found).toHaveLength(2 * n);
    expect(found.slice(0, 2).map((v) => v.name)).toEqual(["A", "B"]);
    expect(found.at(-2)).toEqual({ name: "A", required: false, defaultValue: "$Bx", alternateValue: "" });
  });
});

import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { formatDiagnosticHeadline } from "../../../src/project/load/diagnostics.js";
import { parseYamlDocument } from "../../../src/project/load/yaml.js";
import type { SchemaError } from "../../../src/schema/validate.generated.js";
import { editDistance, explainErrors, nearest, validateCompose } from "../../../src/schema/validate.js";
import { loadFixtures } from "./fixtures.js";

/** Parses `text` as compose.yaml and validates it, as "file:line:col: path: message (hint)" lines. */
function check(text: string): string[] {
  const parsed = parseYamlDocument("compose.yaml", text);
  expect(parsed.diagnostics).toEqual([]);
  return validateCompose(parsed.value, parsed.locate, "compose.yaml").map(formatDiagnosticHeadline);
}

describe("validateCompose", () => {
  it("accepts every valid fixture", () => {
    for (const f of loadFixtures("valid")) expect(validateCompose(f.parsed.value), f.name).toEqual([]);
  });

  it("names an unknown key, where it is, with the nearest known key", () => {
    const text = ["services:", "  web:", "    image: nginx", "    commandd: echo hi"].join("\n");
    expect(check(text)).toEqual([
      "compose.yaml:4:5: services.web.commandd: unknown key 'commandd' (did you mean 'command'?)",
    ]);
    const [d] = validateCompose(parseYamlDocument("f", text).value);
    expect(d).toMatchObject({ path: ["services", "web", "commandd"], hint: "did you mean 'command'?" });
  });

  it("suggests x- for an unknown key far from every known one, where extensions are allowed", () => {
    expect(check("services:\n  web:\n    image: x\n    zzzzzz: 1\n")).toEqual([
      "compose.yaml:4:5: services.web.zzzzzz: unknown key 'zzzzzz' (custom keys must start with 'x-')",
    ]);
    expect(check("servics: {}\n")).toEqual([
      "compose.yaml:1:1: servics: unknown key 'servics' (did you mean 'services'?)",
    ]);
  });

  it("describes the expected shape of a value, at the value", () => {
    expect(check('services:\n  web:\n    image: x\n    dns: 5\n    ports: "80:80"\n')).toEqual([
      "compose.yaml:4:10: services.web.dns: must be a string or a list of strings",
      "compose.yaml:5:12: services.web.ports: must be a list of ports",
    ]);
    expect(check("services:\n  web:\n    image: x\n    environment: 3\n")).toEqual([
      "compose.yaml:4:18: services.web.environment: must be a mapping or a list of KEY=VALUE strings",
    ]);
    expect(check("services:\n  web:\n    image: [x]\n")).toEqual([
      "compose.yaml:3:12: services.web.image: must be a string",
    ]);
  });

  it("locates list items by index", () => {
    const text = [
      "services:",
      "  web:",
      "    image: x",
      "    ports:",
      "      - 80",
      "      - {target: 80, nope: 1}",
    ];
    expect(check(text.join("\n"))).toEqual([
      "compose.yaml:6:22: services.web.ports[1].nope: unknown key 'nope' (custom keys must start with 'x-')",
    ]);
  });

  it("points a missing required key at the mapping that lacks it", () => {
    const text = [
      "services:",
      "  web:",
      "    image: x",
      "    depends_on:",
      "      db:",
      "        required: true",
    ];
    const parsed = parseYamlDocument("c.yaml", text.join("\n"));
    const diagnostics = validateCompose(parsed.value, parsed.locate);
    expect(diagnostics).toEqual([
      {
        path: ["services", "web", "depends_on", "db"],
        message: "missing required key 'condition'",
        position: { file: "c.yaml", line: 5, column: 7 },
      },
    ]);
  });

  it("reports a value outside an enum with the closest allowed value", () => {
    expect(check("services:\n  web:\n    image: x\n    pull_policy: alwyas\n")).toEqual([
      "compose.yaml:4:18: services.web.pull_policy: must be one of 'always', 'never', 'if_not_present', 'build', 'missing' (did you mean 'always'?)",
    ]);
  });

  it("reports ranges and duplicates in words", () => {
    expect(check("services:\n  web:\n    image: x\n    cpu_percent: 150\n    cap_add: [A, B, A]\n")).toEqual([
      "compose.yaml:4:18: services.web.cpu_percent: must be an integer from 0 to 100",
      "compose.yaml:5:21: services.web.cap_add[2]: duplicate entry 'A' (same as item 0)",
    ]);
  });

  it("reports invalid resource names", () => {
    expect(check('volumes:\n  "my data": {}\n')).toEqual([
      "compose.yaml:2:3: volumes.my data: invalid name 'my data': only letters, digits, '.', '_' and '-' are allowed",
    ]);
  });

  it("reports every error of a document at once, in source order", () => {
    const [f] = loadFixtures("invalid").filter((x) => x.name === "many-errors.yaml");
    if (!f) throw new Error("fixture many-errors.yaml is missing");
    const lines = validateCompose(f.parsed.value, f.parsed.locate).map(formatDiagnosticHeadline);
    expect(lines).toEqual([
      "invalid/many-errors.yaml:5:5: services.web.commandd: unknown key 'commandd' (did you mean 'command'?)",
      "invalid/many-errors.yaml:6:26: services.web.ports[0].foo: unknown key 'foo' (custom keys must start with 'x-')",
      "invalid/many-errors.yaml:7:18: services.web.environment: must be a mapping or a list of KEY=VALUE strings",
      "invalid/many-errors.yaml:8:14: services.web.restart: must be a string",
      "invalid/many-errors.yaml:10:5: services.db.imag: unknown key 'imag' (did you mean 'image'?)",
      "invalid/many-errors.yaml:13:5: volumes.data.driverr: unknown key 'driverr' (did you mean 'driver'?)",
    ]);
  });

  it("gives every invalid fixture at least one located diagnostic with a human message", () => {
    for (const f of loadFixtures("invalid")) {
      const diagnostics = validateCompose(f.parsed.value, f.parsed.locate, f.name);
      expect(diagnostics.length, f.name).toBeGreaterThan(0);
      for (const d of diagnostics) {
        expect(d.position?.line, f.name).toBeGreaterThan(0);
        expect(d.message, f.name).not.toMatch(/must match|additionalProperties|should|NOT/);
      }
    }
  });

  it("locates at the nearest known parent, or at the file, when a path cannot be found", () => {
    const value = { services: { web: { image: 1 } } };
    expect(validateCompose(value, () => undefined, "merged.yaml")[0]?.position).toEqual({
      file: "merged.yaml",
      line: 1,
      column: 1,
    });
    const parentOnly = (p: readonly (string | number)[]) =>
      p.length <= 2 ? { file: "a.yaml", line: p.length + 1, column: 3 } : undefined;
    expect(validateCompose(value, parentOnly)[0]?.position).toEqual({ file: "a.yaml", line: 3, column: 3 });
    expect(validateCompose(value)[0]?.position).toBeUndefined();
  });
});

describe("alternatives (oneOf/anyOf) collapse into one message per location", () => {
  const Ajv = AjvModule.default;
  const schema = {
    type: "object",
    properties: {
      port: {
        oneOf: [
          { type: "integer" },
          { type: "string" },
          { type: "object", properties: { target: { type: "integer" } }, additionalProperties: false },
        ],
      },
      words: { title: "a word or a list of words", anyOf: [{ type: "string" }, { type: "array" }] },
    },
  };
  const validate = new Ajv({ allErrors: true, verbose: true, messages: false }).compile(schema);
  const explain = (value: unknown) => {
    validate(value);
    return explainErrors((validate.errors ?? []) as unknown as SchemaError[], value).map(
      formatDiagnosticHeadline,
    );
  };

  it("one message when no alternative fits the value's shape", () => {
    expect(explain({ port: true, words: 5 })).toEqual([
      "port: must be an integer, a string or a mapping",
      "words: must be a word or a list of words",
    ]);
  });

  it("the errors of the one alternative that fits the shape", () => {
    // Without positions, diagnostics keep ajv's order (keywords before properties).
    expect(explain({ port: { target: "x", tagret: 1 } })).toEqual([
      "port.tagret: unknown key 'tagret' (did you mean 'target'?)",
      "port.target: must be an integer",
    ]);
  });
});

describe("did-you-mean", () => {
  it("measures edits, a swap of neighbours counting once", () => {
    expect(editDistance("command", "command")).toBe(0);
    expect(editDistance("commandd", "command")).toBe(1);
    expect(editDistance("imgae", "image")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggests only plausible typos", () => {
    expect(nearest("enviroment", ["environment", "entrypoint"])).toBe("environment");
    expect(nearest("Image", ["image"])).toBe("image");
    expect(nearest("q", ["z", "Z"])).toBeUndefined();
    expect(nearest("banana", ["image", "command"])).toBeUndefined();
  });
});

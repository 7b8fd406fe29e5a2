// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose templates, not JS ones
// Expected values were read from docker compose v2.26 `config` (see interpolate.reference.test.ts).
import { describe, expect, it } from "vitest";
import {
  castKindAt,
  castTypes,
  documentErrorText,
  interpolateDocument,
  referencePath,
  substitute,
  templateErrorText,
} from "../../../src/project/load/interpolate.js";

const env: Record<string, string> = { FOO: "bar", EMPTY: "" };
const lookup = (name: string) => env[name];
const value = (template: string) => substitute(template, lookup).value;

describe("substitute", () => {
  it.each([
    ["$FOO", "bar"],
    ["${FOO}", "bar"],
    ["${UNSET:-def}", "def"],
    ["${EMPTY:-def}", "def"],
    ["${EMPTY-def}", ""],
    ["${UNSET-def}", "def"],
    ["${FOO:+alt}", "alt"],
    ["${EMPTY:+alt}", ""],
    ["${EMPTY+alt}", "alt"],
    ["${UNSET+alt}", ""],
    ["${UNSET:-${FOO:-c}}", "bar"],
    ["$$FOO", "$FOO"],
    ["$$$FOO", "$bar"],
    ["$", "$"],
    ["a $ b", "a $ b"],
    ["$1", "$1"],
    ["$-", "$-"],
    ["$é", "$é"],
    ["$FOO.x", "bar.x"],
    ["${FOO:?}", "bar"],
    ["${EMPTY?must}", ""],
    ["${UNSET-BAR:-x}", "BAR:-x"],
    ["${UNSET-a:?b}", "a:?b"],
    ["${UNSET:-a}b}", "ab}"],
    ["${UNSET:-{a}", "{a"],
    ["${UNSET:-{a}b}c}", "{a}bc}"],
    ["${UNSET:-a}${FOO}b}", "abarb}"],
    ["${FOO:-x}-${FOO}", "bar-bar"],
    ["${UNSET:+x}-${FOO}", "-bar"],
    ["${UNSET:-$$}", "$"],
    ["${UNSET:-a}\n}", "a\n}"],
  ])("%j → %j", (template, expected) => {
    expect(value(template)).toBe(expected);
  });

  it("reads names case-insensitively the Go way, including ſ and the Kelvin sign", () => {
    expect(substitute("$ſ|${K}|$foo", lookup).unset).toEqual(["ſ", "K", "foo"]);
  });

  it("reports each unset read once per occurrence, including in unused operands", () => {
    expect(substitute("$U1${U1}", lookup).unset).toEqual(["U1", "U1"]);
    expect(substitute("${FOO:-$U2}", lookup)).toEqual({ value: "bar", unset: ["U2"] });
    expect(substitute("${UNSET:-x}", lookup).unset).toEqual([]);
  });

  it.each([
    ["${}", "${}"],
    ["${FOO", "${FOO"],
    ["${ FOO}", "${ FOO}"],
    ["${FOO:}", "${FOO:}"],
    ["${FOO#x}", "${FOO#x}"],
    ["${1}", "${1}"],
    ["${UNSET:-x}-${}", "-${}"],
    ["${UNSET:-x}-${FOO}-${", "${UNSET:-x}-${FOO}-${"],
    ["${UNSET:-${FOO}", "${FOO"],
    ["${UNSET:-a\nb}", "${UNSET:-a\nb}"],
  ])("%j is invalid, quoting %j", (template, quoted) => {
    expect(substitute(template, lookup).error).toEqual({ kind: "invalid", template: quoted });
  });

  it("fails on required variables, with the operand interpolated", () => {
    expect(substitute("${UNSET:?}", lookup).error).toEqual({
      kind: "required",
      variable: "UNSET",
      detail: "",
    });
    expect(substitute("${EMPTY:?e $FOO}", lookup).error).toEqual({
      kind: "required",
      variable: "EMPTY",
      detail: "e bar",
    });
    expect(substitute("${FOO:-${U3:?inner}}", lookup).error).toMatchObject({
      variable: "U3",
      detail: "inner",
    });
  });
});

describe("messages", () => {
  const path = ["services", "web", "ports", 0];
  it("uses the reference's texts", () => {
    expect(referencePath(path)).toBe("services.web.ports.[]");
    expect(documentErrorText({ kind: "invalid", template: "${}" }, path)).toBe(
      "invalid interpolation format for services.web.ports.[].\nYou may need to escape any $ with another $.\n${}",
    );
    expect(documentErrorText({ kind: "required", variable: "X", detail: "why" }, path)).toBe(
      "error while interpolating services.web.ports.[]: required variable X is missing a value: why",
    );
    expect(templateErrorText({ kind: "invalid", template: "\t${" })).toBe('Invalid template: "\\t${"');
  });
});

describe("interpolateDocument", () => {
  it("interpolates values everywhere but never mapping keys", () => {
    const doc = {
      services: { web: { environment: { "${FOO}": "$FOO", N: 1, B: true, Z: null } } },
      "x-a": ["$FOO"],
    };
    const out = interpolateDocument(doc, lookup);
    expect(out.value).toEqual({
      services: { web: { environment: { "${FOO}": "bar", N: 1, B: true, Z: null } } },
      "x-a": ["bar"],
    });
    expect(out.errors).toEqual([]);
  });

  it("locates warnings and errors by document path", () => {
    const out = interpolateDocument({ services: { web: { command: ["$NOPE", "${}"] } } }, lookup);
    expect(out.warnings).toEqual([
      {
        path: ["services", "web", "command", 0],
        message: 'The "NOPE" variable is not set. Defaulting to a blank string.',
      },
    ]);
    expect(out.errors.map((e) => e.path)).toEqual([["services", "web", "command", 1]]);
  });
});

describe("castTypes", () => {
  it("knows which paths the reference casts", () => {
    expect(castKindAt(["services", "web", "ports", 0, "target"])).toBe("int");
    expect(castKindAt(["services", "web", "ports", 0, "published"])).toBeUndefined();
    expect(castKindAt(["services", "web", "ulimits", "nofile"])).toBe("int");
    expect(castKindAt(["services", "web", "cpus"])).toBe("float32");
    expect(castKindAt(["services", "web", "mem_limit"])).toBeUndefined();
    expect(castKindAt(["networks", "n", "external"])).toBe("bool");
  });

  it("converts strings, warns on YAML 1.1 booleans and leaves other values alone", () => {
    const doc = {
      services: {
        web: { tty: "yes", scale: "+3", cpus: "0x1.8p1", cpu_count: "007", mem_limit: "1g", init: false },
      },
    };
    const out = castTypes(doc);
    expect(out.value).toEqual({
      services: { web: { tty: true, scale: 3, cpus: 3, cpu_count: 7, mem_limit: "1g", init: false } },
    });
    expect(out.warnings.map((w) => w.message)).toEqual([
      '"yes" for boolean is not supported by YAML 1.2, please use `true`',
    ]);
  });

  it.each([
    ["tty", "maybe", "invalid boolean: maybe"],
    ["scale", " 3", 'strconv.Atoi: parsing " 3": invalid syntax'],
    ["scale", "99999999999999999999x", 'strconv.Atoi: parsing "99999999999999999999x": value out of range'],
    ["cpu_count", "0x10", 'strconv.ParseInt: parsing "0x10": invalid syntax'],
    ["cpus", "3.5e38", 'strconv.ParseFloat: parsing "3.5e38": value out of range'],
    ["cpus", "1__0", 'strconv.ParseFloat: parsing "1__0": invalid syntax'],
  ])("%s: %j fails like the reference", (key, text, reason) => {
    const out = castTypes({ services: { web: { [key]: text } } });
    expect(out.errors.map((e) => e.message)).toEqual([
      `error while interpolating services.web.${key}: failed to cast to expected type: ${reason}`,
    ]);
  });
});

describe("castTypes: the fields the reference converts while decoding", () => {
  it("converts them too, a device count of `all` (any case) to -1", () => {
    const web = {
      attach: "false",
      build: { no_cache: "true", pull: "True", privileged: "false" },
      volumes: [{ type: "bind", bind: { create_host_path: "true" } }],
      depends_on: { db: { restart: "true" } },
      env_file: [{ path: "a.env", required: "false" }],
      deploy: {
        resources: {
          limits: { pids: "100" },
          reservations: {
            devices: [{ count: "2" }, { count: "ALL" }],
            generic_resources: [{ discrete_resource_spec: { kind: "gpu", value: "3" } }],
          },
        },
      },
    };
    const out = castTypes({ services: { web } });
    expect(out.errors).toEqual([]);
    expect(out.value).toEqual({
      services: {
        web: {
          attach: false,
          build: { no_cache: true, pull: true, privileged: false },
          volumes: [{ type: "bind", bind: { create_host_path: true } }],
          depends_on: { db: { restart: true } },
          env_file: [{ path: "a.env", required: false }],
          deploy: {
            resources: {
              limits: { pids: 100 },
              reservations: {
                devices: [{ count: 2 }, { count: -1 }],
                generic_resources: [{ discrete_resource_spec: { kind: "gpu", value: 3 } }],
              },
            },
          },
        },
      },
    });
  });

  it("fails on bad text with the reference's decoding messages, and refuses any text as a blkio weight", () => {
    const web = {
      attach: "x",
      deploy: { resources: { reservations: { devices: [{ count: "two" }] } } },
      blkio_config: { weight: "300", weight_device: [{ path: "/dev/sda", weight: "200" }] },
    };
    expect(castTypes({ services: { web } }).errors.map((e) => e.message)).toEqual([
      "error decoding 'services[web].attach': invalid boolean: x",
      "error decoding 'services[web].deploy.resources.reservations.devices[0].count': invalid value \"two\", the only value allowed is 'all' or a number",
      "'services[web].blkio_config.weight' expected type 'uint16', got unconvertible type 'string', value: '300'",
      "'services[web].blkio_config.weight_device[0].weight' expected type 'uint16', got unconvertible type 'string', value: '200'",
    ]);
  });
});

describe("deep nesting", () => {
  const nested = (n: number, open: string, inner: string, close: string) =>
    `${open.repeat(n)}${inner}${close.repeat(n)}`;

  it("expands `${A:-${A:-…}}` nested 5,000 deep, as the reference does", () => {
    const template = nested(5000, "${A:-", "x", "}");
    expect(substitute(template, () => undefined)).toEqual({ value: "x", unset: [] });
    expect(substitute(template, (n) => (n === "A" ? "1" : undefined)).value).toBe("1");
    // Observed on 2.26.1 with A=1 (each `}c` after the first cut is text).
    const mixed = nested(5000, "a${A:-b", "x", "}c");
    expect(substitute(mixed, (n) => (n === "A" ? "1" : undefined)).value).toBe("a1c");
    expect(substitute(mixed, () => undefined).value).toBe(`${"ab".repeat(5000)}x${"c".repeat(5000)}`);
  });

  it("reports an error deep inside, and reads unset variables in order", () => {
    const failing = substitute(nested(3000, "${A:-", "${B:?gone}", "}"), () => undefined);
    expect(failing.error).toEqual({ kind: "required", variable: "B", detail: "gone" });
    const unset = substitute(nested(3000, "${A:-$C", "", "}"), () => undefined);
    expect(unset).toEqual({ value: "", unset: Array(3000).fill("C") });
  });
});

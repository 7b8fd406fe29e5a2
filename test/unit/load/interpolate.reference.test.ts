// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose templates, not JS ones
// Differential tests: the same inputs through the reference `docker compose config` and through our
// functions. Values are batched into one compose file per reference run; errors need a run each (the
// reference stops at the first), and those runs go in parallel.
import { describe, expect, it } from "vitest";
import { parseEnvFile } from "../../../src/project/load/envfile.js";
import {
  castTypes,
  documentErrorText,
  interpolateDocument,
  substitute,
  unsetVariableWarning,
} from "../../../src/project/load/interpolate.js";
import { reference, runReference, skipNote, unescapeDollars, yamlString } from "../../helpers/reference.js";

const env: Record<string, string> = { FOO: "bar", EMPTY: "", SP: " a b " };
const lookup = (name: string) => env[name];
const sorted = (list: string[]) => [...list].sort();

// biome-ignore format: a table
const valueCases = [
  "$FOO", "${FOO}", "${UNSET:-def}", "${EMPTY:-def}", "${EMPTY-def}", "${UNSET-def}", "${FOO:+alt}",
  "${EMPTY:+alt}", "${EMPTY+alt}", "${UNSET+alt}", "${UNSET:-${FOO:-c}}", "$$FOO", "$$$FOO", "${UNSET}",
  "$UNSET2", "a$FOO-b", "$FOO.x", "${FOO}bar", "$", "a $ b", "$1", "${UNSET:-a b}", "${UNSET:-}",
  "${FOO:?err}", "${UNSET:-$FOO}", "$FOO_BAR", "${UNSET:-a}b}", "${UNSET:-{a}b}c}", "${UNSET:-{a}",
  "${FOO:-x}-${FOO}", "${UNSET:+x}-${FOO}", "${UNSET:-a${FOO}b}", "${UNSET:-a}${FOO}b}", "${UNSET:-$FOO}}",
  "${UNSET-BAR:-x}", "${FOO-BAR:-x}", "${UNSET-a:?b}", "${UNSET+a:-b}", "${FOO+a:-b}", "$-", "$_x", "$é",
  "$ſ|${K}", "$${FOO}", "{$FOO}", "${SP}", "${UNSET:-$UNSET2}", "${FOO:-$UNSET3}", "${FOO?$UNSET4}",
  "$UNSET5${UNSET5}", "${UNSET:-a}\n}", "${FOO}\n${UNSET:-x}", "${UNSET:-a\tb}", "${EMPTY?must}",
  "${FOO:?}", "${UNSET:-$$}", "x${UNSET:-y}z${FOO:+w}", "$FOO$", "${UNSET:-'q'}", '${UNSET:-"q"}',
];

// biome-ignore format: a table
const errorCases = [
  "${}", "${FOO", "${UNSET:?}", "${UNSET:?must be set}", "${EMPTY:?e}", "${UNSET?must}", "${ FOO}",
  "${FOO:}", "${FOO#x}", "${1}", "${UNSET:-${UNSET2:?inner}}", "${FOO:-${UNSET2:?e}}", "${UNSET:-x}-${}",
  "${UNSET:-x}-${FOO}-${", "${UNSET:-a\nb}", "${UNSET:?err $FOO}", "${UNSET:-${FOO}", "${FOO\n}",
];

function composeWithEnvironment(values: string[]): string {
  const lines = values.map((v, i) => `      V${i}: ${yamlString(v)}`);
  return `services:\n  web:\n    image: alpine\n    environment:\n${lines.join("\n")}\n`;
}

describe.skipIf(!reference)(
  `interpolation agrees with the reference${skipNote}`,
  { concurrent: true },
  () => {
    it("gives the same value and the same unset-variable warnings", async () => {
      const ref = await runReference({ "compose.yaml": composeWithEnvironment(valueCases) }, env);
      expect(ref.error).toBe("");
      const environment = (ref.json as { services: { web: { environment: Record<string, string> } } })
        .services.web.environment;
      const ours = valueCases.map((v) => substitute(v, lookup));
      const theirs = valueCases.map((_, i) => unescapeDollars(environment[`V${i}`] ?? "<missing>"));
      expect(ours.map((s, i) => [valueCases[i], s.value])).toEqual(valueCases.map((v, i) => [v, theirs[i]]));
      expect(sorted(ours.flatMap((s) => s.unset.map(unsetVariableWarning)))).toEqual(sorted(ref.warnings));
    }, 30_000);

    it("fails with the same messages", async () => {
      const path = ["services", "web", "environment", "A"];
      const runs = await Promise.all(
        errorCases.map((v) =>
          runReference({ "compose.yaml": composeWithEnvironment([v]).replace("V0", "A") }, env),
        ),
      );
      const ours = errorCases.map((v) => {
        const s = substitute(v, lookup);
        return [v, s.error ? documentErrorText(s.error, path) : `no error: ${s.value}`];
      });
      expect(ours).toEqual(errorCases.map((v, i) => [v, runs[i]?.error]));
      expect(runs.map((r) => r.code)).toEqual(errorCases.map(() => 15));
    }, 30_000);

    it("names sequence entries [] in error paths", async () => {
      const text = 'services:\n  web:\n    image: alpine\n    command: ["a", "${UNSET:?x}"]\n';
      const ref = await runReference({ "compose.yaml": text }, env);
      const doc = { services: { web: { image: "alpine", command: ["a", "${UNSET:?x}"] } } };
      expect(interpolateDocument(doc, lookup).errors.map((e) => e.message)).toEqual([ref.error]);
    }, 30_000);
  },
);

const castService = {
  scale: "+3",
  cpus: "0x1.8p1",
  cpu_count: "007",
  cpu_percent: "1e1",
  cpu_shares: "512",
  cpu_period: "100000",
  cpu_quota: "50000",
  cpu_rt_period: "1000",
  cpu_rt_runtime: "950",
  oom_score_adj: "-5",
  pids_limit: "10",
  tty: "yes",
  stdin_open: "On",
  init: "N",
  oom_kill_disable: "TRUE",
  privileged: "true",
  read_only: "y",
  ports: [{ target: "80" }],
  ulimits: { nofile: "5", nproc: { soft: "1", hard: "2" } },
  volumes: [{ type: "volume", source: "v", target: "/a", read_only: "on", volume: { nocopy: "yes" } }],
  configs: [{ source: "c", mode: "0440" }],
  secrets: [{ source: "s", mode: "400" }],
  healthcheck: { retries: "3", test: ["CMD", "true"] },
  networks: ["n"],
};
const castDeploy = {
  replicas: "2",
  update_config: { parallelism: "2", max_failure_ratio: "0.5" },
  rollback_config: { parallelism: "1", max_failure_ratio: "0.25" },
  restart_policy: { max_attempts: "4" },
  placement: { max_replicas_per_node: "1" },
};
const castTop = {
  networks: { n: { internal: "true", attachable: "yes", enable_ipv6: "True" } },
  volumes: { v: { external: "Yes" } },
  secrets: { s: { file: "./a" } },
  configs: { c: { file: "./a" } },
};

function get(node: unknown, path: (string | number)[]): unknown {
  let at = node;
  for (const part of path) at = (at as Record<string | number, unknown> | undefined)?.[part];
  return at;
}

function leafPaths(node: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (node === null || typeof node !== "object") return [path];
  const entries = Array.isArray(node) ? node.map((v, i) => [i, v] as const) : Object.entries(node);
  return entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
}

const castErrorCases: [string, string][] = [
  ["tty", '"maybe"'],
  ["tty", '""'],
  ["scale", '" 3"'],
  ["scale", '"99999999999999999999x"'],
  ["cpu_count", '"9223372036854775808"'],
  ["cpus", '"3.5e38"'],
  ["cpus", '"1__0"'],
  ["cpus", '"0x18"'],
  ["ulimits", '{nofile: "1.5"}'],
  ["ports", '[{target: "x"}]'],
  ["healthcheck", '{disable: "1"}'],
];

describe.skipIf(!reference)(
  `type casts after interpolation agree with the reference${skipNote}`,
  { concurrent: true },
  () => {
    it("converts the same paths to the same values, with the same boolean warnings", async () => {
      const doc = {
        services: { web: { image: "alpine", ...castService }, w2: { image: "a", deploy: castDeploy } },
      };
      const full = { ...doc, ...castTop };
      const ref = await runReference({ "compose.yaml": JSON.stringify(full), a: "" }, {});
      expect(ref.error).toBe("");
      const ours = castTypes(full);
      expect(ours.errors).toEqual([]);
      // The reference omits false and 0 (Go zero values), so a missing value stands for those.
      const zero = (v: unknown) => (typeof v === "boolean" ? false : typeof v === "number" ? 0 : undefined);
      const casted = leafPaths(ours.value).filter((p) => typeof get(ours.value, p) !== "string");
      expect(casted.length).toBeGreaterThan(35);
      for (const path of casted) {
        const mine = get(ours.value, path);
        expect([path.join("."), get(ref.json, path) ?? zero(mine)]).toEqual([path.join("."), mine]);
      }
      expect(sorted(ours.warnings.map((w) => w.message))).toEqual(sorted(ref.warnings));
    }, 30_000);

    it("fails with the same messages", async () => {
      const runs = await Promise.all(
        castErrorCases.map(([key, yaml]) =>
          runReference({ "compose.yaml": `services:\n  web:\n    image: alpine\n    ${key}: ${yaml}\n` }, {}),
        ),
      );
      const ours = castErrorCases.map(([key, yaml]) => {
        const value = JSON.parse(yaml.replace(/(\w+):/g, '"$1":')) as unknown;
        return castTypes({ services: { web: { image: "alpine", [key]: value } } }).errors.map(
          (e) => e.message,
        )[0];
      });
      expect(ours).toEqual(runs.map((r) => r.error));
    }, 30_000);
  },
);

// biome-ignore format: a table
const envFileText = [
  "# comment",
  "A=plain",
  "export B=exported",
  "C = spaced  ",
  'D="double \\n \\" \\\\ \\t \\$ end"',
  "E='single \\n $FOO ${FOO}'",
  "F=unq $FOO ${FOO} # comment",
  "G=unq#nocomment",
  'H="dq" # comment',
  "I='sq' # comment",
  'J="multi',
  'line"',
  "K='multi",
  "line sq'",
  "L=",
  "M",
  "N.dot-dash=v",
  "O=${A}-${FOO}",
  'P="${A}-${FOO}"',
  "Q=a\\nb",
  'R="a\\\\nb"',
  "S=\ttab",
  "T=${UNSET:-def}",
  "U=$UNSET",
  'V="x"y',
  "W='x'y",
  "export X",
  "    Y=indented",
  'Z="esc \\a \\b \\r \\\' \\x \\0 \\01 \\0123 \\0400 \\0377 \\0999 \\c \\v \\f \\e"',
  "FOO=infile",
  "AA=${FOO}",
  "AB: yaml",
  "AC:=x",
  'AD="x" AE=chained',
  "AF=a=b",
  "AG='a\\\\\\'b'",
  "AH='a\\\\'",
  'AI="a\\\\\\"b"',
  "AJ=x\t#c",
  "AK=x #",
  "AL= # c",
  'AM="$$|$|a$|\\${FOO}|\\$FOO|$$FOO"',
  "AN=$$|$|a$|\\$FOO",
  'AO="\\\\${FOO}"',
  "A[0]=1",
  "Ä=1",
  "1A=x",
  "AP=${UNSET:-${FOO}}|$1",
  "AR=a\rb",
  "AS=1\r",
  "exportAT=1",
  "export  AU=1",
  "export",
  "AV=x\u00a0",
  "AW='it'BX=2",
  "AX=\v1",
  "AY=1",
  "AY",
  "AZ='a\\nb'",
  'BA="${AZ}"',
  "ZZ",
].join("\n");

const envFileErrors = [
  "A B=1\n",
  "A=1\nM # c\n",
  "A=1\n\n\nA$B=2\n",
  'A="unterminated\nB=2\nC=3\n',
  "X=1\nA='un\nB=2\n\nC=3",
  "A=${UNSET:?oops}\n",
  "B=1\nA=${}\n",
  'A="${\n}"\n',
  'A="\t${"\n',
  'A="x" junk"\n',
  "A=1\n\ufeffB=2\n",
  "A B\nC=1\n",
  'A="x"\n  \nC D=1',
];

describe.skipIf(!reference)(`env files agree with the reference${skipNote}`, { concurrent: true }, () => {
  const files = (text: string) => ({
    "compose.yaml": "services:\n  web:\n    image: alpine\n    env_file: [e.env]\n",
    "e.env": text,
  });
  const fileEnv = { FOO: "bar", M: "fromenv", export: "env", AY: "os" };
  const fileLookup = (name: string) => fileEnv[name as keyof typeof fileEnv];

  it("reads the same variables", async () => {
    const ref = await runReference(files(envFileText), fileEnv);
    expect(ref.error).toBe("");
    const environment = (ref.json as { services: { web: { environment: Record<string, string | null> } } })
      .services.web.environment;
    const theirs = Object.fromEntries(
      Object.entries(environment).map(([k, v]) => [k, unescapeDollars(v ?? "")]),
    );
    const ours = parseEnvFile("e.env", envFileText, fileLookup);
    expect(ours.errors).toEqual([]);
    expect(Object.fromEntries(ours.variables)).toEqual(theirs);
    expect(sorted(ours.warnings.map((w) => w.message))).toEqual(sorted(ref.warnings));
  }, 30_000);

  it("fails with the same messages", async () => {
    const runs = await Promise.all(envFileErrors.map((text) => runReference(files(text), fileEnv)));
    const ours = envFileErrors.map(
      (text) => parseEnvFile("e.env", text, fileLookup).errors.map((e) => e.message)[0],
    );
    expect(ours).toEqual(runs.map((r) => r.error));
    expect(runs.map((r) => r.code)).toEqual(envFileErrors.map(() => 15));
  }, 30_000);
});

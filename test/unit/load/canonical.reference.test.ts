// Differential test: the canonical + normalized form of each fixture under test/fixtures/canonical, compared
// field by field with what the reference `docker compose config --format json` prints for it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { canonicalizeProject, isMapping, type Mapping } from "../../../src/project/load/canonical.js";
import { normalizeProject } from "../../../src/project/load/normalize.js";
import { referenceBinary, referenceSkipNote, repoRoot } from "../../helpers/paths.js";

const FIXTURES = ["ports-volumes", "services", "resources"];
const HOME = "/home/tester";
const ENVIRONMENT = { FROM_ENV: "hello" };

/** The service fields canonical.ts and normalize.ts are responsible for. */
const COVERED = [
  "annotations",
  "build",
  "command",
  "configs",
  "cpus",
  "depends_on",
  "deploy",
  "devices",
  "dns",
  "dns_opt",
  "dns_search",
  "entrypoint",
  "environment",
  "expose",
  "extra_hosts",
  "group_add",
  "healthcheck",
  "labels",
  "logging",
  "mem_limit",
  "mem_reservation",
  "memswap_limit",
  "networks",
  "ports",
  "pull_policy",
  "secrets",
  "shm_size",
  "stop_grace_period",
  "sysctls",
  "tmpfs",
  "ulimits",
  "volumes",
];
const TOP_LEVEL = ["networks", "volumes", "secrets", "configs"];

function fixtureDir(name: string): string {
  return join(repoRoot, "test/fixtures/canonical", name);
}

function reference(name: string): Mapping {
  const out = execFileSync(referenceBinary ?? "", ["-p", "proj", "config", "--format", "json"], {
    cwd: fixtureDir(name),
    env: { PATH: process.env.PATH, HOME, ...ENVIRONMENT },
    encoding: "utf8",
  });
  return JSON.parse(out) as Mapping;
}

function ours(name: string): Mapping {
  const dir = fixtureDir(name);
  // YAML 1.1 so that `0755` is octal, as in the reference's YAML reader (the fixtures avoid yes/no).
  const document = parse(readFileSync(join(dir, "compose.yaml"), "utf8"), { version: "1.1" }) as Mapping;
  const canonical = canonicalizeProject(document);
  expect(canonical.diagnostics).toEqual([]);
  const ctx = { projectName: "proj", workingDir: dir, home: HOME, environment: ENVIRONMENT };
  const normalized = normalizeProject(canonical.value, ctx);
  expect(normalized.diagnostics).toEqual([]);
  return normalized.value;
}

function section(project: Mapping, key: string): Mapping {
  const value = project[key];
  return isMapping(value) ? value : {};
}

describe.skipIf(!referenceBinary)(`canonical form vs the reference${referenceSkipNote}`, () => {
  describe.each(FIXTURES)("fixture %s", (name) => {
    let expected: Mapping;
    let actual: Mapping;
    beforeAll(() => {
      expected = reference(name);
      actual = ours(name);
    });

    it("has the same services", () => {
      expect(Object.keys(section(actual, "services")).sort()).toEqual(
        Object.keys(section(expected, "services")).sort(),
      );
    });

    it.each(COVERED)("services.*.%s", (field) => {
      for (const [service, want] of Object.entries(section(expected, "services"))) {
        const got = section(section(actual, "services"), service);
        // The reference always prints command and entrypoint, null when unset.
        const fallback = field === "command" || field === "entrypoint" ? null : undefined;
        expect({ service, [field]: got[field] ?? fallback }).toEqual({
          service,
          [field]: (want as Mapping)[field] ?? fallback,
        });
      }
    });

    it.each(TOP_LEVEL)("top-level %s", (key) => {
      expect(actual[key]).toEqual(expected[key]);
    });
  });
});

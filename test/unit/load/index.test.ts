import { describe, expect, it } from "vitest";
import { type LoadOptions, loadProject } from "../../../src/project/load/index.js";
import { memoryFileSystem } from "../../helpers/memfs.js";

const load = (files: Record<string, string>, options: LoadOptions = {}, env: Record<string, string> = {}) =>
  loadProject({ options, env, fs: memoryFileSystem("/p", files), home: "/home/me" });
const service = (r: ReturnType<typeof load>, name = "a") =>
  ((r.project?.model.services ?? {}) as Record<string, Record<string, unknown>>)[name];

describe("loadProject: values as the reference reads them", () => {
  it("reads a watch rule's initial_sync (tcompose and later Compose releases), text cast to a bool", () => {
    const file = (value: string) => ({
      "/p/compose.yaml": `services:\n  a:\n    image: busybox\n    develop:\n      watch:\n        - path: ./src\n          target: /app\n          action: sync\n          initial_sync: ${value}\n`,
    });
    const r = load(file('"${S:-true}"'));
    expect(r.problems).toEqual([]);
    expect(service(r)?.develop).toEqual({
      watch: [{ path: "/p/src", target: "/app", action: "sync", initial_sync: true }],
    });
    expect(load(file("maybe")).problems.map((p) => p.message)).toEqual([
      "error decoding 'services[a].develop.watch[0].initial_sync': invalid boolean: maybe",
    ]);
  });

  it("keeps unused secrets and configs when asked (the stack commands), and only those", () => {
    const files = {
      "/p/compose.yaml":
        "services:\n  a:\n    image: busybox\nsecrets:\n  s:\n    file: ./s.txt\nconfigs:\n  c:\n    file: ./c.txt\nnetworks:\n  n: {}\nvolumes:\n  v: {}\n",
    };
    const pruned = load(files).project?.model;
    expect([pruned?.secrets, pruned?.configs, pruned?.volumes]).toEqual([undefined, undefined, undefined]);
    const kept = load(files, { keepUnused: ["secrets", "configs"] }).project?.model;
    expect(kept?.secrets).toEqual({ s: { name: "p_s", file: "/p/s.txt" } });
    expect(kept?.configs).toEqual({ c: { name: "p_c", file: "/p/c.txt" } });
    expect(kept?.volumes).toBeUndefined();
    expect(Object.keys(kept?.networks ?? {})).toEqual(["default"]);
    const raw = load(files, { keepUnused: ["secrets"], normalize: false }).project?.model;
    expect(Object.keys(raw?.secrets ?? {})).toEqual(["s"]);
    expect(raw?.configs).toBeUndefined();
  });

  it("keeps integers beyond 2^53 and whole floats as Go prints them in environment and labels", () => {
    const r = load({
      "/p/compose.yaml":
        "services:\n  a:\n    image: busybox\n    environment:\n      K: 9223372036854775807\n      F: 1e6\n      S: 12\n    labels:\n      big: 9007199254740993\n",
    });
    expect(r.problems).toEqual([]);
    expect(service(r)?.environment).toEqual({ K: "9223372036854775807", F: "1e+06", S: "12" });
    expect(service(r)?.labels).toEqual({ big: "9007199254740993" });
  });

  it('reads `=VALUE` entries, and keys an unset variable empties, as the key "" (a later one wins)', () => {
    const r = load({
      "/p/compose.yaml":
        'services:\n  a:\n    image: busybox\n    labels: ["=BAR", "${UNSET}=baz", "k=v"]\n    environment: ["=x"]\n',
    });
    expect(r.problems).toEqual([]);
    expect(service(r)?.labels).toEqual({ "": "baz", k: "v" });
    expect(service(r)?.environment).toEqual({ "": "x" });
    // Written as a mapping key, "" is refused (the reference's schema does too).
    const written = load({ "/p/compose.yaml": 'services:\n  a:\n    image: busybox\n    labels: {"": x}\n' });
    expect(written.problems.map((p) => p.message)).toEqual(["empty key is not allowed"]);
  });

  it("reports a file that fails to interpolate before reading its includes (exit 15, not 14)", () => {
    const failing = load({
      "/p/compose.yaml":
        "include: [missing.yaml]\nservices:\n  a:\n    build:\n      context: ${CODE:?required}\n",
    });
    expect(failing.failure).toBeUndefined();
    expect(failing.problems[0]?.message).toMatch(/required variable CODE is missing a value: required/);
    // The schema is checked later: there the missing include comes first.
    const schema = load({
      "/p/compose.yaml": "include: [missing.yaml]\nservices:\n  a:\n    image: busybox\n    restart: [x]\n",
    });
    expect(schema.failure).toEqual({
      message: "open /p/missing.yaml: no such file or directory",
      exitCode: 14,
    });
  });

  it("fails with exit code 14 for a missing label_file, and reads no env_file when not asked to", () => {
    const missingLabels = load({
      "/p/compose.yaml": "services:\n  a:\n    image: busybox\n    label_file: nope.labels\n",
    });
    expect(missingLabels.failure?.exitCode).toBe(14);
    const files = { "/p/compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: nope.env\n" };
    expect(load(files).failure?.exitCode).toBe(14);
    const unread = load(files, { mergeEnvFiles: false });
    expect(unread.failure).toBeUndefined();
    expect(Object.keys(unread.project?.model.services ?? {})).toEqual(["a"]);
  });

  it('enables services with the profile "" unless profiles are given', () => {
    const files = {
      "/p/compose.yaml":
        'services:\n  a:\n    image: busybox\n    profiles: [""]\n  b:\n    image: busybox\n    profiles: [x]\n',
    };
    const names = (r: ReturnType<typeof load>) => Object.keys(r.project?.model.services ?? {});
    expect(names(load(files))).toEqual(["a"]);
    expect(names(load(files, { profiles: ["x"] }))).toEqual(["b"]);
    expect(names(load(files, {}, { COMPOSE_PROFILES: "x," }))).toEqual(["a", "b"]);
  });
});

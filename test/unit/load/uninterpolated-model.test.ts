import { describe, expect, it } from "vitest";
import type { Mapping } from "../../../src/project/load/document.js";
import { YamlTime } from "../../../src/project/load/timestamps.js";
import { loadModel, type ModelInput } from "../../../src/project/load/uninterpolated-model.js";
import { parseYamlDocument } from "../../../src/project/load/yaml.js";

/** The model of in-memory files (paths under /p), as `config --no-interpolate` prints it. */
function model(files: Record<string, string>, options: Partial<ModelInput> = {}) {
  const read = (file: string) => {
    const text = files[file];
    if (text === undefined) return undefined;
    return parseYamlDocument(file, text).documents.map(({ value, tags }) => ({ value, ...tags }));
  };
  const main = Object.keys(files).filter((f) => !f.includes("/sub/") && !f.endsWith(".env"));
  return loadModel({
    files: main,
    workingDir: "/p",
    projectName: "proj",
    home: "/home/me",
    normalize: true,
    resolvePaths: true,
    read,
    isFile: (file) => file in files,
    readEnvFiles: (list) =>
      Object.fromEntries(
        list.flatMap((f) =>
          (files[f] ?? "")
            .split("\n")
            .filter(Boolean)
            .map((l) => l.split("=") as [string, string]),
        ),
      ),
    ...options,
  });
}

const services = (m: { model: Mapping }) => m.model.services as Record<string, Mapping>;

describe("the map-level model (config --no-interpolate)", () => {
  it("merges labels and environment of two files into k=v lists, the later value in the earlier place", () => {
    const m = model({
      "/p/compose.yaml":
        "services:\n  a:\n    image: x\n    labels: {z: '1', a: '2'}\n    environment: {A: '1'}\n",
      "/p/override.yaml":
        "services:\n  a:\n    labels: [y=0, a=9]\n    environment: [B=2]\n    command: [sh]\n",
    });
    expect(services(m).a?.labels).toEqual(["a=9", "z=1", "y=0"]);
    expect(services(m).a?.environment).toEqual(["A=1", "B=2"]);
    expect(services(m).a?.command).toEqual(["sh"]);
  });

  it("drops what !reset names and replaces what !override names", () => {
    const m = model({
      "/p/compose.yaml": "services:\n  a:\n    image: x\n    ports: ['80']\n    dns: [1.1.1.1]\n",
      "/p/override.yaml": "services:\n  a:\n    ports: !reset []\n    dns: !override [2.2.2.2]\n",
    });
    expect(services(m).a?.ports).toBeUndefined();
    expect(services(m).a?.dns).toEqual(["2.2.2.2"]);
  });

  it("lays an extended service under the extending one with the same rules", () => {
    const m = model({
      "/p/compose.yaml":
        "services:\n  base:\n    image: x\n    labels: {k: v}\n  web:\n    extends: base\n    labels: [m=3]\n",
    });
    expect(services(m).web).toMatchObject({ image: "x", labels: ["k=v", "m=3"] });
    expect(services(m).web?.extends).toBeUndefined();
  });

  it("makes ports, volumes and depends_on long, but leaves a port list with a variable as written", () => {
    const m = model({
      "/p/compose.yaml": [
        "services:",
        "  a:",
        "    image: x",
        "    ports: ['127.0.0.1:8080:80/udp']",
        "    volumes: ['./src:/src:ro', 'data:/data/']",
        "    depends_on: [b]",
        "  b:",
        "    image: x",
        "    ports: ['${P}:80', '81']",
        "volumes:",
        "  data:",
      ].join("\n"),
    });
    const a = services(m).a ?? {};
    expect(a.ports).toEqual([
      { host_ip: "127.0.0.1", published: "8080", target: 80, protocol: "udp", mode: "ingress" },
    ]);
    expect(a.volumes).toEqual([
      { type: "bind", source: "/p/src", target: "/src", read_only: true, bind: { create_host_path: true } },
      { type: "volume", source: "data", target: "/data", volume: {} },
    ]);
    expect(a.depends_on).toEqual({ b: { condition: "service_started", required: true } });
    expect(services(m).b?.ports).toEqual(["${P}:80", "81"]);
  });

  it("reports a short volume that does not parse (the reference keys volumes by parsing them)", () => {
    const m = model({
      "/p/compose.yaml": "services:\n  a:\n    image: x\n    volumes: ['${D:-./d}:/d:${M:-ro}']\n",
    });
    expect(m.problems).toEqual([
      { path: ["services", "a", "volumes", 0], message: expect.stringContaining("too many colons") },
    ]);
  });

  it("prints an emptied list like Go's nil slice (JSON null), unless the reference keys that list", () => {
    const m = model({
      "/p/compose.yaml": "services:\n  a:\n    image: x\n    security_opt: []\n    cap_add: []\n",
    });
    const a = services(m).a ?? {};
    expect(JSON.parse(JSON.stringify(a))).toMatchObject({ security_opt: null, cap_add: [] });
    expect(a.security_opt).toEqual([]);
  });

  it("normalizes: project name, default network, resource names, implicit dependencies, build defaults", () => {
    const m = model({
      "/p/compose.yaml": [
        "services:",
        "  a:",
        "    image: x",
        "    environment: [HOME, X=1]",
        "    build: {context: ctx, args: [FROM_ENV, Y=2]}",
        "    links: [b]",
        "  b:",
        "    image: x",
        "    networks: [n]",
        "networks:",
        "  n:",
        "volumes:",
        "  v: {external: true}",
      ].join("\n"),
    });
    expect(m.model.name).toBe("proj");
    expect(m.model.networks).toEqual({ default: { name: "proj_default" }, n: { name: "proj_n" } });
    expect(m.model.volumes).toEqual({ v: { external: true, name: "v" } });
    const a = services(m).a ?? {};
    // The reference resolves nothing from the environment here: KEY stays, a valueless arg goes.
    expect(a.environment).toEqual(["HOME", "X=1"]);
    expect(a.build).toEqual({ context: "/p/ctx", dockerfile: "Dockerfile", args: ["Y=2"] });
    expect(a.networks).toEqual({ default: null });
    expect(a.depends_on).toEqual({ b: { condition: "service_started", restart: true, required: true } });
  });

  it("keeps an included project's paths relative to the including one with --no-path-resolution", () => {
    const files = {
      "/p/compose.yaml":
        "include:\n  - path: sub/compose.yaml\n    env_file: sub/i.env\nservices:\n  a:\n    image: x\n",
      "/p/sub/compose.yaml": "services:\n  i:\n    image: x\n    build: ./ctx\n    environment: [IFOO]\n",
      "/p/sub/i.env": "IFOO=1\n",
    };
    const relative = services(model(files, { resolvePaths: false })).i ?? {};
    expect(relative.build).toMatchObject({ context: "sub/ctx" });
    expect(relative.environment).toEqual(["IFOO=1"]);
    expect(services(model(files)).i?.build).toMatchObject({ context: "/p/sub/ctx" });
  });

  it("keeps YAML timestamps as times, printed as RFC 3339", () => {
    const m = model({ "/p/compose.yaml": "services:\n  a:\n    image: x\n    labels: {at: 2024-01-01}\n" });
    const at = ((services(m).a?.labels ?? {}) as Mapping).at;
    expect(at).toBeInstanceOf(YamlTime);
    expect(JSON.stringify(at)).toBe('"2024-01-01T00:00:00Z"');
  });
});

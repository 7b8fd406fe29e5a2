// extends rules, each learnt from the reference (docker compose 2.26 `config`); files are an in-memory tree.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/project/load/diagnostics.js";
import { type ExtendsInput, resolveExtends } from "../../../src/project/load/extends.js";
import type { TaggedDocument } from "../../../src/project/load/merge.js";

type Tree = Record<string, TaggedDocument>;

function resolve(tree: Tree, file = "compose.yaml", extra: Partial<ExtendsInput> = {}) {
  const document = tree[file];
  if (!document) throw new Error(`no ${file} in the tree`);
  const readDocument = (f: string): TaggedDocument | Diagnostic =>
    tree[f] ?? { path: [], message: `open ${f}: no such file or directory` };
  const { document: out, diagnostics } = resolveExtends({ file, document, readDocument, ...extra });
  return { services: (out.value as { services: Record<string, unknown> }).services, diagnostics };
}

const doc = (value: unknown, tags: Omit<TaggedDocument, "value"> = {}): TaggedDocument => ({
  value,
  ...tags,
});

describe("extends in the same file", () => {
  it("accepts a name or {service}, lays the service over its base with the merge rules", () => {
    const { services, diagnostics } = resolve({
      "compose.yaml": doc({
        services: {
          base: {
            image: "base",
            environment: { A: "1" },
            ports: ["80:80"],
            dns: ["1.1.1.1"],
            command: ["base"],
            healthcheck: { test: ["CMD", "a"], interval: "5s" },
          },
          web: {
            extends: "base",
            environment: ["B=2"],
            ports: ["8080:80"],
            dns: ["1.1.1.1", "2.2.2.2"],
            command: "web",
            healthcheck: { interval: "10s" },
          },
          api: { extends: { service: "base" }, image: "api" },
        },
      }),
    });
    expect(diagnostics).toEqual([]);
    expect(services.web).toEqual({
      image: "base",
      environment: { A: "1", B: "2" },
      ports: ["80:80", "8080:80"],
      dns: ["1.1.1.1", "2.2.2.2"],
      command: "web",
      healthcheck: { test: ["CMD", "a"], interval: "10s" },
    });
    expect(services.api).toMatchObject({ image: "api", command: ["base"] });
    expect(services.api).not.toHaveProperty("extends");
  });

  it("inherits every field, depends_on, links, volumes_from and network_mode included", () => {
    const { services } = resolve({
      "compose.yaml": doc({
        services: {
          base: {
            image: "b",
            depends_on: ["dep"],
            links: ["dep"],
            volumes_from: ["dep"],
            network_mode: "service:dep",
          },
          web: { extends: "base" },
          dep: { image: "dep" },
        },
      }),
    });
    expect(services.web).toEqual({
      image: "b",
      depends_on: { dep: { condition: "service_started", required: true } },
      links: ["dep"],
      volumes_from: ["dep"],
      network_mode: "service:dep",
    });
  });

  it("honours !reset and !override in the extending service, keeping the reset for the file merge", () => {
    const { services } = resolve({
      "compose.yaml": doc(
        {
          services: {
            base: { image: "b", ports: ["80:80"], depends_on: ["dep"], environment: { A: "1" } },
            web: { extends: "base", ports: [], environment: { C: "3" } },
          },
        },
        { resets: [["services", "web", "ports"]], overrides: [["services", "web", "environment"]] },
      ),
    });
    // ports: [] is put back as written: the file merge that follows removes it (and earlier files' ports).
    expect(services.web).toEqual({
      image: "b",
      depends_on: { dep: { condition: "service_started", required: true } },
      environment: { C: "3" },
      ports: [],
    });
  });

  it("leaves services without extends as written, tags unapplied", () => {
    const { services } = resolve({
      "compose.yaml": doc(
        { services: { web: { image: "w", ports: ["80:80"], env_file: "a.env" } } },
        {
          resets: [["services", "web", "ports"]],
        },
      ),
    });
    expect(services.web).toEqual({ image: "w", ports: ["80:80"], env_file: "a.env" });
  });

  it("follows chains", () => {
    const { services } = resolve({
      "compose.yaml": doc({
        services: {
          a: { extends: "b", environment: { A: "a" } },
          b: { extends: "c", environment: { B: "b" } },
          c: { image: "c", environment: { C: "c" } },
        },
      }),
    });
    expect(services.a).toEqual({ image: "c", environment: { C: "c", B: "b", A: "a" } });
    expect(services.b).toEqual({ image: "c", environment: { C: "c", B: "b" } });
  });
});

describe("extends from another file", () => {
  const tree: Tree = {
    "compose.yaml": doc({
      services: {
        web: { extends: { file: "common/common.yml", service: "base" }, environment: { B: "2" } },
        web2: { extends: { file: "./common/common.yml", service: "remote" } },
      },
    }),
    "common/common.yml": doc({
      services: {
        base: {
          extends: { file: "../other/o.yml", service: "root" },
          build: "./ctx",
          env_file: [{ path: "e.env", required: false }],
          volumes: ["./v:/v", "named:/n", { type: "bind", source: "./lv", target: "/lv" }, "/abs:/abs"],
          environment: { A: "1" },
        },
        remote: {
          image: "r",
          build: {
            context: "https://github.com/x/y.git",
            additional_contexts: { a: "./ac", b: "docker-image://x" },
          },
          develop: { watch: [{ path: "./src", action: "sync", target: "/src" }] },
        },
      },
      volumes: { named: {} },
    }),
    "other/o.yml": doc({
      services: {
        root: { image: "root", env_file: "o.env", volumes: ["./rv:/rv"], environment: { R: "r" } },
      },
    }),
  };

  it("rebases the other file's relative paths on its directory, along the whole chain", () => {
    const { services, diagnostics } = resolve(tree);
    expect(diagnostics).toEqual([]);
    expect(services.web).toEqual({
      image: "root",
      build: { context: "common/ctx" },
      env_file: [
        { path: "other/o.env", required: true },
        { path: "common/e.env", required: false },
      ],
      // Without a long-form converter, rebased short binds keep a "./" so that they still read as paths.
      volumes: [
        "./other/rv:/rv",
        "./common/v:/v",
        "named:/n",
        { type: "bind", source: "common/lv", target: "/lv" },
        "/abs:/abs",
      ],
      environment: { R: "r", A: "1", B: "2" },
    });
  });

  it("leaves URLs alone and rebases additional contexts and watch paths", () => {
    expect(resolve(tree).services.web2).toEqual({
      image: "r",
      build: {
        context: "https://github.com/x/y.git",
        additional_contexts: { a: "common/ac", b: "docker-image://x" },
      },
      develop: { watch: [{ path: "common/src", action: "sync", target: "/src" }] },
    });
  });

  it("works with absolute file names and an injected resolver", () => {
    const abs: Tree = {
      "/p/compose.yaml": doc({ services: { web: { extends: { file: "c/c.yml", service: "b" } } } }),
      "/p/c/c.yml": doc({ services: { b: { build: ".", image: "x" } } }),
    };
    expect(resolve(abs, "/p/compose.yaml").services.web).toEqual({ build: { context: "/p/c" }, image: "x" });
    const seen: string[] = [];
    const resolvePath = (p: string, dir: string) => {
      seen.push(`${dir}|${p}`);
      return `${dir}/${p}`;
    };
    resolve(abs, "/p/compose.yaml", { resolvePath });
    expect(seen).toEqual(["/p|c/c.yml", "/p/c|."]);
  });

  it("does not rebase a build without context (the reference builds the project directory then)", () => {
    const t: Tree = {
      "compose.yaml": doc({ services: { web: { extends: { file: "c/c.yml", service: "b" } } } }),
      "c/c.yml": doc({ services: { b: { build: { dockerfile: "D" } } } }),
    };
    expect(resolve(t).services.web).toEqual({ build: { dockerfile: "D" } });
  });
});

describe("errors", () => {
  it("names a cycle once, at the extends of a service of the top file", () => {
    const { diagnostics } = resolve({
      "compose.yaml": doc({
        services: {
          a: { image: "x", extends: "b" },
          b: { extends: "c" },
          c: { extends: "a" },
          d: { extends: "a" },
        },
      }),
    });
    expect(diagnostics).toEqual([
      { path: ["services", "a", "extends"], message: "circular extends: a -> b -> c -> a (in compose.yaml)" },
    ]);
  });

  it("reports a service extending itself", () => {
    const { diagnostics } = resolve({ "compose.yaml": doc({ services: { a: { extends: "a" } } }) });
    expect(diagnostics).toEqual([
      { path: ["services", "a", "extends"], message: "circular extends: a -> a (in compose.yaml)" },
    ]);
  });

  it("reports a missing service, in the same file and in another", () => {
    const { diagnostics } = resolve({
      "compose.yaml": doc({
        services: { a: { extends: "nope" }, b: { extends: { file: "o.yml", service: "x" } } },
      }),
      "o.yml": doc({ services: { y: { image: "y" } } }),
    });
    expect(diagnostics).toEqual([
      {
        path: ["services", "a", "extends"],
        message: 'cannot extend service "a" in compose.yaml: service "nope" not found',
      },
      {
        path: ["services", "b", "extends"],
        message: 'cannot extend service "b" in compose.yaml: service "x" not found in o.yml',
      },
    ]);
  });

  it("reports a missing file at extends.file, and a mapping without service", () => {
    const { diagnostics, services } = resolve({
      "compose.yaml": doc({
        services: {
          a: { image: "a", extends: { file: "nofile.yml", service: "x" } },
          b: { extends: { file: "o.yml" } },
        },
      }),
    });
    expect(diagnostics).toEqual([
      { path: ["services", "a", "extends", "file"], message: "open nofile.yml: no such file or directory" },
      { path: ["services", "b", "extends"], message: "extends.service is required" },
    ]);
    expect(services.a).toEqual({ image: "a", extends: { file: "nofile.yml", service: "x" } });
  });

  it("reports a cycle across files at the top file's service", () => {
    const { diagnostics } = resolve({
      "compose.yaml": doc({ services: { a: { extends: { file: "o.yml", service: "b" } } } }),
      "o.yml": doc({ services: { b: { extends: { file: "compose.yaml", service: "a" } } } }),
    });
    expect(diagnostics).toEqual([
      {
        path: ["services", "a", "extends"],
        message: "circular extends: a (compose.yaml) -> b (o.yml) -> a (compose.yaml)",
      },
    ]);
  });
});

describe("long chains", () => {
  it("resolves a chain of 5,000 services, each extending the next, and names a cycle at its end (where it is)", () => {
    const n = 5_000;
    const services: Record<string, unknown> = {};
    for (let i = 0; i < n - 1; i++) services[`s${i}`] = { extends: `s${i + 1}`, command: `c${i}` };
    services[`s${n - 1}`] = { image: "base" };
    const { services: out, diagnostics } = resolve({ "compose.yaml": doc({ services }) });
    expect(diagnostics).toEqual([]);
    expect(out.s0).toEqual({ image: "base", command: "c0" });
    expect(out[`s${n - 2}`]).toEqual({ image: "base", command: `c${n - 2}` });

    services[`s${n - 1}`] = { extends: `s${n - 2}` };
    const looped = resolve({ "compose.yaml": doc({ services }) });
    expect(looped.diagnostics).toEqual([
      {
        path: ["services", `s${n - 2}`, "extends"],
        message: `circular extends: s${n - 2} -> s${n - 1} -> s${n - 2} (in compose.yaml)`,
      },
    ]);
  });
});

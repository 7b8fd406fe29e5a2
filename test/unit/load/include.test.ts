import { describe, expect, it } from "vitest";
import {
  applyIncludes,
  cycleMessage,
  importResources,
  includedEnvironment,
  MAX_INCLUDE_DEPTH,
  planInclude,
  readIncludes,
  sameDefinition,
} from "../../../src/project/load/include.js";

describe("readIncludes", () => {
  it("reads the short and the long forms", () => {
    const { entries, diagnostics } = readIncludes([
      "a.yaml",
      { path: ["b.yaml", "c.yaml"], project_directory: "..", env_file: "x.env" },
      { path: "d.yaml", env_file: ["1.env", "2.env"], "x-note": "unknown keys pass" },
    ]);
    expect(diagnostics).toEqual([]);
    expect(entries).toEqual([
      { paths: ["a.yaml"], envFiles: [], at: ["include", 0] },
      { paths: ["b.yaml", "c.yaml"], envFiles: ["x.env"], projectDirectory: "..", at: ["include", 1] },
      { paths: ["d.yaml"], envFiles: ["1.env", "2.env"], at: ["include", 2] },
    ]);
  });

  it("accepts nothing, and reports what is not a list or an entry", () => {
    expect(readIncludes(null)).toEqual({ entries: [], diagnostics: [] });
    expect(readIncludes("a.yaml").diagnostics[0]?.message).toBe("`include` must be a list, got a.yaml");
    expect(readIncludes([1]).diagnostics[0]).toMatchObject({ path: ["include", 0] });
    expect(readIncludes([{ path: 1 }]).diagnostics[0]).toMatchObject({ path: ["include", 0, "path"] });
  });
});

describe("planInclude", () => {
  const files = new Set(["/p/sub/a.yaml", "/p/sub/b.yaml", "/p/sub/.env", "/p/x.env", "/p/dir/.env"]);
  const isFile = (f: string) => files.has(f);

  it("resolves paths against the including project's directory; the project directory is the main file's", () => {
    const plan = planInclude(
      { paths: ["sub/a.yaml", "sub/b.yaml"], envFiles: [], at: [] },
      { workingDir: "/p", isFile },
    );
    expect(plan).toEqual({
      files: ["/p/sub/a.yaml", "/p/sub/b.yaml"],
      projectDir: "/p/sub",
      envFiles: ["/p/sub/.env"],
    });
  });

  it("takes project_directory and env_file (relative to the including project) when given", () => {
    const plan = planInclude(
      { paths: ["sub/a.yaml"], projectDirectory: "dir", envFiles: ["x.env"], at: [] },
      { workingDir: "/p", isFile },
    );
    expect(plan).toEqual({ files: ["/p/sub/a.yaml"], projectDir: "/p/dir", envFiles: ["/p/x.env"] });
  });

  it("fails like the reference (exit 14) on a missing file or env file", () => {
    const dir = { workingDir: "/p", isFile };
    expect(planInclude({ paths: ["nope.yaml"], envFiles: [], at: [] }, dir)).toEqual({
      message: "open /p/nope.yaml: no such file or directory",
      exitCode: 14,
    });
    expect(planInclude({ paths: ["sub/a.yaml"], envFiles: ["n.env"], at: [] }, dir)).toEqual({
      message: "stat /p/n.env: no such file or directory",
      exitCode: 14,
    });
  });
});

describe("environment, cycles", () => {
  it("lets the including project's variables win over the included env files", () => {
    expect(includedEnvironment({ A: "outer" }, { A: "inner", B: "inner" })).toEqual({
      A: "outer",
      B: "inner",
    });
  });

  it("names the chain of a cycle", () => {
    expect(cycleMessage(["/m.yaml", "/a.yaml", "/a.yaml"])).toBe(
      "include cycle detected:\n/m.yaml\n include /a.yaml\n include /a.yaml",
    );
  });
});

describe("importResources", () => {
  it("adds what the included project defines", () => {
    const { value, diagnostics } = importResources(
      { services: { web: { image: "w" } } },
      { model: { services: { api: { image: "a" } }, volumes: { v: {} } }, written: {} },
    );
    expect(diagnostics).toEqual([]);
    expect(value).toEqual({ services: { web: { image: "w" }, api: { image: "a" } }, volumes: { v: {} } });
  });

  it("reports a name defined differently on both sides, and keeps identical ones", () => {
    const imported = {
      model: { services: { web: { image: "x" }, db: { image: "d" } } },
      written: { services: { web: { image: "x" }, db: { image: "d" } } },
    };
    const same = importResources({ services: { web: { image: "x" } } }, imported);
    expect(same.diagnostics).toEqual([]);
    const other = importResources({ services: { db: { image: "other" } } }, imported);
    expect(other.diagnostics).toEqual([
      { path: ["services", "db"], message: "conflicts with imported resource" },
    ]);
  });

  it("compares as the reference does: fields its canonical form rewrites always conflict", () => {
    expect(
      sameDefinition("services", { image: "x", ports: ["80:80"] }, { image: "x", ports: ["80:80"] }),
    ).toBe(false);
    expect(
      sameDefinition("services", { image: "x", depends_on: ["a"] }, { image: "x", depends_on: ["a"] }),
    ).toBe(false);
    expect(
      sameDefinition("services", { image: "x", environment: ["A=b"] }, { image: "x", environment: ["A=b"] }),
    ).toBe(true);
    expect(sameDefinition("secrets", { file: "./s" }, { file: "./s" })).toBe(false);
    expect(sameDefinition("secrets", { file: "/s" }, { file: "/s" })).toBe(true);
    expect(sameDefinition("volumes", null, {})).toBe(false);
  });
});

describe("applyIncludes", () => {
  const isFile = (f: string) => f.startsWith("/p/");
  it("drops `include`, loads each entry with the chain and imports what it brings", () => {
    const stacks: string[][] = [];
    const result = applyIncludes({
      document: { value: { include: ["a.yaml"], services: { web: { image: "w" } } } },
      file: "/p/compose.yaml",
      workingDir: "/p",
      stack: ["/p/compose.yaml"],
      isFile,
      load: (plan, stack) => {
        stacks.push(stack);
        return { model: { services: { [plan.files[0] ?? ""]: { image: "i" } } }, written: {} };
      },
    });
    expect(stacks).toEqual([["/p/compose.yaml", "/p/a.yaml"]]);
    expect(result.document.value).toEqual({ services: { web: { image: "w" }, "/p/a.yaml": { image: "i" } } });
  });

  it("reports a cycle at the entry, without loading it", () => {
    const result = applyIncludes({
      document: { value: { include: ["compose.yaml"] } },
      file: "/p/compose.yaml",
      workingDir: "/p",
      stack: ["/p/compose.yaml"],
      isFile,
      load: () => {
        throw new Error("not loaded");
      },
    });
    expect(result.diagnostics).toEqual([
      {
        path: ["include", 0],
        message: "include cycle detected:\n/p/compose.yaml\n include /p/compose.yaml",
      },
    ]);
  });

  it("refuses includes nested deeper than the limit, at the entry, without loading it", () => {
    const stack = Array.from({ length: MAX_INCLUDE_DEPTH }, (_, i) => `/p/f${i}.yaml`);
    const result = applyIncludes({
      document: { value: { include: ["next.yaml"] } },
      file: stack[stack.length - 1] ?? "",
      workingDir: "/p",
      stack,
      isFile,
      load: () => {
        throw new Error("not loaded");
      },
    });
    expect(result.diagnostics).toEqual([
      {
        path: ["include", 0],
        message: `include nested deeper than ${MAX_INCLUDE_DEPTH} projects: /p/next.yaml`,
      },
    ]);
  });
});

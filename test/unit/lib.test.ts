import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/lib.js";
import { memoryFileSystem } from "../helpers/memfs.js";
import { repoRoot } from "../helpers/paths.js";

describe("the library's loadProject", () => {
  it("loads a directory's project from disk with profiles and an environment of its own", () => {
    const workingDir = path.join(repoRoot, "test/fixtures/profiles");
    const { project, problems } = loadProject({ workingDir, profiles: ["x"], env: {} });
    expect(problems).toEqual([]);
    expect(project?.name).toBe("profiles");
    expect(Object.keys(project?.model.services ?? {}).sort()).toEqual(["always", "debug", "tools"]);
  });

  it("interpolates from the given environment and reports problems with their positions, without throwing", () => {
    const fs = memoryFileSystem("/p", {
      "/p/compose.yaml": "services:\n  web:\n    image: ${IMG}\n    ports: 80\n",
    });
    const bad = loadProject({ fs, env: { IMG: "busybox" } });
    expect(bad.project).toBeUndefined();
    expect(bad.problems[0]?.position).toMatchObject({ line: 4 });
    const good = loadProject({
      fs: memoryFileSystem("/p", { "/p/compose.yaml": "services:\n  web:\n    image: ${IMG}\n" }),
      env: { IMG: "busybox" },
    });
    expect(good.project?.model.services).toMatchObject({ web: { image: "busybox" } });
  });
});

describe("variables interpolation sees beyond the shell, like the reference", () => {
  const load = (files: Record<string, string>, options: Record<string, unknown> = {}, env = {}) =>
    loadProject({ fs: memoryFileSystem("/p/My_Dir", files), env, ...options });
  const environmentOf = (r: ReturnType<typeof load>, service = "app") => {
    const services = (r.project?.model.services ?? {}) as Record<string, { environment?: unknown }>;
    return services[service]?.environment;
  };

  it("sees the final project name as COMPOSE_PROJECT_NAME in the files and env_files, not in .env", () => {
    const files = {
      "/p/My_Dir/compose.yaml":
        "name: ${TOP:-Top}\nservices:\n  app:\n    image: busybox\n    env_file: e.env\n    environment:\n      N: ${COMPOSE_PROJECT_NAME:-none}\n      D: ${D}\n",
      "/p/My_Dir/e.env": "FROM_FILE=${COMPOSE_PROJECT_NAME:-none}\n",
      "/p/My_Dir/.env": "D=${COMPOSE_PROJECT_NAME:-none}\n",
    };
    expect(environmentOf(load(files))).toEqual({ N: "top", FROM_FILE: "top", D: "none" });
    expect(environmentOf(load(files, { projectName: "flag" }, { COMPOSE_PROJECT_NAME: "shell" }))).toEqual({
      N: "flag",
      FROM_FILE: "flag",
      D: "shell", // .env sees the shell's own variable, never the resolved name
    });
    const bare = {
      ...files,
      "/p/My_Dir/compose.yaml": files["/p/My_Dir/compose.yaml"].replace(/^name.*\n/, ""),
    };
    expect(environmentOf(load(bare))).toMatchObject({ N: "my_dir" });
  });

  it("names the project after the last file's name: when several set one", () => {
    const r = load(
      {
        "/p/My_Dir/a.yaml": "name: first\nservices:\n  app:\n    image: busybox\n",
        "/p/My_Dir/b.yaml":
          "name: second\nservices:\n  app:\n    environment:\n      N: ${COMPOSE_PROJECT_NAME}\n",
      },
      { files: ["a.yaml", "b.yaml"] },
    );
    expect(r.project?.name).toBe("second");
    expect(environmentOf(r)).toEqual({ N: "second" });
  });

  it("locates a required variable missing from name:", () => {
    const r = load({
      "/p/My_Dir/compose.yaml": "name: ${X:?need X}\nservices:\n  app:\n    image: busybox\n",
    });
    expect(r.project).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ position: { line: 1 } });
    expect(r.problems[0]?.message).toMatch(/required variable X is missing a value: need X/);
  });

  it("lets a later --env-file see the shell first, then earlier files", () => {
    const r = load(
      {
        "/p/My_Dir/compose.yaml":
          "services:\n  app:\n    image: busybox\n    environment:\n      B: ${B}\n      C: ${C}\n",
        "/p/My_Dir/a.env": "A=from-a\nS=from-a\n",
        "/p/My_Dir/b.env": "B=${A}\nC=${S}\n",
      },
      { envFiles: ["a.env", "b.env"] },
      { S: "shell" },
    );
    expect(environmentOf(r)).toEqual({ B: "from-a", C: "shell" });
  });

  it("lets a later env_file of a service see earlier env_files first, then the project's variables", () => {
    const r = load(
      {
        "/p/My_Dir/compose.yaml": "services:\n  app:\n    image: busybox\n    env_file: [a.env, b.env]\n",
        "/p/My_Dir/a.env": "X=from-a\n",
        "/p/My_Dir/b.env": "Y=${X}\nW=${SH}\n",
      },
      {},
      { X: "shell", SH: "sh" },
    );
    expect(environmentOf(r)).toEqual({ X: "from-a", Y: "from-a", W: "sh" });
  });
});

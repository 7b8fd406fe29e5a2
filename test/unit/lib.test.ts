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

import { describe, expect, it } from "vitest";
import { normalizeProjectName, resolveProjectName } from "../../../src/project/load/project-name.js";

describe("project name", () => {
  it("normalises directory and top-level names like the reference", () => {
    expect(normalizeProjectName("My.Project Dir_x-1")).toBe("myprojectdir_x-1");
    expect(normalizeProjectName("_Under")).toBe("under");
    expect(normalizeProjectName("-abc")).toBe("abc");
  });

  it("takes -p, then COMPOSE_PROJECT_NAME, then name:, then the directory", () => {
    const projectDir = "/src/My App";
    expect(resolveProjectName({ flag: "p1", environment: "e1", topLevel: "t1", projectDir })).toEqual({
      name: "p1",
    });
    expect(resolveProjectName({ environment: "e1", topLevel: "t1", projectDir })).toEqual({ name: "e1" });
    expect(resolveProjectName({ topLevel: "Hello.World", projectDir })).toEqual({ name: "helloworld" });
    expect(resolveProjectName({ projectDir })).toEqual({ name: "myapp" });
  });

  it("rejects an invalid -p or COMPOSE_PROJECT_NAME instead of normalising it (exit 1)", () => {
    expect(resolveProjectName({ flag: "My.Proj", projectDir: "/x" })).toEqual({
      error:
        'invalid project name "My.Proj": must consist only of lowercase alphanumeric characters, hyphens, ' +
        "and underscores as well as start with a letter or number",
      exitCode: 1,
    });
    expect(resolveProjectName({ environment: "_abc", projectDir: "/x" })).toMatchObject({ exitCode: 1 });
  });

  it("refuses a name that normalises to nothing (exit 15)", () => {
    expect(resolveProjectName({ projectDir: "/tmp/.-." })).toEqual({
      error: "project name must not be empty",
      exitCode: 15,
    });
  });
});

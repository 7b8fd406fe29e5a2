import { describe, expect, it } from "vitest";
import { selectFiles } from "../../../src/project/load/files.js";
import { memoryFileSystem } from "../../helpers/memfs.js";

const doc = "services: {}\n";

describe("selectFiles", () => {
  it("finds the default file in a parent directory, with its override, and takes that directory", () => {
    const fs = memoryFileSystem("/p/a/b", { "/p/compose.yaml": doc, "/p/docker-compose.override.yml": doc });
    expect(selectFiles({}, fs)).toEqual({
      files: ["/p/compose.yaml", "/p/docker-compose.override.yml"],
      projectDir: "/p",
      warnings: [],
    });
  });

  it("prefers compose.yaml and warns when a directory has several default files", () => {
    const fs = memoryFileSystem("/p", { "/p/docker-compose.yml": doc, "/p/compose.yaml": doc });
    const selected = selectFiles({}, fs);
    expect(selected.files).toEqual(["/p/compose.yaml"]);
    expect(selected.warnings).toEqual([
      "Found multiple config files with supported names: /p/compose.yaml, /p/docker-compose.yml",
      "Using /p/compose.yaml",
    ]);
  });

  it("resolves -f against the working directory; the project directory is the first file's", () => {
    const fs = memoryFileSystem("/w", { "/w/x/base.yml": doc, "/w/over.yml": doc });
    expect(selectFiles({ files: ["x/base.yml", "over.yml"] }, fs)).toEqual({
      files: ["/w/x/base.yml", "/w/over.yml"],
      projectDir: "/w/x",
      warnings: [],
    });
  });

  it("reads COMPOSE_FILE with its separator when no -f is given, and -f wins over it", () => {
    const fs = memoryFileSystem("/w", { "/w/a.yml": doc, "/w/b.yml": doc });
    expect(selectFiles({ composeFile: "a.yml:b.yml" }, fs).files).toEqual(["/w/a.yml", "/w/b.yml"]);
    expect(selectFiles({ composeFile: "a.yml;b.yml", pathSeparator: ";" }, fs).files).toEqual([
      "/w/a.yml",
      "/w/b.yml",
    ]);
    expect(selectFiles({ files: ["b.yml"], composeFile: "a.yml" }, fs).files).toEqual(["/w/b.yml"]);
  });

  it("searches from --project-directory, and keeps it as the project directory", () => {
    const fs = memoryFileSystem("/w", { "/p/compose.yml": doc });
    expect(selectFiles({ projectDirectory: "/p" }, fs)).toMatchObject({
      files: ["/p/compose.yml"],
      projectDir: "/p",
    });
    const other = memoryFileSystem("/w", { "/w/c.yml": doc });
    expect(selectFiles({ files: ["c.yml"], projectDirectory: "../q" }, other).projectDir).toBe("/q");
  });

  it("takes stdin for -f - with the working directory as project directory", () => {
    expect(selectFiles({ files: ["-"] }, memoryFileSystem("/w", {}))).toEqual({
      files: ["-"],
      projectDir: "/w",
      warnings: [],
    });
  });

  it("says what is missing, with the reference's words", () => {
    expect(selectFiles({}, memoryFileSystem("/w", {})).missing).toBe(
      "no configuration file provided: not found",
    );
    expect(selectFiles({ files: ["nope.yml"] }, memoryFileSystem("/w", {})).missing).toBe(
      "open /w/nope.yml: no such file or directory",
    );
  });
});

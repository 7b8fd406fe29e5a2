// The global flags every project command shares, turned into loader options, and the loader's result
// turned into a project or a CLI error. The file system, environment and stdin are read here, at the edge.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import type { Command } from "commander";
import { InvalidProjectError } from "../project/load/diagnostics.js";
import { diskFileSystem } from "../project/load/disk.js";
import { type LoadOptions, loadProject, type Project } from "../project/load/index.js";
import { CliError } from "./errors.js";

export interface GlobalOptions {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
}

export function loadOptionsFrom(global: GlobalOptions, extra: Partial<LoadOptions> = {}): LoadOptions {
  return {
    ...(global.file ? { files: global.file } : {}),
    ...(global.projectName ? { projectName: global.projectName } : {}),
    ...(global.projectDirectory ? { projectDirectory: global.projectDirectory } : {}),
    ...(global.envFile ? { envFiles: global.envFile } : {}),
    ...(global.profile ? { profiles: global.profile } : {}),
    ...extra,
  };
}

/** Loads the project or throws the error the CLI prints (15 for invalid documents). */
export function loadFromCommand(
  command: Command,
  extra: Partial<LoadOptions>,
  warn: (text: string) => void,
): Project {
  const global = command.optsWithGlobals() as GlobalOptions;
  const result = loadProject({
    options: loadOptionsFrom(global, extra),
    env: process.env,
    fs: diskFileSystem(),
    home: homedir(),
    readStdin: () => readFileSync(0, "utf8"),
  });
  for (const w of result.warnings) warn(`WARN[0000] ${w}\n`);
  if (result.failure) throw new CliError(result.failure.message, result.failure.exitCode);
  if (result.problems.length > 0 || !result.project) throw new InvalidProjectError(result.problems);
  return result.project;
}

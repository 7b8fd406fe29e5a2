// tcompose as a library: the compose loader alone (no engine, no terminal), the model every command
// works from. `import { loadProject } from "tcompose"`.
import { homedir } from "node:os";
import path from "node:path";
import { diskFileSystem } from "./project/load/disk.js";
import type { FileSystem } from "./project/load/files.js";
import {
  type Environment,
  type LoadOptions,
  type LoadResult,
  loadProject as loadWith,
} from "./project/load/index.js";

export type { Diagnostic, SourcePosition } from "./project/load/diagnostics.js";
export type { FileSystem } from "./project/load/files.js";
export type { Environment, LoadOptions, LoadResult, Project } from "./project/load/index.js";

export interface LoadProjectInput extends LoadOptions {
  /** The variables interpolation sees, as the shell's (default: process.env). */
  env?: Environment;
  /** Where compose files are searched from, as the working directory (default: process.cwd()). */
  workingDir?: string;
  /** Where the files are read (default: the disk); an in-memory tree for tests. */
  fs?: FileSystem;
  /** For `~` in paths (default: the user's home). */
  home?: string;
}

/**
 * Loads a project like `docker compose config` does: files found or given, .env, interpolation, merging,
 * extends, include, profiles, normalization and validation. Never throws for bad input: problems come back
 * located (`problems`, file:line:col), or as a `failure` with the reference's exit code.
 */
export function loadProject(input: LoadProjectInput = {}): LoadResult {
  const { env = process.env, workingDir = process.cwd(), fs, home = homedir(), ...options } = input;
  return loadWith({ options, env, fs: fs ?? diskFileSystem(path.resolve(workingDir)), home });
}

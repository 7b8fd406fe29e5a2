import path from "node:path";
import type { FileSystem } from "../../src/project/load/files.js";

/** An in-memory tree for loader tests: absolute paths to file texts. */
export function memoryFileSystem(cwd: string, files: Record<string, string>): FileSystem {
  const abs = new Map(Object.entries(files).map(([f, text]) => [path.resolve(cwd, f), text]));
  return { cwd, isFile: (f) => abs.has(f), readFile: (f) => abs.get(f) };
}

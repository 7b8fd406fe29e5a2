// The loader's only contact with the real file system (see FileSystem in ./files.ts).
import { readFileSync, statSync } from "node:fs";
import type { FileSystem } from "./files.js";

export function diskFileSystem(cwd: string = process.cwd()): FileSystem {
  return {
    cwd,
    isFile: (file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false,
    readFile: (file) => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

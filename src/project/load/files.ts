// Which compose files make the project, and where its directory is: the reference's rules, over a small
// file-system interface so the rules are unit-tested against an in-memory tree.
import path from "node:path";

/** What the loader needs of the file system. The real one is in ./disk.ts. */
export interface FileSystem {
  readonly cwd: string;
  isFile(file: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  readFile(file: string): string | undefined;
}

/** The default names, in the reference's order of preference (compose.yaml wins over the others). */
export const defaultFileNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
export const overrideFileNames = [
  "compose.override.yaml",
  "compose.override.yml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
];

/** `-f -`: the document comes from standard input. */
export const stdinFile = "-";

export interface FileSelection {
  /** Absolute paths (or "-" for stdin), in merge order. */
  files: string[];
  /** The project directory: --project-directory, else the first file's directory (cwd for stdin). */
  projectDir: string;
  warnings: string[];
  /** No file to load (the reference exits 14 then, not 15). */
  missing?: string;
}

export interface FileOptions {
  /** -f, in order. */
  files?: readonly string[];
  projectDirectory?: string;
  /** COMPOSE_FILE, from the shell or the .env file. */
  composeFile?: string;
  /** COMPOSE_PATH_SEPARATOR; ":" on Linux and macOS otherwise. */
  pathSeparator?: string;
}

function firstPresent(
  fs: FileSystem,
  dir: string,
  names: readonly string[],
  warnings: string[],
): string | undefined {
  const present = names.map((n) => path.join(dir, n)).filter((f) => fs.isFile(f));
  // The reference warns when a directory has several candidates and takes the first by preference.
  if (present.length > 1) {
    warnings.push(`Found multiple config files with supported names: ${present.join(", ")}`);
    warnings.push(`Using ${present[0]}`);
  }
  return present[0];
}

/** Looks for a default compose file in `start` and then in each parent directory. */
function searchUpwards(fs: FileSystem, start: string, warnings: string[]): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const found = firstPresent(fs, dir, defaultFileNames, warnings);
    if (found) return found;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function selectFiles(options: FileOptions, fs: FileSystem): FileSelection {
  const warnings: string[] = [];
  const base = options.projectDirectory ? path.resolve(fs.cwd, options.projectDirectory) : fs.cwd;
  let named = options.files?.length ? [...options.files] : undefined;
  if (!named && options.composeFile) {
    named = options.composeFile.split(options.pathSeparator || ":").filter((f) => f !== "");
  }
  if (named) {
    const files = named.map((f) => (f === stdinFile ? f : path.resolve(fs.cwd, f)));
    const absent = files.find((f) => f !== stdinFile && !fs.isFile(f));
    const first = files[0] ?? stdinFile;
    const projectDir = options.projectDirectory ? base : first === stdinFile ? fs.cwd : path.dirname(first);
    const selection: FileSelection = { files, projectDir, warnings };
    if (absent) selection.missing = `open ${absent}: no such file or directory`;
    return selection;
  }
  const found = searchUpwards(fs, base, warnings);
  if (!found) {
    return { files: [], projectDir: base, warnings, missing: "no configuration file provided: not found" };
  }
  const dir = path.dirname(found);
  const override = firstPresent(fs, dir, overrideFileNames, warnings);
  return {
    files: override ? [found, override] : [found],
    projectDir: options.projectDirectory ? base : dir,
    warnings,
  };
}

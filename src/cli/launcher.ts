// The `tcompose` command (dist/tcompose.cjs): runs the whole CLI, bundled as one script
// (dist/cli.cjs), from V8's code cache. Compiling that script is most of the start-up of a Node
// program this size (about 40 ms here, against 8 ms from the cache), and Node 20 has no compile cache of
// its own (module.enableCompileCache is Node 22), so the launcher keeps one per user:
//   - in $TCOMPOSE_CACHE_DIR, else $XDG_CACHE_HOME/tcompose, else ~/.cache/tcompose (never a shared
//     directory: cached code is executable), made 0700; no cache at all when it cannot be written;
//   - only the user's own: the directory and the file must be the user's, not links, and not writable by
//     group or others, else the cache is not read nor written (V8 checks only a cache's source length:
//     a file someone else could write would run their code);
//   - one file per Node version, bundle (its size and time) and command (`ps`, `up` …), written once,
//     when the first run of that command without a usable cache ends, so it holds the functions the
//     command runs (a cache made by another command leaves most of them to compile); V8 refuses a cache
//     made by another V8 or for other source, and then it is written anew.
// Nothing else happens here: the bundle's code is the CLI, run as Node would run a CommonJS file; only
// the command lines whose whole answer is the version (version.ts's quickVersion) are answered here.
// The launcher is itself CommonJS: an ES module entry costs Node's module loader (and facades for the
// builtins it imports), ~8 ms of every command on this machine.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import { commandWord } from "./global-flags.js";
import { quickVersion } from "./version.js";

const bundle = path.join(__dirname, "cli.cjs");
const uid = process.getuid?.();

const quick = quickVersion(process.argv.slice(2), process.env);
if (quick === undefined) runBundle();
else process.stdout.write(quick);

function runBundle(): void {
  // ASCII (scripts/build.mjs checks it), so latin1 reads it alike, without UTF-8 decoding.
  const source = readFileSync(bundle, "latin1");
  const cache = cacheFile();
  const dirState = cache ? directoryState(cache.dir) : "unsafe";
  const cached = cache && dirState === "safe" ? readCache(cache.file) : undefined;
  // The CommonJS wrapper, on one line so that the bundle's line numbers stay its own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cached ? { cachedData: cached } : {}),
  });
  if (cache && dirState !== "unsafe" && (!cached || script.cachedDataRejected)) {
    process.once("exit", () => writeCache(cache, script.createCachedData()));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
}

interface CacheFile {
  dir: string;
  /** Files of this Node version start so; the bundle's size and time follow, then the command. */
  prefix: string;
  /** Files of this bundle start so. */
  bundle: string;
  file: string;
}

/** The command's name, for its own cache (a word of letters, else "none"). */
function commandName(argv: readonly string[]): string {
  const word = commandWord(argv);
  return word !== undefined && /^[a-z]+$/.test(word) ? word : "none";
}

function cacheFile(): CacheFile | undefined {
  try {
    const base =
      process.env.TCOMPOSE_CACHE_DIR ||
      path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "tcompose");
    const { size, mtimeMs } = statSync(bundle);
    const prefix = `code-${process.version}-${process.arch}-`;
    const name = `${prefix}${size}-${Math.trunc(mtimeMs)}-${commandName(process.argv.slice(2))}.bin`;
    return {
      dir: base,
      prefix,
      bundle: `${prefix}${size}-${Math.trunc(mtimeMs)}-`,
      file: path.join(base, name),
    };
  } catch {
    return undefined;
  }
}

/** The user's own, and writable by no one else (where there are no uids, as on Windows: any). */
function isPrivate(info: Stats): boolean {
  return uid === undefined || (info.uid === uid && (info.mode & 0o022) === 0);
}

/** The cache directory: usable, absent (made at exit) or not to be used at all. */
function directoryState(dir: string): "safe" | "absent" | "unsafe" {
  try {
    const info = lstatSync(dir);
    return info.isDirectory() && isPrivate(info) ? "safe" : "unsafe";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "unsafe";
  }
}

/** The cache file's bytes when it is a private regular file (not a link: O_NOFOLLOW, checked on the fd). */
function readCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const info = fstatSync(fd);
    return info.isFile() && isPrivate(info) ? readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Written aside and renamed into place (over a file that was not usable too), so a concurrent run reads
 * a whole file or none; older bundles' caches of this Node version go. A failure only means no cache. */
function writeCache({ dir, prefix, bundle, file }: CacheFile, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (directoryState(dir) !== "safe") return;
    const aside = `${file}.${process.pid}.tmp`;
    writeFileSync(aside, data, { mode: 0o600, flag: "wx" });
    renameSync(aside, file);
    for (const name of readdirSync(dir)) {
      const other = path.join(dir, name);
      if (name.startsWith(prefix) && !name.startsWith(bundle) && !name.endsWith(".tmp")) {
        rmSync(other, { force: true });
      }
    }
  } catch {
    // a read-only home, a full disk: run without a cache
  }
}

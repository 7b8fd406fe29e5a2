// `cp SERVICE:SRC DEST | SRC SERVICE:DEST`: the reference's (pkg/compose/cp.go, 2.26.1) over the engine's
// archive API: to every container of the service (or --index's), from the first one listed; docker cp's
// path rules (a directory destination takes the source under its own name, "SRC/." copies a directory's
// contents, anything else is renamed to the destination's base name), with the reference's messages
// (observed on 2.26.1).
import { existsSync, lstatSync, readlinkSync, type Stats, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, posix, resolve } from "node:path";
import { type Command, Option } from "commander";
import type { ContainerSummary, Engine } from "../../project/engine/types.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { daemonError, intFlag, nameOnly } from "./target.js";

export interface CpFlags {
  index?: string;
  all?: boolean;
  followLink?: boolean;
  archive?: boolean;
}

export function registerCp(program: Command, io: Io): void {
  program
    .command("cp")
    .description("Copy files/folders between a service container and the local filesystem")
    .argument("<source>")
    .argument("<destination>")
    .option("--index <n>", "Index of the container if service has multiple replicas")
    .addOption(new Option("--all", "Copy to all the containers of the service").hideHelp())
    .option("-L, --follow-link", "Always follow symbol link in SRC_PATH")
    .option("-a, --archive", "Archive mode (copy all uid/gid information)")
    .action(async (source: string, destination: string, flags: CpFlags, command: Command) => {
      await runCp(command, io, source, destination, flags);
    });
}

/** docker's splitCpArg: `SERVICE:PATH`, unless the argument is an absolute or `.`-relative local path. */
export function splitCpArg(arg: string): { service?: string; path: string } {
  if (isAbsolute(arg)) return { path: arg };
  const colon = arg.indexOf(":");
  if (colon < 0 || arg.startsWith(".")) return { path: arg };
  return { service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

const DIR = 2 ** 31;
const SYMLINK = 2 ** 27;

/** The base name docker's archive code gives a path ("." for "dir/.", the last element otherwise). */
function baseOf(path: string): string {
  if (path.endsWith("/.") || path === ".") return ".";
  return posix.basename(path.replace(/\/+$/, "")) || "/";
}

/** Absolute, keeping a trailing "/" or "/." (docker's PreserveTrailingDotOrSeparator). */
function localAbsolute(path: string): string {
  const abs = resolve(path);
  if (path.endsWith("/.") || path === ".") return `${abs}/.`;
  if (path.endsWith("/")) return `${abs}/`;
  return abs;
}

function lstatOrNothing(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * docker's CopyInfoDestinationPath: a local destination that is a symbolic link stands for its target (the
 * one the user named; what the archive holds is never followed, see extractTar).
 */
function followDestination(path: string): string {
  let current = path;
  for (let n = 0; lstatOrNothing(current)?.isSymbolicLink(); n++) {
    if (n > 10) throw new CliError(`too many symlinks in ${path}`);
    const target = readlinkSync(current);
    current = isAbsolute(target) ? target : join(dirname(current), target);
  }
  return current;
}

async function copyToContainer(engine: Engine, id: string, src: string, dst: string, flags: CpFlags) {
  let dstPath = dst;
  let dstStat = await engine.statPath(id, dstPath);
  if (dstStat && dstStat.mode & SYMLINK) {
    const target = posix.isAbsolute(dstStat.linkTarget)
      ? dstStat.linkTarget
      : posix.join(posix.dirname(dstPath), dstStat.linkTarget);
    dstPath = target;
    dstStat = await engine.statPath(id, target);
  }
  const dstIsDir = dstStat ? (dstStat.mode & DIR) !== 0 : false;
  const options = { copyUIDGID: flags.archive === true, noOverwriteDirNonDir: true };
  if (src === "-") {
    if (!dstIsDir) throw new CliError(`destination "${id}:${dst}" must be a directory`);
    await engine.putArchive(id, dstPath, process.stdin, options);
    return;
  }
  const local = localAbsolute(src);
  const plain = local.replace(/\/\.?$/, "") || "/";
  // docker's ResolveHostSourcePath: a link is followed with -L, or when named "LINK/" or "LINK/."
  const follow = flags.followLink === true || /\/\.?$/.test(local);
  let srcIsDir: boolean;
  try {
    srcIsDir = (follow ? statSync(plain) : lstatSync(plain)).isDirectory();
  } catch {
    throw new CliError(`lstat ${plain}: no such file or directory`);
  }
  let into: string;
  let rootName: string;
  if (dstStat && dstIsDir) {
    into = dstPath;
    rootName = srcIsDir ? baseOf(local) : basename(plain);
  } else if (dstStat) {
    if (srcIsDir) throw new CliError("cannot copy directory");
    into = posix.dirname(dstPath);
    rootName = posix.basename(dstPath);
  } else {
    if (dstPath.endsWith("/") && !srcIsDir) throw new CliError("no such directory");
    into = posix.dirname(dstPath.replace(/\/+$/, ""));
    rootName = posix.basename(dstPath.replace(/\/+$/, ""));
  }
  const { tarLocal } = await import("../../project/archive.js");
  await engine.putArchive(id, into, tarLocal(plain, rootName, follow), options);
}

async function copyFromContainer(engine: Engine, id: string, src: string, dst: string, flags: CpFlags) {
  let srcPath = src;
  let rebase: string | undefined;
  if (flags.followLink) {
    const st = await engine.statPath(id, srcPath);
    if (st && st.mode & SYMLINK) {
      srcPath = posix.isAbsolute(st.linkTarget)
        ? st.linkTarget
        : posix.join(posix.dirname(src), st.linkTarget);
      rebase = baseOf(src);
    }
  }
  const stat = await engine.statPath(id, srcPath);
  const content = await engine.getArchive(id, srcPath);
  if (dst === "-") {
    for await (const chunk of content as AsyncIterable<Buffer>) process.stdout.write(chunk);
    return;
  }
  const srcIsDir = stat ? (stat.mode & DIR) !== 0 : false;
  const root = baseOf(srcPath);
  const local = localAbsolute(dst);
  const plain = followDestination(local.replace(/\/\.?$/, "") || "/");
  const { extractTar } = await import("../../project/archive.js");
  const dstStat = lstatOrNothing(plain);
  if (dstStat?.isDirectory()) {
    await extractTar(content, plain, rebase ? { from: root, to: rebase } : undefined);
    return;
  }
  if (dstStat) {
    if (srcIsDir) throw new CliError("cannot copy directory");
  } else if (local.endsWith("/") && !srcIsDir) {
    throw new CliError("no such directory");
  }
  const parent = dirname(plain);
  if (!existsSync(parent)) throw new CliError(`lstat ${parent}: no such file or directory`);
  await extractTar(content, parent, { from: root, to: basename(plain) });
}

async function runCp(command: Command, io: Io, source: string, destination: string, flags: CpFlags) {
  if (flags.all) {
    io.stderr(
      "Flag --all has been deprecated, By default all the containers of the service will get the source file/directory to be copied\n",
    );
  }
  if (source === "") throw new CliError("source can not be empty");
  if (destination === "") throw new CliError("destination can not be empty");
  const index = intFlag("--index", flags.index) ?? 0;
  const target = await nameOnly(command, io);
  const { engine, name } = target;
  const from = splitCpArg(source);
  const to = splitCpArg(destination);
  if (from.service && flags.all) throw new CliError("cannot use the --all flag when copying from a service");
  if (from.service && to.service) throw new CliError("copying between services is not supported");
  const service = from.service ?? to.service;
  if (!service) throw new CliError("unknown copy direction");

  const { canonicalName, composeContainers, specifiedContainer } = await import("../../project/state.js");
  let containers: ContainerSummary[];
  if (index > 0)
    containers = [
      await specifiedContainer(engine, name, service, { oneoff: "exclude", stopped: true, index }),
    ];
  else {
    containers = await composeContainers(engine, name, {
      stopped: true,
      oneoff: "exclude",
      services: [service],
    });
    if (containers.length === 0) throw new CliError(`no container found for service "${service}"`);
    if (from.service) containers = containers.slice(0, 1);
  }

  const { progressFor } = await import("../progress-output.js");
  const progress = await progressFor(command, io, "Copying");
  try {
    const results = await Promise.allSettled(
      containers.map(async (c) => {
        const cname = canonicalName(c);
        const text = from.service
          ? `copy ${cname}:${from.path} to ${to.path}`
          : `copy ${from.path} to ${cname}:${to.path}`;
        progress.event({ id: cname, text, details: "Copying", status: "working", textAfterId: true });
        if (from.service) await copyFromContainer(engine, c.id, from.path, to.path, flags);
        else await copyToContainer(engine, c.id, from.path, to.path, flags);
        progress.event({ id: cname, text, details: "Copied", status: "done", textAfterId: true });
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw daemonError(failed.reason);
  } finally {
    progress.stop();
  }
}

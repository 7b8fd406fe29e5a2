// One mutating run per project at a time, across processes and machines that share the engine (the
// reference has no such lock: two `up` at once make two `<project>_default` networks).
//
// The lock is a container named `<project>.tcompose-lock`, created (never started, no network) from
// `tcompose-lock:1`, an image of no layers built `FROM scratch` on first use (no pull, nothing to
// download). A container create by name is atomic on the engine (409 when the name is taken); a network
// create is not (that is the defect), a volume create answers with the existing volume. The container
// carries no com.docker.compose.* label, so neither tool's ps, ls or down sees it, and it is removed
// when the run ends. Its labels name the holder (pid, host, start): a lock whose holder is gone (same
// host, process no longer there) or older than the lease (another host) is taken over by removing it
// by id, so two waiters taking over the same stale lock cannot remove each other's new one. Labels cannot
// change, so the lease is not renewed: another host's run longer than the lease can be overtaken.
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { EngineError } from "./engine/errors.js";
import { InterruptedError } from "./engine/interrupt.js";
import type { ContainerDetails, Engine, Labels, Subscription } from "./engine/types.js";

const prefix = "dev.tcompose.lock";

export const lockLabel = {
  /** The project locked; also marks the container as tcompose's lock. */
  project: prefix,
  pid: `${prefix}.pid`,
  /** The holder's host name, for messages. */
  host: `${prefix}.host`,
  /** Where the pid means something: the boot and pid namespace on Linux, else the host name. */
  hostId: `${prefix}.host-id`,
  /** The holder process's start (Linux: /proc/<pid>/stat starttime), so a reused pid is not the holder. */
  pidStart: `${prefix}.pid-start`,
  /** When the lock was taken, milliseconds since the epoch. */
  since: `${prefix}.since`,
  command: `${prefix}.command`,
} as const;

export const lockImage = "tcompose-lock:1";

/** A lock another host holds is taken over after this long (its holder cannot be asked whether it lives). */
export const lockLeaseMs = 15 * 60 * 1000;

/** How often a waiter looks again at a holder it cannot see end (dead process, lease over). */
const recheckMs = 1000;

export function lockName(project: string): string {
  return `${project}.tcompose-lock`;
}

export interface LockHolder {
  pid: number;
  host: string;
  hostId: string;
  pidStart?: string;
  since: number;
  command: string;
}

export function lockLabels(project: string, holder: LockHolder): Labels {
  return {
    [lockLabel.project]: project,
    [lockLabel.pid]: String(holder.pid),
    [lockLabel.host]: holder.host,
    [lockLabel.hostId]: holder.hostId,
    ...(holder.pidStart !== undefined ? { [lockLabel.pidStart]: holder.pidStart } : {}),
    [lockLabel.since]: String(holder.since),
    [lockLabel.command]: holder.command,
  };
}

/** The holder a lock container's labels name; undefined when it is not a tcompose lock of this project. */
export function holderOf(project: string, labels: Labels): LockHolder | undefined {
  if (labels[lockLabel.project] !== project) return undefined;
  const pid = Number(labels[lockLabel.pid]);
  const since = Number(labels[lockLabel.since]);
  return {
    pid: Number.isInteger(pid) ? pid : 0,
    host: labels[lockLabel.host] ?? "",
    hostId: labels[lockLabel.hostId] ?? "",
    ...(labels[lockLabel.pidStart] !== undefined ? { pidStart: labels[lockLabel.pidStart] } : {}),
    since: Number.isFinite(since) ? since : 0,
    command: labels[lockLabel.command] ?? "",
  };
}

/** What a waiter knows of its own host and the clock. */
export interface Observer {
  hostId: string;
  now: number;
  leaseMs: number;
  /** Whether a process of this host runs with that pid (and, when given, that start). */
  alive: (pid: number, pidStart: string | undefined) => boolean;
}

/** "held" (wait), or "stale": the holder is gone or its lease is over (take it over). */
export function lockVerdict(holder: LockHolder, observer: Observer): "held" | "stale" {
  if (holder.hostId !== "" && holder.hostId === observer.hostId && holder.pid > 0) {
    return observer.alive(holder.pid, holder.pidStart) ? "held" : "stale";
  }
  return observer.now - holder.since > observer.leaseMs ? "stale" : "held";
}

export function waitingMessage(project: string, holder: LockHolder): string {
  return `Waiting for another tcompose run on project "${project}" (pid ${holder.pid} on host ${holder.host})…\n`;
}

export function takeOverMessage(project: string, holder: LockHolder): string {
  const minutes = Math.round(lockLeaseMs / 60_000);
  return `Taking over the lock of project "${project}" from pid ${holder.pid} on host ${holder.host}, held for more than ${minutes} minutes\n`;
}

// ------------------------------------------------------------------------------------------- this host

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
export function statStartTime(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

function processStart(pid: number | "self"): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : statStartTime(stat);
}

/** Where a pid designates one process: this boot and pid namespace (Linux), else the host name. */
export function thisHostId(): string {
  const boot = readOr("/proc/sys/kernel/random/boot_id")?.trim();
  let namespace: string | undefined;
  try {
    namespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    namespace = undefined;
  }
  return boot && namespace ? `${boot}/${namespace}` : `host:${hostname()}`;
}

function isAlive(pid: number, pidStart: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (pidStart === undefined) return true;
  const start = processStart(pid);
  return start === undefined || start === pidStart;
}

export function currentHolder(command: string, now = Date.now()): LockHolder {
  const pidStart = processStart("self");
  return {
    pid: process.pid,
    host: hostname(),
    hostId: thisHostId(),
    ...(pidStart !== undefined ? { pidStart } : {}),
    since: now,
    command,
  };
}

// ------------------------------------------------------------------------------------------- the engine

export interface LockOptions {
  engine: Engine;
  project: string;
  /** The command taking the lock, for the holder's labels. */
  command: string;
  /** --dry-run: nothing is created, nothing awaited. */
  dryRun?: boolean;
  /** Where the waiting message goes (stderr). */
  notify: (text: string) => void;
  /** Ctrl-C: stop waiting (rejects with InterruptedError; a lock just taken is given back). */
  signal?: AbortSignal;
}

export interface ProjectLock {
  release(): Promise<void>;
}

const noLock: ProjectLock = { release: async () => {} };

function statusOf(error: unknown): number | undefined {
  return error instanceof EngineError ? error.statusCode : (error as { statusCode?: number }).statusCode;
}

/** Runs the work holding the project's lock. */
export async function withProjectLock<T>(options: LockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await lockProject(options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** Takes the project's lock, waiting while another live run holds it. */
export async function lockProject(options: LockOptions): Promise<ProjectLock> {
  if (options.dryRun) return noLock;
  const { engine, project } = options;
  const name = lockName(project);
  const me = currentHolder(options.command);
  const request = {
    name,
    Image: lockImage,
    Cmd: ["tcompose-lock"],
    Labels: lockLabels(project, me),
    NetworkDisabled: true,
    HostConfig: { NetworkMode: "none" },
  };
  let watching: Subscription | undefined;
  let wake: (() => void) | undefined;
  /** A destroy event came since the last try. */
  let signalled = false;
  let announced: string | undefined;
  let takenOver: string | undefined;
  let imageBuilt = false;
  const { signal } = options;
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      signalled = false;
      if (signal?.aborted) throw new InterruptedError();
      try {
        const id = await engine.createContainer(request);
        if (signal?.aborted) {
          await engine.removeContainer(id, { force: true }).catch(() => {});
          throw new InterruptedError();
        }
        return {
          release: async () => {
            await engine.removeContainer(id, { force: true }).catch(() => {});
          },
        };
      } catch (error) {
        const status = statusOf(error);
        if (status === 404 && !imageBuilt) {
          await buildLockImage(engine);
          imageBuilt = true;
          continue;
        }
        if (status !== 409) throw error;
      }
      const current = await inspectOrMissing(engine, name);
      if (!current) continue;
      const holder = holderOf(project, current.labels);
      if (!holder) {
        throw new Error(
          `container "${name}" is in the way of the lock of project "${project}": it is not tcompose's; remove it`,
        );
      }
      const verdict = lockVerdict(holder, {
        hostId: me.hostId,
        now: Date.now(),
        leaseMs: lockLeaseMs,
        alive: isAlive,
      });
      if (verdict === "stale") {
        // A holder of this host that is gone (killed, say) is certain: taken over without a word. One of
        // another host may still run: that is said.
        if (holder.hostId !== me.hostId && takenOver !== current.id) {
          options.notify(takeOverMessage(project, holder));
          takenOver = current.id;
        }
        await engine.removeContainer(current.id, { force: true }).catch((error: unknown) => {
          if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
        });
        continue;
      }
      if (announced !== current.id) {
        options.notify(waitingMessage(project, holder));
        announced = current.id;
      }
      if (!watching) {
        // Opened before the next try, so a release between the inspect above and now is not missed.
        watching = await engine.subscribeEvents(
          { type: ["container"], event: ["destroy"], container: [name] },
          () => {
            signalled = true;
            wake?.();
          },
          () => wake?.(),
        );
        continue;
      }
      if (signalled) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, recheckMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    watching?.close();
  }
}

async function inspectOrMissing(engine: Engine, name: string): Promise<ContainerDetails | undefined> {
  try {
    return await engine.inspectContainer(name);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** `tcompose-lock:1`: FROM scratch, no layer; containers made from it are created, never started. */
async function buildLockImage(engine: Engine): Promise<void> {
  if (await engine.inspectImage(lockImage)) return;
  const { tarStream } = await import("./build/tar.js");
  const dockerfile = new TextEncoder().encode(`FROM scratch\nLABEL ${prefix}.image="1"\n`);
  const context = tarStream([
    {
      type: "file",
      path: "Dockerfile",
      mode: 0o644,
      mtime: 0,
      size: dockerfile.length,
      source: { kind: "bytes", data: dockerfile },
    },
  ]);
  await engine.buildImage({ context, query: { t: lockImage, rm: true, forcerm: true } }, () => {});
}

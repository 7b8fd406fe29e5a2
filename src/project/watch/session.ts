// A watch session: the rules' paths watched on the host (watcher.ts), each batch of changes carried out in
// order (rules.ts decides what a batch asks for): rebuild (the caller's build + recreate through `up`'s
// path), sync into the service's running containers (sync.ts: one archive per container), restart, then
// the sync+exec commands. Batches never overlap: changes that arrive while one is handled make the next.
// A failure is reported and watching goes on, as the reference's "Error handling changed files".
import type { Engine } from "../engine/types.js";
import { label } from "../labels.js";
import type { Project } from "../load/index.js";
import { composeContainers } from "../state.js";
import {
  batchActions,
  initialMapping,
  type Rule,
  ruleIgnores,
  syncMessage,
  watcherIgnores,
} from "./rules.js";
import { execIn, syncPaths } from "./sync.js";
import { isWithin, type TreeWatcher, watchTree } from "./watcher.js";

export interface WatchHooks {
  engine: Engine;
  project: Project;
  rules: readonly Rule[];
  /** A line of the watch logger (the reference's "#watch"): "Watch enabled", "Syncing …". */
  log(line: string): void;
  /** A warning line (stderr). */
  warn(line: string): void;
  /** Output of the sync+exec commands. */
  output: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void };
  /**
   * Builds the services' images and recreates their containers (up's path); `built` is called once the
   * images are built, before the containers are recreated.
   */
  rebuild(services: string[], built: () => void): Promise<void>;
  /** Restarts the services' containers (restart's plan). */
  restart(services: string[]): Promise<void>;
  /** Quiet time before a batch is handled (50 ms: editors' saves take a few; the reference waits 500). */
  quietMs?: number;
  /**
   * --dry-run: the lines are said, nothing is copied or run in a container (no initial sync either); the
   * caller's rebuild and restart hooks are its own to make harmless.
   */
  dryRun?: boolean;
}

export interface Watching {
  /** Stops watching; a batch being handled finishes first. */
  close(): Promise<void>;
  /** Settles when the watcher fails (rejects) or is closed. */
  readonly ended: Promise<void>;
  /** Settles once every batch seen so far has been handled (tests, benchmarks). */
  idle(): Promise<void>;
}

/** The service's running containers, one-offs excluded (what the reference syncs and restarts). */
async function listRunning(hooks: WatchHooks, service: string): Promise<string[]> {
  const listed = await composeContainers(hooks.engine, hooks.project.name, {
    stopped: false,
    oneoff: "exclude",
    services: [service],
  });
  return listed.map((c) => c.id);
}

/**
 * Each service's running containers, read once and kept until the engine reports a container of the
 * project created, started, stopped or removed: a sync does not wait for a listing.
 */
export class ContainerCache {
  private readonly known = new Map<string, Promise<string[]>>();
  /** False when the engine's events cannot be followed: every call lists. */
  kept = true;

  constructor(private readonly list: (service: string) => Promise<string[]>) {}

  get(service: string): Promise<string[]> {
    if (!this.kept) return this.list(service);
    let ids = this.known.get(service);
    if (!ids) {
      ids = this.list(service);
      this.known.set(service, ids);
      ids.catch(() => this.known.delete(service));
    }
    return ids;
  }

  /** A container event of the project: its service's list is read again when next needed. */
  changed(service: string | undefined): void {
    if (service === undefined) this.known.clear();
    else this.known.delete(service);
  }
}

const containerActions = new Set([
  "create",
  "start",
  "restart",
  "stop",
  "die",
  "kill",
  "destroy",
  "pause",
  "unpause",
  "rename",
]);

/** Whether every sync rule of the service that covers the path leaves it out. */
function syncIgnored(rules: readonly Rule[], service: string, path: string): boolean {
  const own = rules.filter((r) => r.service === service && r.target && isWithin(path, r.path));
  return own.length > 0 && own.every((r) => ruleIgnores(r, path));
}

async function sync(
  hooks: WatchHooks,
  containers: ContainerCache,
  service: string,
  mappings: Parameters<typeof syncPaths>[2],
) {
  const options = { ignored: (path: string) => syncIgnored(hooks.rules, service, path) };
  const ids = await containers.get(service);
  if (ids.length === 0) return;
  try {
    await syncPaths(hooks.engine, ids, mappings, options);
  } catch (error) {
    // A container replaced since the last listing (its event not seen yet): list again, once.
    if (!containers.kept) throw error;
    containers.changed(service);
    const fresh = await containers.get(service);
    if (fresh.join() === ids.join()) throw error;
    await syncPaths(hooks.engine, fresh, mappings, options);
  }
}

/** Runs a sync+exec rule's command in each running container of the service; a failure is reported. */
async function runExec(hooks: WatchHooks, containers: ContainerCache, rule: Rule): Promise<void> {
  const hook = rule.exec;
  if (!hook?.command?.length) return;
  const ids = await containers.get(rule.service);
  const env = Object.entries(hook.environment ?? {}).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  const request = {
    Cmd: hook.command,
    AttachStdout: true,
    AttachStderr: true,
    ...(env.length ? { Env: env } : {}),
    ...(hook.user ? { User: hook.user } : {}),
    ...(hook.privileged === true || hook.privileged === "true" ? { Privileged: true } : {}),
    ...(hook.working_dir ? { WorkingDir: hook.working_dir } : {}),
  };
  await Promise.all(
    ids.map(async (id) => {
      const exitCode = await execIn(hooks.engine, id, request, (kind, chunk) =>
        kind === "stderr" ? hooks.output.stderr(chunk) : hooks.output.stdout(chunk),
      );
      if (exitCode) {
        throw new Error(
          `exec of service "${rule.service}" (${hook.command?.join(" ")}) ended with exit code ${exitCode}`,
        );
      }
    }),
  );
}

/** Carries out one batch of changed host paths. */
export async function handleBatch(hooks: WatchHooks, containers: ContainerCache, paths: readonly string[]) {
  const actions = batchActions(hooks.rules, paths);
  if (actions.rebuild.length) {
    for (const s of actions.rebuild) hooks.log(`Rebuilding service "${s}" after changes were detected...`);
    // The reference's line comes between the build and the recreation.
    let said = false;
    const built = () => {
      if (said) return;
      said = true;
      for (const s of actions.rebuild) hooks.log(`service "${s}" successfully built`);
    };
    try {
      await hooks.rebuild(actions.rebuild, built);
      for (const s of actions.rebuild) containers.changed(s);
    } catch (error) {
      hooks.log(`Build failed. Error: ${(error as Error).message}`);
      throw error;
    }
    built();
  }
  for (const [service, mappings] of actions.sync) {
    hooks.log(syncMessage(service, mappings.length));
    if (!hooks.dryRun) await sync(hooks, containers, service, mappings);
  }
  if (actions.restart.length) await hooks.restart(actions.restart);
  if (hooks.dryRun) return;
  for (const rules of actions.exec.values()) {
    for (const rule of rules) await runExec(hooks, containers, rule);
  }
}

/** The initial sync of the rules that ask for it: each rule's whole path (ignored paths left out). */
async function initialSync(hooks: WatchHooks, containers: ContainerCache): Promise<void> {
  for (const rule of hooks.rules) {
    const mapping = initialMapping(rule);
    if (!mapping) continue;
    const ids = await containers.get(rule.service);
    if (ids.length === 0) continue;
    await syncPaths(hooks.engine, ids, [mapping], { ignored: (path) => ruleIgnores(rule, path) });
  }
}

/** Starts watching the rules' paths: resolves once every directory is watched ("Watch enabled"). */
export async function startWatching(hooks: WatchHooks): Promise<Watching> {
  const pending = new Set<string>();
  let running: Promise<void> | undefined;
  let closed = false;
  let fail: (error: Error) => void = () => {};
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  ended.catch(() => {});
  const drain = async () => {
    while (pending.size > 0 && !closed) {
      const batch = [...pending];
      pending.clear();
      try {
        await handleBatch(hooks, cache, batch);
      } catch (error) {
        hooks.warn(`Error handling changed files: ${(error as Error).message}`);
      }
    }
  };
  const schedule = () => {
    if (running) return;
    running = drain().finally(() => {
      running = undefined;
      if (pending.size > 0 && !closed) schedule();
    });
  };
  // Containers are listed once and kept in step with the engine's events; the first listing (and the
  // engine client's loading) happens now, not on the first change.
  const cache = new ContainerCache((service) => listRunning(hooks, service));
  const subscription = await hooks.engine
    .subscribeEvents({ label: { [label.project]: hooks.project.name } }, (event) => {
      if (event.type === "container" && containerActions.has(event.action)) {
        cache.changed(event.attributes[label.service]);
      }
    })
    .catch(() => undefined);
  cache.kept = subscription !== undefined;
  await Promise.all(
    [...new Set(hooks.rules.filter((r) => r.target).map((r) => r.service))].map((s) =>
      cache.get(s).catch(() => []),
    ),
  );
  if (!hooks.dryRun) await initialSync(hooks, cache);
  const watcher: TreeWatcher = await watchTree({
    paths: [...new Set(hooks.rules.map((r) => r.path))],
    ignored: (path, isDirectory) => watcherIgnores(hooks.rules, path, isDirectory),
    onChanges: (paths) => {
      if (closed) return;
      for (const p of paths) pending.add(p);
      schedule();
    },
    onError: (error) => {
      hooks.warn(`Watch disabled with errors: ${error.message}`);
      fail(error);
    },
    quietMs: hooks.quietMs ?? 50,
  });
  hooks.log("Watch enabled");
  return {
    ended,
    idle: async () => {
      while (running) await running;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await watcher.close();
      await running;
      subscription?.close();
      finish();
    },
  };
}

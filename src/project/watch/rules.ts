// The watch rules of a project (develop.watch), what a changed host path means for them, and what a batch of
// changes asks for: pure, no disk (the caller hands in the .dockerignore texts and what exists).
//
// As the reference (pkg/compose/watch.go, 2.26.1 and its later `restart`, `sync+exec`, `initial_sync`):
// a path is ignored by a rule when the rule's `ignore` patterns (relative to its path), the .dockerignore
// of the service's build context, or the editors' temporary files match it or a parent of it; `.git`
// directories are never synced. A sync rule's path under a bind mount of the same service is not watched
// (warning). A batch rebuilds first, then syncs each service once, then restarts, then runs the execs.
import { posix, sep } from "node:path";
import { IgnoreMatcher } from "../build/dockerignore.js";
import type { Service, ServiceHook, WatchRule } from "../load/types.js";
import type { PathMapping } from "./sync.js";
import { isWithin } from "./watcher.js";

export type WatchAction = WatchRule["action"];

export interface Rule {
  service: string;
  /** Its index in the service's develop.watch list (for messages). */
  index: number;
  action: WatchAction;
  /** Absolute host path. */
  path: string;
  /** Absolute container path (sync actions). */
  target?: string;
  exec?: ServiceHook;
  initialSync: boolean;
  /** Relative (to `path`) patterns from `ignore`. */
  ignore: IgnoreMatcher;
  /** The build context's .dockerignore, with the context it is relative to. */
  dockerignore?: { root: string; matcher: IgnoreMatcher };
}

export interface RuleProblem {
  service: string;
  index?: number;
  /** A warning leaves the rule watched (or, for a bind mount, is the reference's warning). */
  level: "error" | "warning";
  message: string;
}

/**
 * Editors' temporary and lock files (the reference's EphemeralPathMatcher: `**\/*___jb_old___`,
 * `**\/*___jb_tmp___`, `**\/.idea/**`, `**\/.#*`, `**\/#*#`, `**\/4913`, `**\/*~`, `**\/.*.sw[xpon]`,
 * `**\/.*.kate-swp`, `**\/*-go-tmp-umask`) and `.git`: all of them name one path element, so each element
 * is tested by name (a watcher asks about every directory of the tree).
 */
export function ephemeralName(name: string): boolean {
  return (
    name === ".git" ||
    name === ".idea" ||
    name === "4913" ||
    name.endsWith("~") ||
    name.endsWith("___jb_old___") ||
    name.endsWith("___jb_tmp___") ||
    name.endsWith("-go-tmp-umask") ||
    name.startsWith(".#") ||
    (name.length > 1 && name.startsWith("#") && name.endsWith("#")) ||
    /^\..*\.(swp|swx|swo|swn|kate-swp)$/.test(name)
  );
}

export const syncActions: ReadonlySet<WatchAction> = new Set(["sync", "sync+restart", "sync+exec"]);

function asBool(value: unknown): boolean {
  return value === true || value === "true";
}

function label(rule: { service: string; index: number; action: string; path?: string }): string {
  return `service "${rule.service}" develop.watch[${rule.index}] (${rule.action})`;
}

export interface RuleInputs {
  /** The text of `<dir>/.dockerignore`, undefined when there is none. */
  dockerignore(dir: string): string | undefined;
  exists(path: string): boolean;
}

/**
 * The rules of the selected services (all when none are named). A rule that cannot work is left out with an
 * error naming its service and index; the others are kept. Services without `develop` are not watched.
 */
export function watchRules(
  services: Readonly<Record<string, Service>>,
  selected: readonly string[],
  inputs: RuleInputs,
): { rules: Rule[]; problems: RuleProblem[] } {
  const rules: Rule[] = [];
  const problems: RuleProblem[] = [];
  const names = selected.length ? selected : Object.keys(services);
  for (const service of names) {
    const config = services[service];
    const watch = config?.develop?.watch;
    if (!config || !watch) continue;
    const context = typeof config.build?.context === "string" ? config.build.context : undefined;
    const local = context && !/^[a-z]+:\/\//i.test(context) && context.startsWith("/") ? context : undefined;
    const ignoreText = local ? inputs.dockerignore(local) : undefined;
    const dockerignore =
      local && ignoreText !== undefined
        ? { root: local, matcher: IgnoreMatcher.parse(ignoreText) }
        : undefined;
    const binds = (config.volumes ?? [])
      .filter((v) => v.type === "bind" && v.source)
      .map((v) => v.source ?? "");
    watch.forEach((raw, index) => {
      const where = label({ service, index, action: raw.action });
      const fail = (message: string) => problems.push({ service, index, level: "error", message });
      if (raw.action === "rebuild" && !config.build) {
        fail(`${where}: can't watch with action rebuild without a build section`);
        return;
      }
      if (syncActions.has(raw.action)) {
        if (!raw.target?.startsWith("/")) {
          fail(`${where}: target "${raw.target ?? ""}" must be an absolute path in the container`);
          return;
        }
      }
      if (raw.action === "sync+exec" && !raw.exec?.command?.length) {
        fail(`${where}: can't watch with action sync+exec without an exec command`);
        return;
      }
      if (syncActions.has(raw.action) && binds.some((source) => isWithin(raw.path, source))) {
        problems.push({
          service,
          index,
          level: "warning",
          message: `path '${raw.path}' also declared by a bind mount volume, this path won't be monitored!`,
        });
        return;
      }
      if (!inputs.exists(raw.path)) {
        problems.push({
          service,
          index,
          level: "warning",
          message: `${where}: path ${raw.path} does not exist (yet): watched from its parent`,
        });
      }
      rules.push({
        service,
        index,
        action: raw.action,
        path: raw.path,
        ...(raw.target ? { target: raw.target } : {}),
        ...(raw.exec ? { exec: raw.exec } : {}),
        initialSync: asBool(raw.initial_sync) && syncActions.has(raw.action),
        ignore: IgnoreMatcher.parse((raw.ignore ?? []).join("\n")),
        ...(dockerignore ? { dockerignore } : {}),
      });
    });
  }
  return { rules, problems };
}

function toSlash(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** The `/`-separated path of `child` below `parent` (which contains it, isWithin). */
function below(parent: string, child: string): string {
  return toSlash(child.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
}

/** Whether the rule leaves this path (below or at its own path) out. */
export function ruleIgnores(rule: Rule, path: string): boolean {
  if (path !== rule.path) {
    const rel = below(rule.path, path);
    if (rel.split("/").some(ephemeralName)) return true;
    if (rule.ignore.patterns.length > 0 && rule.ignore.excludes(rel)) return true;
  }
  const d = rule.dockerignore;
  if (d && path !== d.root && isWithin(path, d.root)) {
    if (d.matcher.excludes(below(d.root, path))) return true;
  }
  return false;
}

/** Whether an ignored directory may still hold paths the rule keeps (an exception pattern below it). */
function mayKeepBelow(rule: Rule, dir: string): boolean {
  if (dir !== rule.path && rule.ignore.mayIncludeBelow(below(rule.path, dir))) return true;
  const d = rule.dockerignore;
  return !!d && dir !== d.root && isWithin(dir, d.root) && d.matcher.mayIncludeBelow(below(d.root, dir));
}

/**
 * For the file watcher: a path no rule wants (and, for a directory, nothing below it either) is neither
 * reported nor descended into. Ancestors of a rule's path are kept (a path watched before it exists).
 */
export function watcherIgnores(rules: readonly Rule[], path: string, isDirectory: boolean): boolean {
  for (const rule of rules) {
    if (isWithin(rule.path, path)) return false;
    if (!isWithin(path, rule.path)) continue;
    if (!ruleIgnores(rule, path)) return false;
    if (isDirectory && mayKeepBelow(rule, path)) return false;
  }
  return true;
}

/** The change as this rule sees it: its container path (sync actions), or undefined when not its own. */
export function mappingFor(rule: Rule, hostPath: string): PathMapping | undefined {
  if (!isWithin(hostPath, rule.path) || ruleIgnores(rule, hostPath)) return undefined;
  const rel = hostPath === rule.path ? "" : below(rule.path, hostPath);
  return { hostPath, containerPath: rule.target ? posix.join(rule.target, rel) : "" };
}

export interface BatchActions {
  /** Services to build and recreate. */
  rebuild: string[];
  /** Per service, the paths to copy or delete, each once. */
  sync: Map<string, PathMapping[]>;
  /** Services to restart (after their sync). */
  restart: string[];
  /** Per service, the sync+exec rules whose command runs (once each, after the sync). */
  exec: Map<string, Rule[]>;
}

/** What a batch of changed host paths asks for, as the reference's handleWatchBatch groups it. */
export function batchActions(rules: readonly Rule[], paths: readonly string[]): BatchActions {
  const rebuild = new Set<string>();
  const restart = new Set<string>();
  const sync = new Map<string, Map<string, PathMapping>>();
  const exec = new Map<string, Set<Rule>>();
  for (const path of paths) {
    for (const rule of rules) {
      const mapping = mappingFor(rule, path);
      if (!mapping) continue;
      const { service } = rule;
      if (rule.action === "rebuild") {
        rebuild.add(service);
        continue;
      }
      if (rule.action === "restart") {
        restart.add(service);
        continue;
      }
      const own = sync.get(service) ?? new Map<string, PathMapping>();
      sync.set(service, own);
      own.set(`${mapping.hostPath}\0${mapping.containerPath}`, mapping);
      if (rule.action === "sync+restart") restart.add(service);
      if (rule.action === "sync+exec") {
        const rulesToRun = exec.get(service) ?? new Set<Rule>();
        exec.set(service, rulesToRun);
        rulesToRun.add(rule);
      }
    }
  }
  // A service being rebuilt gets new containers, just started: restarting them is moot (its syncs and
  // execs still run, into the new containers, as the reference's).
  for (const service of rebuild) restart.delete(service);
  return {
    rebuild: [...rebuild],
    sync: new Map([...sync].map(([service, m]) => [service, [...m.values()]])),
    restart: [...restart],
    exec: new Map([...exec].map(([service, s]) => [service, [...s].sort((a, b) => a.index - b.index)])),
  };
}

/** The reference's line before a sync (2.26.1: the count only beyond 10 changes). */
export function syncMessage(service: string, count: number): string {
  return count <= 10
    ? `Syncing "${service}" after changes were detected`
    : `Syncing service "${service}" after ${count} changes were detected`;
}

/** What the initial sync sends for a rule: its whole path, to its target (ignored paths left out). */
export function initialMapping(rule: Rule): PathMapping | undefined {
  return rule.initialSync && rule.target ? { hostPath: rule.path, containerPath: rule.target } : undefined;
}

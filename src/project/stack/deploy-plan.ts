// The plan of `stack deploy` (pure): the stack's objects as the file wants them × what the swarm has → the
// writes, in docker stack deploy's order (cli/command/stack/swarm/deploy_composefile.go, docker 20.10): prune
// services (--prune), check external networks, create missing networks, create or update secrets, then
// configs, then create or update services. Every step says why. Beyond docker: services go in depends_on
// order (docker's is a Go map's), and a secret or config whose content changed gets a new name instead of
// docker's failed update ("only updates to Labels are allowed"), so the services roll over to it.
import { createHash } from "node:crypto";
import type {
  NetworkCreateRequest,
  NetworkSummary,
  ServiceSpec,
  SwarmDataObject,
  SwarmDataSpec,
  SwarmFileReference,
  SwarmService,
} from "../engine/types.js";
import type { StackData, StackObjects } from "./convert.js";

/** The label tcompose puts on the secrets and configs it creates: the sha256 of their content. */
export const contentDigestLabel = "io.tcompose.stack.content-digest";

export interface StackObserved {
  services: SwarmService[];
  networks: NetworkSummary[];
  secrets: SwarmDataObject[];
  configs: SwarmDataObject[];
  /** External networks, by name: their scope (undefined when missing). */
  externalNetworks: Record<string, string | undefined>;
  /** Network names by ID: a service's networks come back from the engine as IDs. */
  networkNames: Record<string, string>;
  /** External secrets and configs by name: their IDs (undefined when missing). */
  externalSecrets: Record<string, string | undefined>;
  externalConfigs: Record<string, string | undefined>;
}

export type DeployStep =
  | { kind: "remove-service"; name: string; id: string; cause: string }
  | { kind: "create-network"; name: string; request: NetworkCreateRequest; cause: string }
  | { kind: "create-secret" | "create-config"; name: string; spec: SwarmDataSpec; cause: string }
  | {
      kind: "update-secret" | "update-config";
      name: string;
      id: string;
      version: number;
      spec: SwarmDataSpec;
      cause: string;
    }
  | { kind: "create-service"; key: string; name: string; spec: ServiceSpec; cause: string }
  | {
      kind: "update-service";
      key: string;
      name: string;
      id: string;
      version: number;
      spec: ServiceSpec;
      /** The spec's changed fields (dot paths), empty when the update changes nothing. */
      changes: string[];
      cause: string;
    };

export interface DeployPlan {
  steps: DeployStep[];
  /** Problems found before any write: nothing is done when there is one. */
  errors: string[];
  /** The names the services' secret and config references use, by top-level key (after renames). */
  secretNames: Record<string, string>;
  configNames: Record<string, string>;
}

export function contentDigest(data: string | undefined): string {
  return createHash("sha256")
    .update(Buffer.from(data ?? "", "base64"))
    .digest("hex");
}

/** The name of a secret's or config's version with this content, when the plain name holds another. */
export function versionedName(name: string, digest: string): string {
  return `${name}-${digest.slice(0, 12)}`;
}

interface DataChoice {
  steps: DeployStep[];
  names: Record<string, string>;
  errors: string[];
}

/**
 * Secrets (or configs) to create or update. A created one carries the content's digest as a label. An
 * existing one with the same digest gets docker's label update (skipped when the labels are equal); one with
 * another digest, or none (docker made it: its content is unknown, `changed` says whether the engine took
 * the content as equal), is left as it is and a versioned name is used.
 */
function chooseData(
  kind: "secret" | "config",
  wanted: StackData[],
  observed: SwarmDataObject[],
  external: Record<string, string | undefined>,
): DataChoice {
  const byName = new Map(observed.map((o) => [o.Spec.Name, o]));
  const steps: DeployStep[] = [];
  const names: Record<string, string> = {};
  const errors: string[] = [];
  for (const data of wanted) {
    if (data.external) {
      if (external[data.name] === undefined) errors.push(`${kind} not found: ${data.name}`);
      names[data.key] = data.name;
      continue;
    }
    if (!data.spec) continue;
    const digest = contentDigest(data.spec.Data);
    const spec: SwarmDataSpec = {
      ...data.spec,
      Labels: { ...data.spec.Labels, [contentDigestLabel]: digest },
    };
    const plain = byName.get(data.name);
    const plainDigest = plain?.Spec.Labels?.[contentDigestLabel];
    let name = data.name;
    if (plain && plainDigest !== undefined && plainDigest !== digest) name = versionedName(data.name, digest);
    const existing = byName.get(name);
    names[data.key] = name;
    const named = { ...spec, Name: name };
    if (!existing) {
      const cause = name === data.name ? "missing" : `content changed (sha256 ${digest.slice(0, 12)})`;
      steps.push({ kind: kind === "secret" ? "create-secret" : "create-config", name, spec: named, cause });
    } else if (!sameLabels(existing.Spec.Labels, named.Labels)) {
      steps.push({
        kind: kind === "secret" ? "update-secret" : "update-config",
        name,
        id: existing.ID,
        version: existing.Version.Index,
        spec: named,
        cause: "labels changed",
      });
    }
  }
  return { steps, names, errors };
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return JSON.stringify(sortedEntries(a ?? {})) === JSON.stringify(sortedEntries(b ?? {}));
}

function sortedEntries(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

export interface PlanOptions {
  prune: boolean;
  /** The services in the order to deploy them (dependencies first). */
  order: string[];
}

/**
 * The deploy's steps. `objects` are convert's, with images already resolved as --resolve-image asks;
 * service specs still name secrets and configs by their plain names and get the chosen ones here.
 */
export function planDeploy(objects: StackObjects, observed: StackObserved, options: PlanOptions): DeployPlan {
  const steps: DeployStep[] = [];
  const errors: string[] = [];
  const wantedServices = new Set(objects.services.map((s) => s.name));
  if (options.prune) {
    for (const s of observed.services) {
      if (!wantedServices.has(s.Spec.Name)) {
        steps.push({ kind: "remove-service", name: s.Spec.Name, id: s.ID, cause: "not in the compose file" });
      }
    }
  }
  const haveNetworks = new Set(observed.networks.map((n) => n.name));
  for (const n of objects.networks) {
    if (n.external) {
      const scope = observed.externalNetworks[n.name];
      if (scope === undefined && isUserDefined(n.name)) {
        errors.push(
          `network "${n.name}" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed`,
        );
      } else if (scope !== undefined && scope !== "swarm" && isUserDefined(n.name)) {
        errors.push(
          `network "${n.name}" is declared as external, but it is not in the right scope: "${scope}" instead of "swarm"`,
        );
      }
    } else if (n.request && !haveNetworks.has(n.name)) {
      steps.push({
        kind: "create-network",
        name: n.name,
        request: { ...n.request, Driver: n.request.Driver || "overlay" },
        cause: "missing",
      });
    }
  }
  const secrets = chooseData("secret", objects.secrets, observed.secrets, observed.externalSecrets);
  const configs = chooseData("config", objects.configs, observed.configs, observed.externalConfigs);
  steps.push(...secrets.steps, ...configs.steps);
  errors.push(...secrets.errors, ...configs.errors);

  const existing = new Map(observed.services.map((s) => [s.Spec.Name, s]));
  const byKey = new Map(objects.services.map((s) => [s.key, s]));
  const renamedSecrets = renames(objects.secrets, secrets.names);
  const renamedConfigs = renames(objects.configs, configs.names);
  for (const key of options.order) {
    const service = byKey.get(key);
    if (!service) continue;
    const spec = withDataNames(service.spec, renamedSecrets, renamedConfigs);
    const current = existing.get(service.name);
    if (!current) {
      steps.push({ kind: "create-service", key, name: service.name, spec, cause: "missing" });
      continue;
    }
    // docker stack deploy has no --force: the service's ForceUpdate is kept so nothing restarts for it.
    const updated: ServiceSpec = {
      ...spec,
      TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: current.Spec.TaskTemplate.ForceUpdate ?? 0 },
    };
    const changes = specChanges(withNetworkNames(current.Spec, observed.networkNames), updated);
    steps.push({
      kind: "update-service",
      key,
      name: service.name,
      id: current.ID,
      version: current.Version.Index,
      spec: updated,
      changes,
      cause: changes.length > 0 ? `changed: ${changes.join(", ")}` : "unchanged",
    });
  }
  return { steps, errors, secretNames: secrets.names, configNames: configs.names };
}

/** The spec as sent: the engine keeps its networks by ID. */
function withNetworkNames(spec: ServiceSpec, names: Record<string, string>): ServiceSpec {
  const networks = spec.TaskTemplate.Networks;
  if (!networks) return spec;
  return {
    ...spec,
    TaskTemplate: {
      ...spec.TaskTemplate,
      Networks: networks.map((n) => ({ ...n, Target: names[n.Target] ?? n.Target })),
    },
  };
}

/** Networks named like a network mode (bridge, host, none, container:…) exist on every node. */
function isUserDefined(name: string): boolean {
  return !["default", "bridge", "host", "none"].includes(name) && !name.startsWith("container:");
}

/** Plain name → chosen name, for the secrets (configs) whose name changed. */
function renames(wanted: StackData[], chosen: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of wanted) {
    const name = chosen[d.key];
    if (name !== undefined && name !== d.name) out.set(d.name, name);
  }
  return out;
}

function withDataNames(
  spec: ServiceSpec,
  secrets: Map<string, string>,
  configs: Map<string, string>,
): ServiceSpec {
  if (secrets.size === 0 && configs.size === 0) return spec;
  return withReferences(
    spec,
    (s) => ({ ...s, SecretName: secrets.get(s.SecretName ?? "") ?? s.SecretName ?? "" }),
    (c) => ({ ...c, ConfigName: configs.get(c.ConfigName ?? "") ?? c.ConfigName ?? "" }),
  );
}

/** The spec with each secret and config reference of its containers changed by a function (and extra fields). */
export function withReferences(
  spec: ServiceSpec,
  secret: (ref: SwarmFileReference) => SwarmFileReference,
  config: (ref: SwarmFileReference) => SwarmFileReference,
  extra: Partial<ServiceSpec["TaskTemplate"]["ContainerSpec"]> = {},
): ServiceSpec {
  const c = spec.TaskTemplate.ContainerSpec;
  return {
    ...spec,
    TaskTemplate: {
      ...spec.TaskTemplate,
      ContainerSpec: {
        ...c,
        ...extra,
        ...(c.Secrets ? { Secrets: c.Secrets.map(secret) } : {}),
        ...(c.Configs ? { Configs: c.Configs.map(config) } : {}),
      },
    },
  };
}

/**
 * The fields that differ between two specs, as dot paths (list entries by index), zero values (null, "", 0,
 * false, empty lists and objects) taken as absent: the engine keeps a spec as sent, and the docker CLI sends
 * Go's zero values where tcompose leaves fields out. Secret and config IDs are not compared (names are).
 */
export function specChanges(before: unknown, after: unknown, path = ""): string[] {
  const a = pruneZero(before);
  const b = pruneZero(after);
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => specChanges(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => specChanges(x, b[i], `${path}[${i}]`));
  }
  return [path || "."];
}

const ignoredKeys = new Set(["SecretID", "ConfigID"]);
/** Defaults the engine writes into a spec it stores. */
const engineDefaults: Record<string, unknown> = { Isolation: "default", Runtime: "container", Mode: "vip" };

function pruneZero(v: unknown): unknown {
  if (Array.isArray(v)) {
    const list = v.map(pruneZero);
    return list.length === 0 ? undefined : list;
  }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (ignoredKeys.has(k) || engineDefaults[k] === v[k]) continue;
      const x = pruneZero(v[k]);
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (v === null || v === "" || v === 0 || v === false) return undefined;
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Versions of the stack's secrets (configs) that no service of the stack uses any more, neither its spec
 * nor the previous one a rollback returns to: the plain name or a versioned one of a wanted secret.
 */
export function unusedVersions(
  wanted: StackData[],
  observed: SwarmDataObject[],
  services: SwarmService[],
  kind: "secret" | "config",
): SwarmDataObject[] {
  const used = new Set<string>();
  for (const s of services) {
    for (const spec of [s.Spec, s.PreviousSpec]) {
      const refs =
        kind === "secret"
          ? spec?.TaskTemplate.ContainerSpec.Secrets
          : spec?.TaskTemplate.ContainerSpec.Configs;
      for (const r of refs ?? []) used.add((kind === "secret" ? r.SecretName : r.ConfigName) ?? "");
    }
  }
  const bases = wanted.filter((d) => !d.external).map((d) => d.name);
  const isVersionOf = (name: string) =>
    bases.some(
      (b) => name === b || (name.startsWith(`${b}-`) && /^[0-9a-f]{12}$/.test(name.slice(b.length + 1))),
    );
  return observed.filter((o) => isVersionOf(o.Spec.Name) && !used.has(o.Spec.Name));
}

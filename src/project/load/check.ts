// Semantic checks the schema cannot make, on the merged long-form project. Messages follow the
// reference's (observed on 2.26); each also carries the document path so the CLI can point at the line.
import { buildGraph, findCycle, type ServiceEdges, undefinedDependencies } from "../graph.js";
import type { Diagnostic } from "./diagnostics.js";
import { isMapping, type Mapping } from "./document.js";

const asMapping = (v: unknown): Mapping => (isMapping(v) ? v : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function undefinedReferences(services: Mapping, project: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  const declared = (kind: string) => new Set(Object.keys(asMapping(project[kind])));
  const networks = declared("networks");
  const volumes = declared("volumes");
  const secrets = declared("secrets");
  const configs = declared("configs");
  for (const [name, raw] of Object.entries(services)) {
    const service = asMapping(raw);
    const refer = (kind: string, ref: string, path: (string | number)[]) =>
      out.push({
        path: ["services", name, ...path],
        message: `service "${name}" refers to undefined ${kind} ${ref}`,
      });
    for (const net of Object.keys(asMapping(service.networks))) {
      if (!networks.has(net)) refer("network", net, ["networks", net]);
    }
    asList(service.volumes).forEach((v, i) => {
      const { type, source } = asMapping(v);
      if (type === "volume" && typeof source === "string" && source !== "" && !volumes.has(source)) {
        refer("volume", source, ["volumes", i]);
      }
    });
    for (const [kind, known] of [
      ["secrets", secrets],
      ["configs", configs],
    ] as const) {
      asList(service[kind]).forEach((ref, i) => {
        const source = typeof ref === "string" ? ref : asMapping(ref).source;
        if (typeof source === "string" && !known.has(source)) refer(kind.slice(0, -1), source, [kind, i]);
      });
    }
  }
  return out;
}

function dependencyProblems(services: Mapping, declared: ReadonlySet<string> | undefined): Diagnostic[] {
  const graph = buildGraph(services as Record<string, ServiceEdges>);
  // An optional dependency (`required: false`) may name a service that is declared but not enabled: the
  // reference keeps it and skips it at start-up. One that is not declared at all is an error all the same.
  const optional = (service: string, missing: string) =>
    (declared?.has(missing) ?? true) &&
    (graph.dependencies.get(service)?.some((d) => d.service === missing && !d.required) ?? false);
  const out: Diagnostic[] = undefinedDependencies(graph)
    .filter(([service, missing]) => !optional(service, missing))
    .map(([service, missing]) => ({
      path: ["services", service],
      message: `service "${service}" depends on undefined service "${missing}"`,
    }));
  const cycle = findCycle(graph);
  if (cycle) {
    out.push({
      path: ["services", cycle[0] ?? ""],
      message: `dependency cycle detected: ${cycle.join(" -> ")}`,
    });
  }
  return out;
}

function containerNameConflicts(services: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(services)) {
    const service = asMapping(raw);
    const replicas = asMapping(service.deploy).replicas ?? service.scale;
    if (service.container_name && typeof replicas === "number" && replicas > 1) {
      out.push({
        path: ["services", name, "container_name"],
        message: `can't set container_name and scale ${replicas} on service "${name}": a container name must be unique`,
      });
    }
  }
  return out;
}

/** GPU reservations name either a count or device ids, never both (the reference refuses it). */
function deviceRequestConflicts(services: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(services)) {
    const devices = asList(
      asMapping(asMapping(asMapping(asMapping(raw).deploy).resources).reservations).devices,
    );
    devices.forEach((d, i) => {
      const device = asMapping(d);
      if (device.count !== undefined && device.device_ids !== undefined) {
        out.push({
          path: ["services", name, "deploy", "resources", "reservations", "devices", i],
          message: '"count" and "device_ids" attributes are exclusive',
        });
      }
    });
  }
  return out;
}

/**
 * A service-level setting and its deploy twin must agree when both are there (the reference's rule): `scale`
 * and `deploy.replicas`; `cpus`, `mem_limit`, `pids_limit` and the limits (a limits block without the field
 * counts as 0); `mem_reservation` and the reservations.
 */
function twinConflicts(services: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(services)) {
    const service = asMapping(raw);
    if (!isMapping(service.deploy)) continue;
    const deploy = service.deploy;
    const resources = asMapping(deploy.resources);
    const conflict = (field: string, twin: string) =>
      out.push({
        path: ["services", name, field],
        message: `can't set distinct values on '${field}' and '${twin}'`,
      });
    if (service.scale !== undefined && deploy.replicas !== undefined && service.scale !== deploy.replicas)
      conflict("scale", "deploy.replicas");
    const twins: [string, string, string][] = [
      ["cpus", "limits", "cpus"],
      ["mem_limit", "limits", "memory"],
      ["pids_limit", "limits", "pids"],
      ["mem_reservation", "reservations", "memory"],
    ];
    for (const [field, block, key] of twins) {
      const own = service[field];
      const twin = resources[block];
      if (own === undefined || Number(own) === 0 || !isMapping(twin)) continue;
      if (Number(twin[key] ?? 0) !== Number(own)) conflict(field, `deploy.resources.${block}.${key}`);
    }
  }
  return out;
}

/** A watch rule that syncs (anything but rebuild and restart) needs a target. */
function watchTargets(services: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(services)) {
    asList(asMapping(asMapping(raw).develop).watch).forEach((w, i) => {
      const rule = asMapping(w);
      const target = rule.target;
      if ((target === undefined || target === "") && rule.action !== "rebuild" && rule.action !== "restart") {
        out.push({
          path: ["services", name, "develop", "watch", i],
          message: "target is required for non-rebuild actions",
        });
      }
    });
  }
  return out;
}

/** What a service needs to be built or run, and settings that exclude each other (the reference's rules). */
function serviceConsistency(services: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(services)) {
    const service = asMapping(raw);
    const at = (...path: (string | number)[]) => ["services", name, ...path];
    const build = isMapping(service.build) ? service.build : undefined;
    if (!build && (service.image === undefined || service.image === "")) {
      out.push({
        path: at(),
        message: `service "${name}" has neither an image nor a build context specified`,
      });
    }
    if (build?.dockerfile !== undefined && build.dockerfile_inline !== undefined) {
      out.push({
        path: at("build"),
        message: `service "${name}" declares mutually exclusive dockerfile and dockerfile_inline`,
      });
    }
    for (const [key, value] of Object.entries(asMapping(build?.additional_contexts))) {
      if (typeof value !== "string" || !value.startsWith("service:")) continue;
      const target = value.slice("service:".length);
      const other = services[target];
      if (!isMapping(other) || !isMapping(other.build)) {
        const what = isMapping(other) ? "non-buildable" : "unknown";
        out.push({
          path: at("build", "additional_contexts", key),
          message: `service "${name}" declares ${what} service "${target}" as additional contexts ${key}`,
        });
      }
    }
    const platforms = asList(build?.platforms);
    if (platforms.length > 0 && typeof service.platform === "string" && service.platform !== "") {
      if (!platforms.includes(service.platform)) {
        out.push({
          path: at("build", "platforms"),
          message: `build.platforms must include the service's platform "${service.platform}"`,
        });
      }
    }
    if (service.network_mode !== undefined && Object.keys(asMapping(service.networks)).length > 0) {
      out.push({
        path: at("networks"),
        message: `service ${name} declares mutually exclusive network_mode and networks`,
      });
    }
    const test = asList(asMapping(service.healthcheck).test);
    if (test.length > 0 && !["CMD", "CMD-SHELL", "NONE"].includes(String(test[0]))) {
      out.push({
        path: at("healthcheck", "test"),
        message: 'healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
      });
    }
  }
  return out;
}

/** Build secrets name top-level secrets, like the service's own. */
function undefinedBuildSecrets(services: Mapping, project: Mapping): Diagnostic[] {
  const secrets = asMapping(project.secrets);
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(services)) {
    asList(asMapping(asMapping(raw).build).secrets).forEach((ref, i) => {
      const source = typeof ref === "string" ? ref : asMapping(ref).source;
      if (typeof source === "string" && !(source in secrets)) {
        out.push({
          path: ["services", name, "build", "secrets", i],
          message: `service "${name}" refers to undefined build secret ${source}`,
        });
      }
    });
  }
  return out;
}

/** Every semantic problem of the project at once (what --no-consistency skips). */
export function checkProject(project: Mapping, declared?: readonly string[]): Diagnostic[] {
  const services = asMapping(project.services);
  return [
    ...undefinedReferences(services, project),
    ...undefinedBuildSecrets(services, project),
    ...dependencyProblems(services, declared ? new Set(declared) : undefined),
    ...serviceConsistency(services),
    ...containerNameConflicts(services),
    ...twinConflicts(services),
    ...watchTargets(services),
  ];
}

/**
 * A secret names one source (file or environment), a config one of file, environment or content, unless it
 * is external or has a driver of its own.
 */
function fileObjects(project: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kinds: [string, string[]][] = [
    ["secrets", ["file", "environment"]],
    ["configs", ["file", "environment", "content"]],
  ];
  for (const [section, keys] of kinds) {
    for (const [name, raw] of Object.entries(asMapping(project[section]))) {
      const entry = asMapping(raw);
      const given = keys.filter((k) => entry[k] !== undefined).length;
      const path = [section, name];
      if (given > 1) out.push({ path, message: `${keys.join("|")} attributes are mutually exclusive` });
      else if (given === 0 && entry.driver === undefined && entry.external === undefined)
        out.push({ path, message: `one of ${keys.join("|")} must be set` });
    }
  }
  return out;
}

/**
 * What the reference checks on every load, --no-consistency and --no-interpolate included: device requests,
 * the sources of secrets and configs, external volumes.
 */
export function checkModel(project: Mapping): Diagnostic[] {
  return [
    ...deviceRequestConflicts(asMapping(project.services)),
    ...fileObjects(project),
    ...externalVolumes(project),
  ];
}

/** An external volume is only named: anything else it sets (driver, labels …) conflicts. */
function externalVolumes(project: Mapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(asMapping(project.volumes))) {
    const volume = asMapping(raw);
    if (volume.external !== true && !isMapping(volume.external)) continue;
    for (const key of Object.keys(volume)) {
      if (key === "name" || key === "external" || key.startsWith("x-")) continue;
      out.push({
        path: ["volumes", name, key],
        message: `conflicting parameters "external" and "${key}" specified`,
      });
    }
  }
  return out;
}

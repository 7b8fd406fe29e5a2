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

function dependencyProblems(services: Mapping): Diagnostic[] {
  const graph = buildGraph(services as Record<string, ServiceEdges>);
  // An optional dependency (`required: false`) may name a service that is not enabled: the reference
  // keeps it and skips it at start-up.
  const optional = (service: string, missing: string) =>
    graph.dependencies.get(service)?.some((d) => d.service === missing && !d.required) ?? false;
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

/** Every semantic problem of the project at once. */
export function checkProject(project: Mapping): Diagnostic[] {
  const services = asMapping(project.services);
  return [
    ...undefinedReferences(services, project),
    ...dependencyProblems(services),
    ...containerNameConflicts(services),
    ...deviceRequestConflicts(services),
    ...twinConflicts(services),
    ...watchTargets(services),
  ];
}

/**
 * What the reference's map-level load (`config --no-interpolate`) checks beyond the schema; references,
 * dependencies and names are not checked there.
 */
export function checkWrittenModel(project: Mapping): Diagnostic[] {
  return deviceRequestConflicts(asMapping(project.services));
}

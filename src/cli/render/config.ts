// `config` output in the reference's shapes (observed on 2.26): YAML in the order of compose-go's Project
// (name, services, networks, volumes, secrets, configs), services and map-like fields sorted by key; JSON
// with `command` and `entrypoint` always present (null when unset). After interpolation every `$` is
// printed doubled, in keys and values, so the output can be fed back as a compose file.
import { isMapping, type Mapping, setOwn } from "../../project/load/document.js";
import { YamlTime } from "../../project/load/timestamps.js";
import { emitYaml, goKeyCompare } from "./yaml-emit.js";

const topLevelOrder = ["name", "services", "networks", "volumes", "secrets", "configs"];
/** Service fields whose values are maps with user-chosen keys: printed sorted, like Go maps. */
const mapFields = new Set([
  "environment",
  "labels",
  "annotations",
  "sysctls",
  "depends_on",
  "networks",
  "ulimits",
]);

function sortedKeys(m: Mapping): Mapping {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]),
  );
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return escapeText(value);
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const k in value) setOwn(out, escapeText(k), escapeDollars(value[k]));
    return out;
  }
  return value;
}

function escapeText(text: string): string {
  return text.includes("$") ? text.replaceAll("$", "$$$$") : text;
}

function orderService(service: Mapping, json: boolean): Mapping {
  const out: Mapping = json ? { command: null, entrypoint: null } : {};
  for (const key of Object.keys(service).sort()) {
    const value = service[key];
    // YAML leaves out a command or entrypoint that a later file cleared (omitempty there).
    if (!json && value === null && (key === "command" || key === "entrypoint")) continue;
    out[key] = mapFields.has(key) && isMapping(value) ? sortedKeys(value) : value;
  }
  if (json && isMapping(out.develop)) out.develop = withWatchExec(out.develop);
  for (const key of ["post_start", "pre_stop"]) {
    const hooks = out[key];
    if (json && Array.isArray(hooks)) out[key] = hooks.map(withHookCommand);
  }
  if (json && isMapping(out.blkio_config)) out.blkio_config = goFieldNames(out.blkio_config);
  if (!json) Object.assign(out, yamlZeroValues(out));
  return out;
}

/**
 * blkio_config's WeightDevice and ThrottleDevice have yaml tags but no json tags: JSON writes their Go
 * field names (Path, Weight, Rate), YAML the file's.
 */
function goFieldNames(blkio: Mapping): Mapping {
  const capitalised = (entry: unknown) =>
    isMapping(entry)
      ? Object.fromEntries(Object.entries(entry).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]))
      : entry;
  return Object.fromEntries(
    Object.entries(blkio).map(([k, v]) => [k, Array.isArray(v) ? v.map(capitalised) : v]),
  );
}

/**
 * Where Go's YAML and JSON encodings of the model differ on zero values (observed on 2.26): YAML omits
 * deploy's empty `resources` and `placement`, and prints a zero ulimit as `soft: 0, hard: 0` where JSON
 * prints `{}`.
 */
function yamlZeroValues(service: Mapping): Mapping {
  const out: Mapping = {};
  if (isMapping(service.deploy)) {
    const deploy = { ...service.deploy };
    for (const key of ["resources", "placement"]) {
      const v = deploy[key];
      if (isMapping(v) && Object.keys(v).length === 0) delete deploy[key];
    }
    out.deploy = deploy;
  }
  if (isMapping(service.ulimits)) {
    out.ulimits = Object.fromEntries(
      Object.entries(service.ulimits).map(([k, v]) => [
        k,
        isMapping(v) && Object.keys(v).length === 0 ? { soft: 0, hard: 0 } : v,
      ]),
    );
  }
  return out;
}

/** Go's JSON encoding prints each watch rule's zero `exec` struct (its YAML encoding omits it). */
function withWatchExec(develop: Mapping): Mapping {
  if (!Array.isArray(develop.watch)) return develop;
  const watch = develop.watch.map((rule) =>
    isMapping(rule) ? { ...rule, exec: withHookCommand(isMapping(rule.exec) ? rule.exec : {}) } : rule,
  );
  return { ...develop, watch };
}

/** A hook's `command` is printed in JSON when unset too, as null (YAML omits it). */
function withHookCommand(hook: unknown): unknown {
  return isMapping(hook) && !("command" in hook) ? { command: null, ...hook } : hook;
}

function orderProject(project: Mapping, json: boolean): Mapping {
  const out: Mapping = {};
  const keys = [
    ...topLevelOrder.filter((k) => k in project),
    ...Object.keys(project).filter((k) => !topLevelOrder.includes(k)),
  ];
  for (const key of keys) {
    const value = project[key];
    if (key === "services" && isMapping(value)) {
      out[key] = Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((name) => [
            name,
            isMapping(value[name]) ? orderService(value[name] as Mapping, json) : value[name],
          ]),
      );
    } else if (isMapping(value) && key !== "name") {
      out[key] = sortedKeys(json ? value : dropEmptyIpam(value));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Go's YAML encoder leaves out a network's empty `ipam` struct; its JSON encoder keeps it. */
function dropEmptyIpam(resources: Mapping): Mapping {
  return Object.fromEntries(
    Object.entries(resources).map(([name, r]) => {
      if (!isMapping(r) || !isMapping(r.ipam) || Object.keys(r.ipam).length > 0) return [name, r];
      const { ipam: _empty, ...rest } = r;
      return [name, rest];
    }),
  );
}

/** Extension fields (`x-*`) below the top level, which Go's JSON encoding of the model leaves out. */
function dropNestedExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNestedExtensions);
  if (!isMapping(value)) return value;
  const out: Mapping = {};
  for (const k in value) if (!k.startsWith("x-")) setOwn(out, k, dropNestedExtensions(value[k]));
  return out;
}

function withoutExtensions(project: Mapping, json: boolean): Mapping {
  const out: Mapping = {};
  for (const [key, value] of Object.entries(project)) {
    // JSON drops them everywhere below the top; YAML only from top-level volumes (observed on 2.26).
    if (json || key === "volumes") out[key] = key.startsWith("x-") ? value : dropNestedExtensions(value);
    else out[key] = value;
  }
  return out;
}

/**
 * The YAML field order of compose-go's types (v2.4.8, the version the reference embeds: yaml.v3 prints a
 * struct's fields in declaration order, then its `x-*` extensions sorted). `field:Type` names a field
 * holding a struct, `[]Type` a list and `{}Type` a map of them; other values are printed as they are, with
 * the keys of maps in yaml.v3's order.
 */
const yamlStructs: Record<string, string> = {
  Project: "name services:{}Service networks:{}Network volumes:{}Volume secrets:{}File configs:{}File",
  Service:
    "name profiles annotations attach build:Build develop:Develop blkio_config:Blkio cap_add cap_drop " +
    "cgroup_parent cgroup cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpus cpuset " +
    "cpu_shares command configs:[]FileRef container_name credential_spec:CredentialSpec " +
    "depends_on:{}Dependency deploy:Deploy device_cgroup_rules devices:[]DeviceMapping dns dns_opt dns_search " +
    "dockerfile domainname entrypoint environment env_file expose extends:Extends external_links extra_hosts " +
    "group_add gpus:[]DeviceRequest hostname healthcheck:Healthcheck image init ipc isolation labels label_file " +
    "links logging:Logging log_driver log_opt mem_limit mem_reservation memswap_limit mem_swappiness " +
    "mac_address net network_mode networks:{}ServiceNetwork oom_kill_disable oom_score_adj pid pids_limit " +
    "platform ports:[]Port privileged pull_policy read_only restart runtime scale secrets:[]FileRef " +
    "security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty " +
    "ulimits:{}Ulimit user userns_mode uts volume_driver volumes:[]ServiceVolume volumes_from working_dir " +
    "post_start:[]Hook pre_stop:[]Hook",
  Build:
    "context dockerfile dockerfile_inline entitlements args ssh labels cache_from cache_to no_cache " +
    "additional_contexts pull extra_hosts isolation network target secrets:[]FileRef shm_size tags " +
    "ulimits:{}Ulimit platforms privileged",
  Develop: "watch:[]Trigger",
  Trigger: "path action target exec:Hook ignore",
  Hook: "command user privileged working_dir environment",
  Blkio:
    "weight weight_device:[]Device device_read_bps:[]Device device_read_iops:[]Device " +
    "device_write_bps:[]Device device_write_iops:[]Device",
  Device: "path weight rate",
  DeviceMapping: "source target permissions",
  DeviceRequest: "capabilities driver count device_ids options",
  CredentialSpec: "config file registry",
  Dependency: "condition restart required",
  Deploy:
    "mode replicas labels update_config:Update rollback_config:Update resources:Resources " +
    "restart_policy:RestartPolicy placement:Placement endpoint_mode",
  Update: "parallelism delay failure_action monitor max_failure_ratio order",
  Resources: "limits:Resource reservations:Resource",
  Resource: "cpus memory pids devices:[]DeviceRequest generic_resources:[]GenericResource",
  GenericResource: "discrete_resource_spec:DiscreteResource",
  DiscreteResource: "kind value",
  RestartPolicy: "condition delay max_attempts window",
  Placement: "constraints preferences:[]Preference max_replicas_per_node",
  Preference: "spread",
  Extends: "file service",
  Healthcheck: "test timeout interval retries start_period start_interval disable",
  Logging: "driver options",
  ServiceNetwork:
    "priority gw_priority aliases ipv4_address ipv6_address link_local_ips mac_address driver_opts",
  Port: "name mode host_ip target published protocol app_protocol",
  ServiceVolume: "type source target read_only consistency bind:Bind volume:VolumeOptions tmpfs:Tmpfs",
  Bind: "selinux propagation create_host_path recursive",
  VolumeOptions: "nocopy subpath",
  Tmpfs: "size mode",
  FileRef: "source target uid gid mode",
  Ulimit: "soft hard",
  Network: "name driver driver_opts ipam:Ipam external internal attachable labels enable_ipv4 enable_ipv6",
  Ipam: "driver config:[]IpamPool",
  IpamPool: "subnet gateway ip_range aux_addresses",
  Volume: "name driver driver_opts external labels",
  File: "name file environment content external labels driver driver_opts template_driver",
};

const parsedStructs = new Map(
  Object.entries(yamlStructs).map(([name, fields]) => [
    name,
    new Map(
      fields.split(" ").map((f) => {
        const [field, type] = f.split(":");
        return [field as string, type];
      }),
    ),
  ]),
);

/** A value of a field typed `type` (see yamlStructs), with its structs as Maps in field order. */
function asType(value: unknown, type: string | undefined): unknown {
  if (type === undefined) return value;
  if (type.startsWith("[]")) return Array.isArray(value) ? value.map((v) => asType(v, type.slice(2))) : value;
  if (type.startsWith("{}")) {
    if (!isMapping(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asType(v, type.slice(2))]));
  }
  return isMapping(value) ? asStruct(type, value) : value;
}

/** A struct's fields in declaration order; keys it does not declare (x-* among them) follow, sorted. */
function asStruct(type: string, value: Mapping): Map<string, unknown> {
  const fields = parsedStructs.get(type) ?? new Map<string, string | undefined>();
  const out = new Map<string, unknown>();
  for (const [field, fieldType] of fields) {
    if (Object.hasOwn(value, field)) out.set(field, asType(value[field], fieldType));
  }
  for (const key of Object.keys(value)
    .filter((k) => !fields.has(k))
    .sort(goKeyCompare)) {
    out.set(key, value[key]);
  }
  return out;
}

export interface ConfigRenderOptions {
  format: "yaml" | "json";
  /** False with --no-interpolate: the document is printed as written. */
  interpolated: boolean;
}

/** Keys in byte order at every level, as Go prints a map. */
function sortedDeep(value: unknown): unknown {
  // An empty list may be Go's nil slice (null in JSON), and a time prints itself: both are kept as they are.
  if (Array.isArray(value)) return value.length === 0 ? value : value.map(sortedDeep);
  if (!isMapping(value) || value instanceof YamlTime) return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortedDeep(value[k])]));
}

/** Indented JSON with Go's number forms where JavaScript's differ: -0 stays -0. */
function goJson(value: unknown): string {
  const negativeZero = "\u0000-0\u0000";
  const text = JSON.stringify(value, (_k, v) => (Object.is(v, -0) ? negativeZero : v), 2);
  return text.replaceAll(JSON.stringify(negativeZero), "-0");
}

/** Go's encoding/json escapes these inside strings. */
function goJsonEscapes(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderConfig(project: Mapping, options: ConfigRenderOptions): string {
  const json = options.format === "json";
  if (!options.interpolated) {
    // The reference's map-level model (config --no-interpolate): Go's map order, nothing added or dropped.
    return json ? goJsonEscapes(goJson(sortedDeep(project))) : emitYaml(project);
  }
  if (!json) {
    // The reference doubles every `$` in the printed text, after choosing each scalar's style.
    const text = emitYaml(asStruct("Project", orderProject(withoutExtensions(project, false), false)));
    return text.replaceAll("$", "$$$$");
  }
  const value = escapeDollars(orderProject(withoutExtensions(project, json), json));
  return JSON.stringify(value, null, 2);
}

// compose-go's ServiceConfig, as the reference hashes it, as a table: for each struct
// its JSON keys in declaration order, each key's Go type and whether its tag says `omitempty`. Fields
// tagged `json:"-"` (Name, CustomLabels, every Extensions map) are absent, so they never reach the hash.
// The order and the types are what Go's encoding/json follows, so the table must follow the struct, not
// the compose file: `command` sits between `cpu_shares` and `configs`, `healthcheck` after `hostname`.
//
// Which compose-go: the reference binary is Debian's docker-compose 2.26.1-4, built with Go 1.24.1 against
// Debian's compose-go 2.4.8 (the package's Static-Built-Using field), not the v2.0.2 of upstream's go.mod.
// 2.4.8 adds fields the hash then covers: devices as {source, target, permissions}, gpus, label_file,
// post_start, pre_stop, develop.watch[].exec, networks.*.gw_priority / driver_opts, bind.recursive,
// env_file[].format and the devices' options of deploy resources.

/** Go kinds as encoding/json sees them, plus the types of compose-go that marshal themselves. */
export type GoType =
  | { kind: "string" | "bool" | "int" | "float32" }
  | { kind: "ptr" | "slice"; elem: GoType }
  | { kind: "map"; elem: GoType }
  | { kind: "struct"; fields: readonly GoField[] }
  | { kind: "custom"; name: CustomType }
  /** Encoded as plain JSON (maps sorted): only for fields the hash drops, such as build. */
  | { kind: "raw" };

/**
 * UnitBytes: int64 printed as a quoted decimal; Duration: int64 printed as time.Duration.String();
 * HostsList: a map printed as sorted "host=ip" strings; EnvFile: the path alone when required;
 * Ulimit: the single value alone when set; DeviceCount: int64 read from "all" as -1.
 */
export type CustomType = "unitBytes" | "duration" | "hostsList" | "envFile" | "ulimit" | "deviceCount";

export interface GoField {
  key: string;
  type: GoType;
  omitEmpty: boolean;
}

const string: GoType = { kind: "string" };
const bool: GoType = { kind: "bool" };
const int: GoType = { kind: "int" };
const float32: GoType = { kind: "float32" };
const strings: GoType = { kind: "slice", elem: string };
const stringMap: GoType = { kind: "map", elem: string };
const custom = (name: CustomType): GoType => ({ kind: "custom", name });
const ptr = (elem: GoType): GoType => ({ kind: "ptr", elem });
const slice = (elem: GoType): GoType => ({ kind: "slice", elem });
const struct = (...fields: GoField[]): GoType => ({ kind: "struct", fields });
/** A field tagged `json:"key,omitempty"`. */
const o = (key: string, type: GoType): GoField => ({ key, type, omitEmpty: true });
/** A field tagged `json:"key"` (or untagged): always written, zero value included. */
const always = (key: string, type: GoType): GoField => ({ key, type, omitEmpty: false });

const duration = custom("duration");
const unitBytes = custom("unitBytes");

const fileReference = struct(
  o("source", string),
  o("target", string),
  o("uid", string),
  o("gid", string),
  o("mode", ptr(int)),
);

// WeightDevice and ThrottleDevice have no json tags: Go writes their Go field names.
const weightDevice = struct(always("Path", string), always("Weight", int));
const throttleDevice = struct(always("Path", string), always("Rate", unitBytes));

const blkio = struct(
  o("weight", int),
  o("weight_device", slice(weightDevice)),
  o("device_read_bps", slice(throttleDevice)),
  o("device_read_iops", slice(throttleDevice)),
  o("device_write_bps", slice(throttleDevice)),
  o("device_write_iops", slice(throttleDevice)),
);

/** ServiceHook: its command has no omitempty, like the service's. */
const serviceHook = struct(
  always("command", strings),
  o("user", string),
  o("privileged", bool),
  o("working_dir", string),
  o("environment", { kind: "map", elem: ptr(string) }),
);

// Trigger.exec is a ServiceHook value, so every watch rule carries "exec":{"command":null} at least.
const develop = struct(
  o(
    "watch",
    slice(
      struct(
        always("path", string),
        always("action", string),
        o("target", string),
        o("exec", serviceHook),
        o("ignore", strings),
      ),
    ),
  ),
);

const updateConfig = struct(
  o("parallelism", ptr(int)),
  o("delay", duration),
  o("failure_action", string),
  o("monitor", duration),
  o("max_failure_ratio", float32),
  o("order", string),
);

const deviceRequest = struct(
  o("capabilities", strings),
  o("driver", string),
  o("count", custom("deviceCount")),
  o("device_ids", strings),
  o("options", stringMap),
);

const resource = struct(
  o("cpus", float32), // NanoCPUs is a float32
  o("memory", unitBytes),
  o("pids", int),
  o("devices", slice(deviceRequest)),
  o(
    "generic_resources",
    slice(struct(o("discrete_resource_spec", ptr(struct(always("kind", string), always("value", int)))))),
  ),
);

// Resources and Placement are struct values, not pointers: omitempty never drops them (Go's rule), so a
// deploy section always carries "resources":{} and "placement":{}.
const deploy = struct(
  o("mode", string),
  o("replicas", ptr(int)),
  o("labels", stringMap),
  o("update_config", ptr(updateConfig)),
  o("rollback_config", ptr(updateConfig)),
  o("resources", struct(o("limits", ptr(resource)), o("reservations", ptr(resource)))),
  o(
    "restart_policy",
    ptr(
      struct(
        o("condition", string),
        o("delay", ptr(duration)),
        o("max_attempts", ptr(int)),
        o("window", ptr(duration)),
      ),
    ),
  ),
  o(
    "placement",
    struct(
      o("constraints", strings),
      o("preferences", slice(struct(o("spread", string)))),
      o("max_replicas_per_node", int),
    ),
  ),
  o("endpoint_mode", string),
);

const healthcheck = struct(
  o("test", strings),
  o("timeout", ptr(duration)),
  o("interval", ptr(duration)),
  o("retries", ptr(int)),
  o("start_period", ptr(duration)),
  o("start_interval", ptr(duration)),
  o("disable", bool),
);

const serviceNetwork = struct(
  o("priority", int),
  o("gw_priority", int),
  o("aliases", strings),
  o("ipv4_address", string),
  o("ipv6_address", string),
  o("link_local_ips", strings),
  o("mac_address", string),
  o("driver_opts", stringMap),
);

const port = struct(
  o("name", string),
  o("mode", string),
  o("host_ip", string),
  o("target", int),
  o("published", string),
  o("protocol", string),
  o("app_protocol", string),
);

const volume = struct(
  o("type", string),
  o("source", string),
  o("target", string),
  o("read_only", bool),
  o("consistency", string),
  o(
    "bind",
    ptr(
      struct(
        o("selinux", string),
        o("propagation", string),
        o("create_host_path", bool),
        o("recursive", string),
      ),
    ),
  ),
  o("volume", ptr(struct(o("nocopy", bool), o("subpath", string)))),
  o("tmpfs", ptr(struct(o("size", unitBytes), o("mode", int)))),
);

/** types.ServiceConfig, in declaration order. */
export const serviceConfig: readonly GoField[] = [
  o("profiles", strings),
  o("annotations", stringMap),
  o("attach", ptr(bool)),
  o("build", ptr({ kind: "raw" })),
  o("develop", ptr(develop)),
  o("blkio_config", ptr(blkio)),
  o("cap_add", strings),
  o("cap_drop", strings),
  o("cgroup_parent", string),
  o("cgroup", string),
  o("cpu_count", int),
  o("cpu_percent", float32),
  o("cpu_period", int),
  o("cpu_quota", int),
  o("cpu_rt_period", int),
  o("cpu_rt_runtime", int),
  o("cpus", float32),
  o("cpuset", string),
  o("cpu_shares", int),
  // ShellCommand is tagged without omitempty: no command is `null`, `command: []` is `[]`.
  always("command", strings),
  o("configs", slice(fileReference)),
  o("container_name", string),
  o("credential_spec", ptr(struct(o("config", string), o("file", string), o("registry", string)))),
  o("depends_on", {
    kind: "map",
    elem: struct(o("condition", string), o("restart", bool), always("required", bool)),
  }),
  o("deploy", ptr(deploy)),
  o("device_cgroup_rules", strings),
  o("devices", slice(struct(o("source", string), o("target", string), o("permissions", string)))),
  o("dns", strings),
  o("dns_opt", strings),
  o("dns_search", strings),
  o("dockerfile", string),
  o("domainname", string),
  always("entrypoint", strings),
  o("environment", { kind: "map", elem: ptr(string) }),
  o("env_file", slice(custom("envFile"))),
  o("expose", strings),
  o("extends", ptr(struct(o("file", string), o("service", string)))),
  o("external_links", strings),
  o("extra_hosts", custom("hostsList")),
  o("group_add", strings),
  o("gpus", slice(deviceRequest)),
  o("hostname", string),
  o("healthcheck", ptr(healthcheck)),
  o("image", string),
  o("init", ptr(bool)),
  o("ipc", string),
  o("isolation", string),
  o("labels", stringMap),
  o("label_file", strings),
  o("links", strings),
  o("logging", ptr(struct(o("driver", string), o("options", stringMap)))),
  o("log_driver", string),
  o("log_opt", stringMap),
  o("mem_limit", unitBytes),
  o("mem_reservation", unitBytes),
  o("memswap_limit", unitBytes),
  o("mem_swappiness", unitBytes),
  o("mac_address", string),
  o("net", string),
  o("network_mode", string),
  o("networks", { kind: "map", elem: ptr(serviceNetwork) }),
  o("oom_kill_disable", bool),
  o("oom_score_adj", int),
  o("pid", string),
  o("pids_limit", int),
  o("platform", string),
  o("ports", slice(port)),
  o("privileged", bool),
  o("pull_policy", string),
  o("read_only", bool),
  o("restart", string),
  o("runtime", string),
  o("scale", ptr(int)),
  o("secrets", slice(fileReference)),
  o("security_opt", strings),
  o("shm_size", unitBytes),
  o("stdin_open", bool),
  o("stop_grace_period", ptr(duration)),
  o("stop_signal", string),
  o("storage_opt", stringMap),
  o("sysctls", stringMap),
  o("tmpfs", strings),
  o("tty", bool),
  o("ulimits", { kind: "map", elem: ptr(custom("ulimit")) }),
  o("user", string),
  o("userns_mode", string),
  o("uts", string),
  o("volume_driver", string),
  o("volumes", slice(volume)),
  o("volumes_from", strings),
  o("working_dir", string),
  o("post_start", slice(serviceHook)),
  o("pre_stop", slice(serviceHook)),
];

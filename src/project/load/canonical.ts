// The canonical form of a compose document: every short syntax turned into the long form the reference
// prints (what `docker compose config --no-normalize` shows). Pure: plain data in, plain data out, and
// diagnostics for values the schema cannot catch. Paths stay as written here; normalize.ts resolves them.
//
// Rules are tables keyed by field name (SERVICE_RULES, BUILD_RULES, …): a rule maps one field's value to
// its long form, or to OMIT when the reference prints nothing for it (Go's omitempty on a zero value).

import { isIP } from "node:net";
import { posix } from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { isMapping, keyValuesToMapping, type Mapping, PathSet } from "./document.js";
import { formatGoFloat } from "./gonumbers.js";
import { splitShellWords } from "./shellwords.js";
import { canonicalDuration, formatSize, parseSize } from "./units.js";

export type Path = (string | number)[];
export { isMapping, type Mapping };
export interface Canonical<T> {
  value: T;
  diagnostics: Diagnostic[];
}

interface Ctx {
  diagnostics: Diagnostic[];
}

/** A rule's answer when the field is to be left out of the output. */
export const OMIT: unique symbol = Symbol("omit");
type Rule = (value: unknown, path: Path, ctx: Ctx) => unknown;
type Rules = Record<string, Rule>;

function report(ctx: Ctx, path: Path, message: string): typeof OMIT {
  ctx.diagnostics.push({ path, message });
  return OMIT;
}

/** Applies `rules` to the fields of a mapping; fields without a rule pass through unchanged. */
function applyRules(value: Mapping, rules: Rules, path: Path, ctx: Ctx): Mapping {
  const out: Mapping = {};
  for (const [key, field] of Object.entries(value)) {
    const rule = rules[key];
    const result = rule ? rule(field, [...path, key], ctx) : field;
    if (result !== OMIT) out[key] = result;
  }
  return out;
}

function objectRule(rules: Rules, finish?: (value: Mapping) => Mapping): Rule {
  return (value, path, ctx) => {
    if (!isMapping(value)) return value;
    const out = applyRules(value, rules, path, ctx);
    return finish ? finish(out) : out;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Scalars

/** A scalar as Go prints it after the reference converts it to a string (1.50 → "1.5", true → "true"). */
export function scalarToString(value: unknown): string {
  if (typeof value === "number") return goNumber(value);
  return typeof value === "string" ? value : String(value);
}

/**
 * A number as Go prints it: whole numbers as integers, others as a float (formatGoFloat). A YAML float
 * written whole (`1e6`) is not told apart from an integer here: where the reference prints numbers as text,
 * the YAML reader's text of it is used instead (numbers.ts), as for integers beyond 2^53.
 */
function goNumber(n: number): string {
  if (Object.is(n, -0)) return "-0";
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  return formatGoFloat(n);
}

const durationRule: Rule = (value, path, ctx) => {
  if (typeof value !== "string") return value;
  const parsed = canonicalDuration(value);
  return parsed.ok ? parsed.value : report(ctx, path, parsed.error);
};

/** Sizes print as a string of bytes; a zero size prints nothing. */
const sizeRule: Rule = (value, path, ctx) => {
  if (typeof value !== "string" && typeof value !== "number") return value;
  const parsed = parseSize(value);
  if (!parsed.ok) return report(ctx, path, parsed.error);
  return parsed.value === 0 ? OMIT : formatSize(parsed.value);
};

/**
 * blkio_config device lists: `path` and `weight` as written, a throttle `rate` (bps and iops alike, both
 * UnitBytes in compose-go) as a string of bytes (observed on 2.26: `1mb` → "1048576", 30 → "30").
 */
const throttleRule = objectRule({
  rate: (value, path, ctx) => {
    if (typeof value !== "string" && typeof value !== "number") return value;
    const parsed = parseSize(value);
    return parsed.ok ? formatSize(parsed.value) : report(ctx, path, parsed.error);
  },
});
const blkioRule = objectRule({
  device_read_bps: listRule(throttleRule),
  device_read_iops: listRule(throttleRule),
  device_write_bps: listRule(throttleRule),
  device_write_iops: listRule(throttleRule),
});

function listRule(each: Rule): Rule {
  return (value, path, ctx) =>
    Array.isArray(value) ? value.map((v, i) => each(v, [...path, i], ctx)) : value;
}

/** cpus may be written as a string; the reference prints a number, and nothing for 0. */
const cpusRule: Rule = (value, path, ctx) => {
  if (typeof value !== "string" && typeof value !== "number") return value;
  const n = typeof value === "number" ? value : Number(value.trim() === "" ? Number.NaN : value);
  if (Number.isNaN(n)) return report(ctx, path, `invalid cpus value: '${value}'`);
  return n === 0 ? OMIT : n;
};

/** Booleans the reference omits when false. */
const omitFalse: Rule = (value) => (value === false ? OMIT : value);

/** `dns_search: example.com` → ["example.com"] (an empty string too: [""]). */
const stringOrListRule: Rule = (value) => (typeof value === "string" ? [value] : value);

/** `dns`, like the others, but empty entries are dropped and an empty list printed as nothing. */
const dnsRule: Rule = (value) => {
  const list = (typeof value === "string" ? [value] : value) as unknown;
  if (!Array.isArray(list)) return list;
  const kept = list.filter((v) => v !== "" && v !== null);
  return kept.length > 0 ? kept : OMIT;
};

const stringListRule: Rule = (value) => (Array.isArray(value) ? value.map(scalarToString) : value);

/** Every value of a mapping as a string (driver_opts, logging options). */
const stringValuesRule: Rule = (value) => {
  if (!isMapping(value)) return value;
  return nonEmpty(
    Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? "" : scalarToString(v)])),
  );
};

/** An empty mapping prints nothing (Go's omitempty on a map). */
function nonEmpty(value: Mapping): Mapping | typeof OMIT {
  return Object.keys(value).length > 0 ? value : OMIT;
}

/**
 * A list of `KEY=VALUE` strings or a mapping → a mapping of strings. `KEY` alone (or a null value) becomes
 * `bare`: null for environment and build args (resolved later), "" for labels, sysctls and the like.
 * Later duplicates win, like the reference; an empty one prints nothing.
 */
function keyValueRule(bare: null | ""): Rule {
  return (value) => {
    if (Array.isArray(value)) return nonEmpty(keyValuesToMapping(value, bare, scalarToString));
    if (!isMapping(value)) return value;
    return nonEmpty(
      Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? bare : scalarToString(v)])),
    );
  };
}
const environmentRule = keyValueRule(null);
const labelsRule = keyValueRule("");

/** `command: "a 'b c'"` → ["a", "b c"], split like the reference (see shellwords.ts). */
const commandRule: Rule = (value, path, ctx) => {
  if (typeof value !== "string") return value;
  const split = splitShellWords(value);
  return split.ok ? split.words : report(ctx, path, split.error);
};

// ---------------------------------------------------------------------------------------------------------
// ports and expose

const PROTOCOLS = new Set(["tcp", "udp", "sctp"]);

interface PortRange {
  start: number;
  end: number;
}

function parsePortRange(text: string): PortRange | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m?.[1]) return undefined;
  const start = Number(m[1]);
  if (start === 0 && m[2] === undefined) return undefined;
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return { start, end };
}

/** "ip:host:container" split at colons; an IPv6 host IP keeps its colons (it has to be in brackets). */
function splitPortParts(spec: string): { ip: string; host: string; container: string } {
  const parts = spec.split(":");
  const n = parts.length;
  const container = parts[n - 1] ?? "";
  if (n === 1) return { ip: "", host: "", container };
  if (n === 2) return { ip: "", host: parts[0] ?? "", container };
  return { ip: parts.slice(0, n - 2).join(":"), host: parts[n - 2] ?? "", container };
}

/** The host IP without brackets, or an error worded like the reference's. */
function parseHostIp(raw: string): { ip: string } | { error: string } {
  if (raw === "") return { ip: "" };
  let ip = raw;
  if (raw.startsWith("[") && raw.endsWith("]")) ip = raw.slice(1, -1);
  else if (raw.includes(":"))
    return { error: `Invalid ip address ${raw}: address ${raw}:: too many colons in address` };
  return isIP(ip) === 0 ? { error: `Invalid ip address: ${ip}` } : { ip };
}

/**
 * A short port spec → long-form entries (rule of the reference: a container range expands to one entry per
 * port; a host range of the same length pairs up; a host range with a single container port stays whole).
 */
export function parsePortSpec(spec: string): { ports: Mapping[] } | { error: string } {
  const slash = spec.lastIndexOf("/");
  // The reference reads the protocol in any case and prints it in lower case.
  const protocol = slash >= 0 ? spec.slice(slash + 1).toLowerCase() : "tcp";
  if (!PROTOCOLS.has(protocol)) return { error: `Invalid proto: ${protocol}` };
  const parts = splitPortParts(slash >= 0 ? spec.slice(0, slash) : spec);
  const ip = parseHostIp(parts.ip);
  if ("error" in ip) return ip;
  const container = parsePortRange(parts.container);
  if (!container) return { error: `Invalid containerPort: ${parts.container}` };
  const host = parts.host === "" ? undefined : parsePortRange(parts.host);
  if (parts.host !== "" && !host) return { error: `Invalid hostPort: ${parts.host}` };
  const containerCount = container.end - container.start;
  if (host && host.end - host.start !== containerCount && containerCount !== 0) {
    return {
      error: `Invalid ranges specified for container and host Ports: ${parts.container} and ${parts.host}`,
    };
  }
  const ports: Mapping[] = [];
  for (let i = 0; i <= containerCount; i++) {
    let published: string | undefined;
    if (host && host.end - host.start === containerCount) published = String(host.start + i);
    else if (host) published = parts.host;
    ports.push(longPort({ hostIp: ip.ip, target: container.start + i, published, protocol }));
  }
  return { ports };
}

function longPort(p: {
  hostIp: string;
  target: number;
  published: string | undefined;
  protocol: string;
}): Mapping {
  const out: Mapping = { mode: "ingress" };
  if (p.hostIp !== "") out.host_ip = p.hostIp;
  out.target = p.target;
  if (p.published !== undefined) out.published = p.published;
  out.protocol = p.protocol;
  return out;
}

/** A long-form port gets the reference's defaults (mode ingress, protocol tcp) and a string `published`. */
function completeLongPort(port: Mapping): Mapping {
  const out: Mapping = {};
  if (port.name !== undefined) out.name = port.name;
  out.mode = port.mode ?? "ingress";
  if (port.host_ip !== undefined && port.host_ip !== "") out.host_ip = port.host_ip;
  out.target = port.target;
  if (port.published !== undefined && port.published !== null && port.published !== "") {
    out.published = scalarToString(port.published);
  }
  out.protocol = port.protocol ?? "tcp";
  if (port.app_protocol !== undefined) out.app_protocol = port.app_protocol;
  return out;
}

/** Identical short specs are kept once (the reference drops repeated entries). */
const portsRule: Rule = (value, path, ctx) => {
  if (!Array.isArray(value)) return value;
  const out: Mapping[] = [];
  const seen = new Set<string>();
  for (const [i, item] of value.entries()) {
    if (isMapping(item)) {
      out.push(completeLongPort(item));
      continue;
    }
    const spec = scalarToString(item);
    if (seen.has(spec)) continue;
    seen.add(spec);
    const parsed = parsePortSpec(spec);
    if ("error" in parsed) report(ctx, [...path, i], parsed.error);
    else out.push(...parsed.ports);
  }
  // Then one entry per host ip (0.0.0.0 when unset), published port, target and protocol: a later one takes
  // the place of an earlier one ("80:80" and "0.0.0.0:80:80" are one port).
  const byKey = new Map<string, Mapping>();
  for (const port of out) {
    const key = [port.host_ip ?? "0.0.0.0", port.published ?? "", port.target, port.protocol]
      .map(String)
      .join(":");
    byKey.set(key, port);
  }
  return [...byKey.values()];
};

/** expose: strings, each once. */
const exposeRule: Rule = (value, path, ctx) => {
  if (!Array.isArray(value)) return value;
  for (const [i, item] of value.entries()) {
    // A port is whole: the reference refuses 1.5 ("unsupported expose value").
    if (typeof item === "number" && !Number.isInteger(item))
      report(ctx, [...path, i], `unsupported expose value ${scalarToString(item)}`);
  }
  return [...new Set(value.map(scalarToString))];
};

// ---------------------------------------------------------------------------------------------------------
// volumes

const PROPAGATIONS = new Set(["shared", "rshared", "slave", "rslave", "private", "rprivate"]);

/**
 * Splits a short volume spec at colons. Rule of the reference: a colon right after a one-letter section is a
 * Windows drive letter and does not split ("c:/x" is one section, so is "e:/e" — even when "e" names a volume).
 */
function splitVolumeSpec(spec: string): string[] | { error: string } {
  const parts: string[] = [];
  let buffer = "";
  for (const ch of spec) {
    if (ch === ":" && !(buffer.length === 1 && /[A-Za-z]/.test(buffer))) {
      if (buffer === "") return { error: `invalid spec: ${spec}: empty section between colons` };
      parts.push(buffer);
      buffer = "";
    } else buffer += ch;
  }
  if (buffer === "") return { error: `invalid spec: ${spec}: empty section between colons` };
  parts.push(buffer);
  if (parts.length > 3) return { error: `invalid spec: ${spec}: too many colons` };
  return parts;
}

/** A source that is a host path rather than a volume name. */
export function isHostPath(source: string): boolean {
  return /^[./~]/.test(source) || /^[A-Za-z]:/.test(source);
}

export function parseVolumeSpec(spec: string): { volume: Mapping } | { error: string } {
  const parts = splitVolumeSpec(spec);
  if ("error" in parts) return parts;
  const [first = "", second, mode] = parts;
  if (second === undefined) {
    // Rule of the reference, by experiment: an anonymous volume spec shorter than 3 characters gets no
    // `volume: {}` ("/a"), a longer one does ("/ab").
    return { volume: { type: "volume", target: first, ...(spec.length > 2 ? { volume: {} } : {}) } };
  }
  const type = isHostPath(first) ? "bind" : "volume";
  return { volume: withVolumeOptions({ type, source: first, target: second }, mode) };
}

/** Applies "ro,z,nocopy,rshared…" (later ro/rw win; unknown words, and cached/delegated, are ignored). */
function withVolumeOptions(base: Mapping, mode: string | undefined): Mapping {
  const options = mode ? mode.split(",") : [];
  let readOnly = false;
  const bind: Mapping = {};
  let nocopy = false;
  for (const option of options) {
    if (option === "ro" || option === "rw") readOnly = option === "ro";
    else if (option === "z" || option === "Z") bind.selinux = option;
    else if (PROPAGATIONS.has(option)) bind.propagation = option;
    else if (option === "nocopy") nocopy = true;
  }
  const out: Mapping = { ...base };
  if (readOnly) out.read_only = true;
  if (base.type === "bind") bind.create_host_path = true;
  if (Object.keys(bind).length > 0) out.bind = bind;
  if (base.type === "volume" || nocopy) out.volume = nocopy ? { nocopy: true } : {};
  return out;
}

const longVolumeRules: Rules = {
  read_only: omitFalse,
  bind: objectRule({ create_host_path: omitFalse }),
  volume: objectRule({ nocopy: omitFalse }),
  tmpfs: objectRule({
    size: sizeRule,
    // A number (an octal one reads as such in YAML): the reference refuses the text "1777".
    mode: (value, path, ctx) =>
      typeof value === "string" ? report(ctx, path, "must be a number, not text") : value,
  }),
};

/** Rule of the reference: two entries with the same target are one — the later replaces the earlier in place. */
function dedupeByTarget(volumes: unknown[]): unknown[] {
  const index = new Map<unknown, number>();
  const out: unknown[] = [];
  for (const volume of volumes) {
    const target = isMapping(volume) ? volume.target : undefined;
    const at = target === undefined ? undefined : index.get(target);
    if (at !== undefined) out[at] = volume;
    else {
      if (target !== undefined) index.set(target, out.length);
      out.push(volume);
    }
  }
  return out;
}

const volumesRule: Rule = (value, path, ctx) => {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const [i, item] of value.entries()) {
    const parsed = isMapping(item)
      ? { volume: applyRules(item, longVolumeRules, [...path, i], ctx) }
      : parseVolumeSpec(scalarToString(item));
    if ("error" in parsed) report(ctx, [...path, i], parsed.error);
    else if (
      parsed.volume.type === "bind" &&
      (parsed.volume.source === undefined || parsed.volume.source === "")
    )
      report(ctx, [...path, i], 'invalid mount config for type "bind": field Source must not be empty');
    else out.push(cleanTarget(parsed.volume));
  }
  return dedupeByTarget(out);
};

/** A mount target as Go's path.Clean leaves it: "/d/" → "/d", "./anon" → "anon". */
function cleanTarget(volume: Mapping): Mapping {
  const target = volume.target;
  if (typeof target !== "string" || target === "") return volume;
  const cleaned = posix.normalize(target);
  return { ...volume, target: cleaned.length > 1 ? cleaned.replace(/\/$/, "") : cleaned };
}

/** tmpfs, like dns: a string is a one-item list. */
const tmpfsRule = stringOrListRule;

// ---------------------------------------------------------------------------------------------------------
// depends_on, networks, secrets/configs, devices, extra_hosts, env_file, ulimits

/** List → map with the reference's defaults; `restart` only printed when true; none at all prints nothing. */
const dependsOnRule: Rule = (value) => {
  const deps = Array.isArray(value) ? Object.fromEntries(value.map((n) => [scalarToString(n), {}])) : value;
  if (!isMapping(deps)) return value;
  const out: Mapping = {};
  for (const [name, raw] of Object.entries(deps)) {
    const dep = isMapping(raw) ? raw : {};
    const entry: Mapping = { condition: dep.condition ?? "service_started" };
    if (dep.restart === true) entry.restart = true;
    entry.required = dep.required ?? true;
    out[name] = entry;
  }
  return nonEmpty(out);
};

/**
 * A service's `networks: [a, b]` → `{a: null, b: null}`; none at all prints nothing. `gw_priority` is
 * dropped: 2.26.1's model has no such field (its `config` omits it; --no-interpolate prints it as written).
 */
const serviceNetworksRule: Rule = (value, path, ctx) => {
  const networks = Array.isArray(value)
    ? Object.fromEntries(value.map((name) => [scalarToString(name), null]))
    : value;
  if (!isMapping(networks)) return networks;
  if (Object.keys(networks).length === 0) return OMIT;
  return Object.fromEntries(
    Object.entries(networks).map(([name, entry]) => {
      if (!isMapping(entry)) return [name, entry];
      const { gw_priority: _, ...rest } = entry;
      return [name, applyRules(rest, { driver_opts: stringValuesRule }, [...path, name], ctx)];
    }),
  );
};

/** Secrets are mounted at /run/secrets/<source> unless a target is given; configs get no default target. */
function fileReferencesRule(defaultTargetDir: string | undefined): Rule {
  return (value) => {
    if (!Array.isArray(value)) return value;
    return value.map((item) => {
      const { source, target, ...rest } = isMapping(item) ? item : { source: scalarToString(item) };
      const out: Mapping = { source };
      if (target !== undefined && target !== null) out.target = target;
      else if (defaultTargetDir !== undefined) out.target = `${defaultTargetDir}${scalarToString(source)}`;
      return { ...out, ...rest };
    });
  };
}

/** "/dev/a[:/dev/b[:perms]]" → {source, target, permissions}; permissions default "rwm". */
const devicesRule: Rule = (value, path, ctx) => {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const [i, item] of value.entries()) {
    if (isMapping(item)) {
      out.push(item);
      continue;
    }
    const text = scalarToString(item);
    const parts = text.split(":");
    if (parts.length > 3) {
      report(ctx, [...path, i], `confusing device mapping, please use long syntax: ${text}`);
      continue;
    }
    const [source = "", target = source, permissions = "rwm"] = parts;
    out.push({ source, target, permissions });
  }
  return out;
};

/**
 * extra_hosts as the reference prints them: "host=ip" strings, sorted as whole strings (so "a-b=…" comes
 * before "a=…"); the list form may use "=" or ":" between host and address.
 */
const extraHostsRule: Rule = (value, path, ctx) => {
  const hosts: string[] = [];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const text = scalarToString(item);
      const sep = text.includes("=") ? text.indexOf("=") : text.indexOf(":");
      if (sep < 0) report(ctx, [...path, i], `invalid additional host, missing IP: ${text}`);
      else hosts.push(`${text.slice(0, sep)}=${unbracketed(text.slice(sep + 1))}`);
    }
  } else if (isMapping(value)) {
    for (const [host, ips] of Object.entries(value)) {
      for (const ip of Array.isArray(ips) ? ips : [ips])
        hosts.push(`${host}=${unbracketed(scalarToString(ip))}`);
    }
  } else return value;
  return hosts.sort();
};

/** `[::1]` → `::1`: the reference prints IPv6 addresses without their brackets. */
function unbracketed(ip: string): string {
  return ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
}

/** env_file: a path or a list → [{path, required}], required defaulting to true. */
const envFileRule: Rule = (value) => {
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items)) return value;
  return items.map((item) => {
    const entry = isMapping(item) ? item : { path: scalarToString(item) };
    return { ...entry, path: entry.path, required: entry.required ?? true };
  });
};

/** `nofile: 1024` stays a number; a zero single limit prints as {}. */
const ulimitsRule: Rule = (value) => {
  if (!isMapping(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === 0 ? {} : v]));
};

// ---------------------------------------------------------------------------------------------------------
// healthcheck, build, deploy, logging

const HEALTHCHECK_ORDER = [
  "test",
  "timeout",
  "interval",
  "retries",
  "start_period",
  "start_interval",
  "disable",
];

function reorder(value: Mapping, order: string[]): Mapping {
  const out: Mapping = {};
  for (const key of order) if (key in value) out[key] = value[key];
  for (const [key, v] of Object.entries(value)) if (!(key in out)) out[key] = v;
  return out;
}

const HEALTHCHECK_RULES: Rules = {
  // A string test runs in a shell: rule of the reference, `test: x` → ["CMD-SHELL", "x"]; an empty list
  // prints nothing.
  test: (value) =>
    typeof value === "string"
      ? ["CMD-SHELL", value]
      : Array.isArray(value) && value.length === 0
        ? OMIT
        : value,
  interval: durationRule,
  retries: (value, path, ctx) =>
    typeof value === "number" && value < 0
      ? report(ctx, path, `${value} is negative: retries must be 0 or more`)
      : value,
  timeout: durationRule,
  start_period: durationRule,
  start_interval: durationRule,
  disable: omitFalse,
};

const BUILD_RULES: Rules = {
  args: environmentRule,
  labels: labelsRule,
  additional_contexts: labelsRule,
  extra_hosts: extraHostsRule,
  shm_size: sizeRule,
  ulimits: ulimitsRule,
  no_cache: omitFalse,
  pull: omitFalse,
  privileged: omitFalse,
  ssh: sshRule,
};

/**
 * build.ssh as the reference prints it: a list of "id", or "id: path" when a path is given (its JSON output
 * fails on those: 2.26.1 cannot marshal them).
 */
function sshRule(value: unknown): unknown {
  const entries: [string, unknown][] = isMapping(value)
    ? Object.entries(value)
    : Array.isArray(value)
      ? value.map((e) => {
          const text = scalarToString(e);
          const at = text.indexOf("=");
          return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
        })
      : [];
  if (!isMapping(value) && !Array.isArray(value)) return value;
  return entries.map(([id, p]) =>
    p === null || p === undefined || p === "" ? id : `${id}: ${scalarToString(p)}`,
  );
}

/** `build: ./dir` → {context: "./dir"}; normalize.ts adds the default dockerfile and resolves the path. */
const buildRule: Rule = (value, path, ctx) => {
  if (typeof value === "string") return { context: value };
  return objectRule(BUILD_RULES)(value, path, ctx);
};

/**
 * Device requests (GPU reservations, `gpus`): `count: all`, and no count nor device ids at all, are -1 in the
 * reference's model; `gpus: all` is one such request.
 */
const deviceRequestsRule: Rule = (value) => {
  if (typeof value === "string") return [{ count: -1 }];
  if (!Array.isArray(value)) return value;
  return value.map((d) => {
    if (!isMapping(d)) return d;
    const all = d.count === "all" || (d.count === undefined && d.device_ids === undefined);
    return all ? { ...d, count: -1 } : d;
  });
};

const RESOURCE_RULES: Rules = { cpus: cpusRule, memory: sizeRule, devices: deviceRequestsRule };

const DEPLOY_RULES: Rules = {
  resources: objectRule({ limits: objectRule(RESOURCE_RULES), reservations: objectRule(RESOURCE_RULES) }),
  restart_policy: objectRule({ delay: durationRule, window: durationRule }),
  update_config: objectRule({ delay: durationRule, monitor: durationRule }),
  rollback_config: objectRule({ delay: durationRule, monitor: durationRule }),
  labels: labelsRule,
};

/** The reference always prints `resources` and `placement` in a deploy section, empty if unset. */
const deployRule = objectRule(DEPLOY_RULES, (deploy) => ({ resources: {}, placement: {}, ...deploy }));

/** post_start, pre_stop and a watch rule's exec: a command split like the service's, an environment map. */
const hookRule = objectRule({ command: commandRule, environment: environmentRule });
const developRule = objectRule({
  watch: listRule(objectRule({ exec: hookRule, initial_sync: omitFalse })),
});

// ---------------------------------------------------------------------------------------------------------
// the tables

const SERVICE_RULES: Rules = {
  annotations: labelsRule,
  build: buildRule,
  command: commandRule,
  configs: fileReferencesRule(undefined),
  cpus: cpusRule,
  depends_on: dependsOnRule,
  deploy: deployRule,
  develop: developRule,
  blkio_config: blkioRule,
  devices: devicesRule,
  dns: dnsRule,
  gpus: deviceRequestsRule,
  dns_opt: stringOrListRule,
  dns_search: stringOrListRule,
  entrypoint: commandRule,
  env_file: envFileRule,
  environment: environmentRule,
  expose: exposeRule,
  extra_hosts: extraHostsRule,
  group_add: stringListRule,
  healthcheck: objectRule(HEALTHCHECK_RULES, (h) => reorder(h, HEALTHCHECK_ORDER)),
  labels: labelsRule,
  logging: objectRule({ options: stringValuesRule, driver: (v) => (v === "" ? OMIT : v) }),
  mem_limit: sizeRule,
  // A size in the reference's model (UnitBytes), so printed as a string.
  mem_swappiness: sizeRule,
  mem_reservation: sizeRule,
  memswap_limit: sizeRule,
  networks: serviceNetworksRule,
  ports: portsRule,
  post_start: listRule(hookRule),
  pre_stop: listRule(hookRule),
  // Plain booleans of the reference's model, omitted when false (init is a pointer: kept).
  privileged: omitFalse,
  read_only: omitFalse,
  stdin_open: omitFalse,
  tty: omitFalse,
  oom_kill_disable: omitFalse,
  secrets: fileReferencesRule("/run/secrets/"),
  shm_size: sizeRule,
  stop_grace_period: durationRule,
  storage_opt: stringValuesRule,
  sysctls: labelsRule,
  tmpfs: tmpfsRule,
  ulimits: ulimitsRule,
  volumes: volumesRule,
};

// `external: false` and the like are Go's zero values: omitted.
const NETWORK_RULES: Rules = {
  driver_opts: stringValuesRule,
  labels: labelsRule,
  external: omitFalse,
  attachable: omitFalse,
  internal: omitFalse,
};

/** Top-level networks always print an `ipam` section (empty if unset): its driver and config (no options). */
function ipamOf(ipam: unknown): Mapping {
  if (!isMapping(ipam)) return {};
  return Object.fromEntries(
    Object.entries(ipam).filter(([k]) => k === "driver" || k === "config" || k.startsWith("x-")),
  );
}
const VOLUME_RULES: Rules = { driver_opts: stringValuesRule, labels: labelsRule, external: omitFalse };
const FILE_OBJECT_RULES: Rules = { labels: labelsRule, external: omitFalse };

export function canonicalizeService(service: Mapping, path: Path): Canonical<Mapping> {
  const ctx: Ctx = { diagnostics: [] };
  return { value: applyRules(service, SERVICE_RULES, path, ctx), diagnostics: ctx.diagnostics };
}

function canonicalizeEach(
  section: unknown,
  path: Path,
  each: (entry: Mapping, path: Path) => Mapping,
): unknown {
  if (!isMapping(section)) return section;
  return Object.fromEntries(
    Object.entries(section).map(([key, entry]) => [key, each(isMapping(entry) ? entry : {}, [...path, key])]),
  );
}

/** The deprecated `external: {name: x}`: external, named x (unless `name:` is given). */
function externalName(resource: Mapping): Mapping {
  const external = resource.external;
  if (!isMapping(external)) return resource;
  const named = resource.name !== undefined ? {} : external.name !== undefined ? { name: external.name } : {};
  return { ...resource, ...named, external: true };
}

/** The canonical form of a whole (merged, interpolated) compose document. */
export function canonicalizeProject(project: Mapping): Canonical<Mapping> {
  const ctx: Ctx = { diagnostics: [] };
  const out: Mapping = { ...project };
  const sections: Record<string, (entry: Mapping, path: Path) => Mapping> = {
    services: (service, path) => {
      const result = canonicalizeService(service, path);
      ctx.diagnostics.push(...result.diagnostics);
      return result.value;
    },
    networks: (network, path) => ({
      ...applyRules(externalName(network), NETWORK_RULES, path, ctx),
      ipam: ipamOf(network.ipam),
    }),
    volumes: (volume, path) => applyRules(externalName(volume), VOLUME_RULES, path, ctx),
    secrets: (secret, path) => applyRules(externalName(secret), FILE_OBJECT_RULES, path, ctx),
    configs: (config, path) => applyRules(externalName(config), FILE_OBJECT_RULES, path, ctx),
  };
  for (const [name, each] of Object.entries(sections)) {
    if (name in project) out[name] = canonicalizeEach(project[name], [name], each);
  }
  for (const name of Object.keys(sections)) {
    if (isMapping(out[name])) out[name] = withoutZeroFields(out[name], [name]);
  }
  return { value: out, diagnostics: ctx.diagnostics };
}

// ---------------------------------------------------------------------------------------------------------
// Zero values: the reference's model is Go structs whose fields are `omitempty`, so an empty string, a zero,
// false and an empty list print nothing. Left alone: maps of free values (environment, labels, driver_opts …),
// extension fields, and the fields that are pointers (or not omitempty) there, which print their zero.

/** Where values are the user's own map entries (or shaped by their rules already), not struct fields. */
const FREE = new PathSet([
  "services.*.environment",
  "services.*.labels",
  "services.*.annotations",
  "services.*.sysctls",
  "services.*.storage_opt",
  "services.*.ulimits",
  "services.*.command",
  "services.*.entrypoint",
  "services.*.build.args",
  "services.*.build.labels",
  "services.*.build.additional_contexts",
  "services.*.logging.options",
  "services.*.networks.*.driver_opts",
  "services.*.deploy.labels",
  "services.*.post_start.[].environment",
  "services.*.pre_stop.[].environment",
  "services.*.develop.watch.[].exec.environment",
  "networks.*.driver_opts",
  "networks.*.labels",
  "networks.*.ipam",
  "volumes.*.driver_opts",
  "volumes.*.labels",
  "secrets.*.labels",
  "configs.*.labels",
]);

/** Fields that print their zero value (pointers, or fields without omitempty). */
const KEPT = new PathSet([
  "services.*.init",
  "services.*.scale",
  "services.*.attach",
  "services.*.stop_grace_period",
  "services.*.healthcheck.timeout",
  "services.*.healthcheck.interval",
  "services.*.healthcheck.retries",
  "services.*.healthcheck.start_period",
  "services.*.healthcheck.start_interval",
  "services.*.deploy.replicas",
  "services.*.deploy.update_config.parallelism",
  "services.*.deploy.rollback_config.parallelism",
  "services.*.deploy.restart_policy.delay",
  "services.*.deploy.restart_policy.max_attempts",
  "services.*.deploy.restart_policy.window",
  "services.*.volumes.[].tmpfs.mode",
  "services.*.depends_on.*.required",
  "services.*.env_file.[].required",
  "services.*.develop.watch.[].path",
  "services.*.develop.watch.[].action",
  // A hook's command is printed when set, empty too (`command: ""` is `[]`).
  "services.*.post_start.[].command",
  "services.*.pre_stop.[].command",
  "services.*.develop.watch.[].exec.command",
  "networks.*.enable_ipv4",
  "networks.*.enable_ipv6",
  // Written empty (an unset variable), a name is not defaulted: kept until normalize.ts drops it.
  "networks.*.name",
  "volumes.*.name",
  "secrets.*.name",
  "configs.*.name",
]);

/** Durations that are plain values there (a zero one, "0s", prints nothing). */
const DURATIONS = new PathSet([
  "services.*.deploy.update_config.delay",
  "services.*.deploy.update_config.monitor",
  "services.*.deploy.rollback_config.delay",
  "services.*.deploy.rollback_config.monitor",
]);

function isZero(value: unknown): boolean {
  return value === "" || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

function withoutZeroFields(value: unknown, path: string[]): unknown {
  if (FREE.has(path)) return value;
  if (Array.isArray(value)) return value.map((v) => withoutZeroFields(v, [...path, "[]"]));
  if (!isMapping(value)) return value;
  const out: Mapping = {};
  for (const [key, field] of Object.entries(value)) {
    const at = [...path, key];
    // Under services/networks/… the keys are names (a map of structs), not fields.
    const named =
      path.length === 1 || (path.length === 3 && ["networks", "depends_on"].includes(path[2] ?? ""));
    const zero = isZero(field) || (field === "0s" && DURATIONS.has(at));
    if (!named && !key.startsWith("x-") && zero && !KEPT.has(at) && !FREE.has(at)) continue;
    out[key] = key.startsWith("x-") ? field : withoutZeroFields(field, at);
  }
  return out;
}

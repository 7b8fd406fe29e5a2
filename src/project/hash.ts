// The `com.docker.compose.config-hash` of a service, equal to docker compose 2.26's (pkg/compose/hash.go):
// SHA-256, in hex, of Go's json.Marshal of compose-go's types.ServiceConfig after build, pull_policy,
// scale and deploy.replicas are cleared, so that building, pulling or scaling never recreates a container.
// The input is one service of the model in the long form `config --format json` prints (which is that same
// json.Marshal), so the work here is to write it again byte for byte as Go does: struct fields in
// declaration order (go-service-fields.ts), `omitempty` by Go's rules, map keys sorted, HTML-safe escapes,
// float32 in its shortest form, and the self-marshalling types of compose-go in their own shapes.
//
// What to pass differs by command, as in the reference. `up`/`create` hash the loaded service (env_file
// merged into environment and dropped) after replacing `service:<name>` in network_mode / ipc / pid with
// `container:<id>` and volumes_from entries with the container id (convergence.go resolveServiceReferences).
// `config --hash` hashes env_file as written (absolute paths) and environment without the files' variables.
import { type CustomType, type GoField, type GoType, serviceConfig } from "./go-service-fields.js";
import { isMapping, type Mapping } from "./load/document.js";
import type { Service } from "./load/types.js";
import { formatGoDuration, parseGoDuration, parseSize } from "./load/units.js";

/** The hex config hash of one service of the model. */
export function serviceConfigHash(service: Service): string {
  // crypto loads when a hash is first needed, not with every command that imports this module.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return createHash("sha256").update(goServiceJson(service), "utf8").digest("hex");
}

/** The exact bytes the reference hashes for this service (useful to tell which field changed). */
export function goServiceJson(service: Service): string {
  return encodeStruct(hashedFields(service), serviceConfig);
}

/**
 * The reference's applyPlatforms (cmd/compose/options.go), run by `up`, `create` and `config --hash` before
 * hashing: a service that builds and names no platform takes DOCKER_DEFAULT_PLATFORM (shell or .env).
 */
export function withDefaultPlatform<S extends Service>(
  service: S,
  environment: Readonly<Record<string, string>>,
): S {
  const platform = environment.DOCKER_DEFAULT_PLATFORM;
  if (!platform || service.build === undefined || service.platform) return service;
  return { ...service, platform };
}

/** hash.go sets Build, PullPolicy, Scale and Deploy.Replicas to their zero values before marshalling. */
function hashedFields(service: Service): Service {
  const { build: _build, pull_policy: _pull, scale: _scale, ...rest } = service;
  if (!rest.deploy) return rest;
  const { replicas: _replicas, ...deploy } = rest.deploy;
  return { ...rest, deploy };
}

// ---------------------------------------------------------------------------------------------------------
// Go's encoding/json, driven by the type table

function encodeStruct(value: Mapping, fields: readonly GoField[]): string {
  const out: string[] = [];
  for (const field of fields) {
    const v = fieldValue(value, field.key);
    if (field.omitEmpty && isEmpty(v, field.type)) continue;
    out.push(`${goString(field.key)}:${encode(v, field.type)}`);
  }
  return `{${out.join(",")}}`;
}

/** Untagged Go fields (WeightDevice.Path) are written capitalised; a file may spell them in lower case. */
function fieldValue(value: Mapping, key: string): unknown {
  return key in value ? value[key] : value[key.toLowerCase()];
}

/** Go's isEmptyValue on the field's kind: a struct value is never empty, whatever its fields. */
function isEmpty(value: unknown, type: GoType): boolean {
  if (type.kind === "struct") return false;
  if (value === undefined || value === null) return true;
  switch (type.kind) {
    case "string":
      return value === "";
    case "bool":
      return value === false;
    case "int":
    case "float32":
      return Number(value) === 0;
    case "slice":
    case "map":
    case "raw":
      return Array.isArray(value) ? value.length === 0 : isMapping(value) && Object.keys(value).length === 0;
    case "custom":
      return isEmptyCustom(value, type.name);
    default:
      return false;
  }
}

function isEmptyCustom(value: unknown, name: CustomType): boolean {
  switch (name) {
    case "unitBytes":
      return bytesOf(value) === "0";
    case "duration":
      return durationOf(value) === "0s";
    case "deviceCount":
      return deviceCountOf(value) === 0;
    case "hostsList":
      return hostsOf(value).length === 0;
    default:
      return false;
  }
}

function encode(value: unknown, type: GoType): string {
  if (value === undefined || value === null) return zeroValue(type);
  switch (type.kind) {
    case "string":
      return goString(String(value));
    case "bool":
      return value === true ? "true" : "false";
    case "int":
      return String(Math.trunc(Number(value)));
    case "float32":
      return goFloat32(Number(value));
    case "ptr":
      return encode(value, type.elem);
    case "slice":
      return `[${(Array.isArray(value) ? value : [value]).map((v) => encode(v, type.elem)).join(",")}]`;
    case "map":
      return encodeMap(isMapping(value) ? value : {}, type.elem);
    case "struct":
      return encodeStruct(isMapping(value) ? value : {}, type.fields);
    case "custom":
      return encodeCustom(value, type.name);
    case "raw":
      return encodeRaw(value);
  }
}

/** What Go writes for a field the model leaves out but the struct always has. */
function zeroValue(type: GoType): string {
  switch (type.kind) {
    case "string":
      return '""';
    case "bool":
      return "false";
    case "int":
    case "float32":
      return "0";
    case "struct":
      return encodeStruct({}, type.fields);
    case "custom":
      return type.name === "unitBytes" ? '"0"' : type.name === "duration" ? '"0s"' : "0";
    default:
      return "null";
  }
}

function encodeMap(value: Mapping, elem: GoType): string {
  const keys = Object.keys(value).sort(compareGoStrings);
  return `{${keys.map((k) => `${goString(k)}:${encode(value[k], elem)}`).join(",")}}`;
}

function encodeRaw(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(encodeRaw).join(",")}]`;
  if (isMapping(value)) return encodeMap(value, { kind: "raw" });
  if (typeof value === "string") return goString(value);
  if (typeof value === "number") return String(value);
  return value === true ? "true" : value === false ? "false" : "null";
}

// ---------------------------------------------------------------------------------------------------------
// compose-go's MarshalJSON methods

function encodeCustom(value: unknown, name: CustomType): string {
  switch (name) {
    case "unitBytes": // UnitBytes.MarshalJSON: fmt.Sprintf(`"%d"`)
      return `"${bytesOf(value)}"`;
    case "duration": // Duration.MarshalJSON: time.Duration.String()
      return goString(durationOf(value));
    case "deviceCount":
      return String(deviceCountOf(value));
    case "hostsList": // HostsList.MarshalJSON: "host=ip" entries, sorted
      return `[${hostsOf(value).map(goString).join(",")}]`;
    case "envFile":
      return encodeEnvFile(value);
    case "ulimit":
      return encodeUlimit(value);
  }
}

function bytesOf(value: unknown): string {
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value).toString();
  const parsed = parseSize(typeof value === "number" ? value : String(value));
  return parsed.ok ? String(parsed.value) : String(value);
}

function durationOf(value: unknown): string {
  if (typeof value === "number") return formatGoDuration(BigInt(Math.trunc(value)));
  const parsed = parseGoDuration(String(value));
  return parsed.ok ? formatGoDuration(parsed.value) : String(value);
}

/** DeviceCount reads "all" as -1. */
function deviceCountOf(value: unknown): number {
  return typeof value === "string" && value.toLowerCase() === "all" ? -1 : Math.trunc(Number(value));
}

/**
 * HostsList, as NewHostsList reads and MarshalJSON writes it: split at the first "=" (else ":"), several
 * IPs split at ",", an IP in brackets loses them, then every "host=ip" sorted.
 */
function hostsOf(value: unknown): string[] {
  const pairs = isMapping(value)
    ? Object.entries(value).flatMap(([host, ips]) =>
        (Array.isArray(ips) ? ips : [ips]).map((ip) => [host, ip]),
      )
    : (Array.isArray(value) ? value : []).map((entry) => splitHost(String(entry)));
  return pairs
    .flatMap(([host, ips]) =>
      String(ips ?? "")
        .split(",")
        .map((ip) => `${String(host)}=${unbracket(ip)}`),
    )
    .sort(compareGoStrings);
}

function splitHost(entry: string): [string, string] {
  const at = entry.includes("=") ? entry.indexOf("=") : entry.indexOf(":");
  return at < 0 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)];
}

function unbracket(ip: string): string {
  return ip.length > 2 && ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
}

/** EnvFile.MarshalJSON: a required file is its path alone; an optional one the struct {path, required, format}. */
function encodeEnvFile(value: unknown): string {
  if (!isMapping(value)) return goString(String(value));
  if (value.required !== false) return goString(String(value.path ?? ""));
  return encodeStruct(value, ENV_FILE_FIELDS);
}

const ENV_FILE_FIELDS: GoField[] = [
  { key: "path", type: { kind: "string" }, omitEmpty: true },
  { key: "required", type: { kind: "bool" }, omitEmpty: false },
  { key: "format", type: { kind: "string" }, omitEmpty: true },
];

/** UlimitsConfig.MarshalJSON: the single value alone, else {soft, hard} without zero members. */
function encodeUlimit(value: unknown): string {
  if (!isMapping(value)) return String(Math.trunc(Number(value)));
  const single = Math.trunc(Number(value.single ?? 0));
  if (single !== 0) return String(single);
  const fields: GoField[] = [
    { key: "soft", type: { kind: "int" }, omitEmpty: true },
    { key: "hard", type: { kind: "int" }, omitEmpty: true },
  ];
  return encodeStruct(value, fields);
}

// ---------------------------------------------------------------------------------------------------------
// Go's text forms

/** Go sorts map keys as byte strings: UTF-8 byte order, which is code point order (not UTF-16's). */
export function compareGoStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * encoding/json's string form with HTML escaping on (json.Marshal's default), as in Go 1.24 (the reference
 * binary's): <, > and & as \u003c, \u003e, \u0026; U+2028 and U+2029 escaped; \b, \f, \n, \r, \t short
 * (Go 1.22 and later); every other control character as \u00XX; a lone surrogate (invalid UTF-8) as \ufffd.
 */
export function goString(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeChar(ch);
  return `${out}"`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeChar(ch: string): string {
  const short = SHORT_ESCAPES[ch];
  if (short) return short;
  const code = ch.codePointAt(0) ?? 0;
  const unicode = (c: number) => `\\u${c.toString(16).padStart(4, "0")}`;
  if (code < 0x20 || ch === "<" || ch === ">" || ch === "&" || code === 0x2028 || code === 0x2029) {
    return unicode(code);
  }
  if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd";
  return ch;
}

/**
 * A float32 as Go writes it: the shortest decimal that reads back as the same float32, in plain notation
 * between 1e-6 and 1e21 and as 1e-7 / 1e+21 outside, which is also where JavaScript switches.
 */
export function goFloat32(value: number): string {
  const f = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(f);
}

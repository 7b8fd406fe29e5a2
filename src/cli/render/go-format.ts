// The small formatting rules of Go libraries the reference prints through, re-stated: docker's go-units
// (human durations and sizes), encoding/json's escaping, time.Time's String(), and the docker CLI's port
// notation. Each says where it was observed.
import type { PortSummary } from "../../project/engine/types.js";

/** go-units HumanDuration, as `ps` prints CREATED ("5 seconds ago" without the " ago"). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

const decimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/** go-units HumanSizeWithPrecision(size, 3): decimal units, Go's %.3g ("1.98MB", "120B", "1e+03kB"). */
export function humanSize(bytes: number, precision = 3): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < decimalUnits.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${goFormatG(size, precision)}${decimalUnits[unit]}`;
}

/** Go's strconv.FormatFloat(f, 'g', precision, 64): %e form when the exponent is < -4 or >= precision. */
export function goFormatG(value: number, precision: number): string {
  if (value === 0) return "0";
  const [mantissa = "", exp = "0"] = value.toExponential(precision - 1).split("e");
  const exponent = Number(exp);
  const trim = (digits: string) => (digits.includes(".") ? digits.replace(/\.?0+$/, "") : digits);
  if (exponent < -4 || exponent >= precision) {
    const sign = exponent < 0 ? "-" : "+";
    return `${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return trim(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

/** encoding/json's string escaping with HTML escaping on (json.Marshal's default): <, >, & as \u00XX. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

const pad2 = (n: number) => String(n).padStart(2, "0");

function offsetText(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${sign}${pad2(Math.trunc(abs / 60))}${pad2(abs % 60)}`;
}

function zoneName(date: Date): string {
  if (date.getTimezoneOffset() === 0 && !process.env.TZ) return "UTC";
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? offsetText(date);
}

function localDateTime(date: Date): string {
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`
  );
}

/** time.Unix(seconds, 0).String(): "2026-11-25 08:49:04 +0000 UTC" in the local zone. */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  return `${localDateTime(date)} ${offsetText(date)} ${zoneName(date)}`;
}

/** An exact nanosecond timestamp (decimal text) split into a Date (ms) and the nanoseconds of its second. */
function splitNanos(nanosText: string): { date: Date; nanos: string } {
  const ns = BigInt(nanosText);
  const seconds = ns / 1_000_000_000n;
  const nanos = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return { date: new Date(Number(seconds) * 1000), nanos };
}

/** Go's Format("2006-01-02 15:04:05.000000") of time.Unix(0, nanos), in the local zone (events' text). */
export function goMicroTime(nanosText: string): string {
  const { date, nanos } = splitNanos(nanosText);
  return `${localDateTime(date)}.${nanos.slice(0, 6)}`;
}

/** time.Time's JSON form (RFC 3339 with nanoseconds, trailing zeros dropped) of time.Unix(0, nanos). */
export function goJsonTime(nanosText: string): string {
  const { date, nanos } = splitNanos(nanosText);
  const fraction = nanos.replace(/0+$/, "");
  const offset = offsetText(date);
  const zone = offset === "+0000" ? "Z" : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return `${localDateTime(date).replace(" ", "T")}${fraction ? `.${fraction}` : ""}${zone}`;
}

/**
 * The docker CLI's DisplayablePorts as vendored by the reference (observed on 2.26.1: IPv6 addresses are
 * not bracketed, ":::8080->80/tcp"). Sorted by private port, then IP, public port, protocol; ports
 * published on the same number or not published at all are grouped into ranges per IP and protocol;
 * others are listed one by one, after the groups.
 */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      compareText(a.IP ?? "", b.IP ?? "") ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      compareText(a.Type, b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const port of sorted) {
    const current = port.PrivatePort;
    let key = port.Type;
    if (port.IP) {
      if ((port.PublicPort ?? 0) !== current) {
        mappings.push(`${port.IP}:${port.PublicPort ?? 0}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(portGroup(key, group.first, group.last));
    // The reference re-creates the group under the same key: it keeps its first position.
    group.first = current;
    group.last = current;
  }
  for (const [key, g] of groups) result.push(portGroup(key, g.first, g.last));
  return [...result, ...mappings].join(", ");
}

function portGroup(key: string, first: number, last: number): string {
  const slash = key.indexOf("/");
  const ip = slash >= 0 ? key.slice(0, slash) : "";
  const type = slash >= 0 ? key.slice(slash + 1) : key;
  let range = String(first);
  if (first !== last) range += `-${last}`;
  if (ip) range = `${ip}:${range}->${range}`;
  return `${range}/${type}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

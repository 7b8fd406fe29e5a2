// YAML timestamps, as the reference treats them (observed on 2.26.1): an unquoted scalar in one of yaml.v3's
// timestamp forms (`2024-01-01`, `2001-12-14t21:59:43.10-05:00`, `2001-12-14 21:59:43.10`) becomes a Go
// time.Time, and then:
//   - in a map of strings (environment, labels, annotations, sysctls, build args, driver and logging
//     options …) it is written with Go's time.String(): `2024-01-01 00:00:00 +0000 UTC`, and that is what the
//     container gets and what the config hash covers;
//   - under an `x-` key it stays a time (written as RFC 3339 when printed);
//   - anywhere else (hostname, image, a command list …) the file is refused (`expected type 'string', got
//     unconvertible type 'time.Time'`, exit 15; a command list even makes 2.26.1 panic).
// The YAML reader marks such scalars (a prefix no YAML text yields), so they travel unchanged through
// interpolation, merging, extends and include; `settleTimestamps` then gives each its final form or a
// located problem. No mark survives the loader.
import type { Diagnostic } from "./diagnostics.js";
import { type Mapping, mapStrings } from "./document.js";

const mark = "\u0000\u0001yaml-timestamp\u0001";

/**
 * A YAML timestamp kept as a time (Go's time.Time) where the reference's map-level model keeps it: printed
 * as RFC 3339 text, a string in JSON and a plain (unquoted) scalar in YAML.
 */
export class YamlTime {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

export function markTimestamp(text: string): string {
  return `${mark}${text}`;
}

/** The timestamp's text as written, or the value itself when it is no marked timestamp. */
export function unmarkTimestamp(value: string): string {
  return value.startsWith(mark) ? value.slice(mark.length) : value;
}

/** Maps whose values are free text: a time there is written as Go's time.String(). */
export const stringMaps: ReadonlySet<string> = new Set([
  "environment",
  "labels",
  "annotations",
  "sysctls",
  "args",
  "options",
  "driver_opts",
  "storage_opt",
]);

export function settleTimestamps(model: Mapping): { value: Mapping; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const value = mapStrings(model, (text, path) => {
    if (!text.includes(mark)) return text;
    const written = unmarkTimestamp(text);
    const parent = path[path.length - 2];
    if (path.some((p) => typeof p === "string" && p.startsWith("x-"))) return goTimeRfc3339(written);
    if (text.startsWith(mark) && typeof parent === "string" && stringMaps.has(parent)) {
      return goTimeString(written);
    }
    diagnostics.push({
      path: [...path],
      message: `${written} is read as a YAML timestamp (a time, not text) where text is expected: quote it ('${written}')`,
    });
    return written;
  }) as Mapping;
  return { value, diagnostics };
}

interface GoTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction digits as written. */
  fraction: string;
  /** Minutes east of UTC; undefined for UTC (no zone, or Z). */
  offset?: number;
}

/** yaml.v3's forms: a date, optionally with a time after `T`, `t` or a space, and a zone after T/t. */
function parseTimestamp(text: string): GoTime | undefined {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[-+]\d{2}:\d{2})?)?$/.exec(
      text,
    );
  if (!m) return undefined;
  const zone = m[8];
  const offset =
    zone && zone !== "Z"
      ? (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)))
      : 0;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    fraction: (m[7] ?? "").slice(0, 9).replace(/0+$/, ""),
    ...(offset !== 0 ? { offset } : {}),
  };
}

const two = (n: number) => String(n).padStart(2, "0");

function clock(t: GoTime): string {
  return `${String(t.year).padStart(4, "0")}-${two(t.month)}-${two(t.day)}`;
}

function time(t: GoTime): string {
  return `${two(t.hour)}:${two(t.minute)}:${two(t.second)}${t.fraction ? `.${t.fraction}` : ""}`;
}

function zone(offset: number, colon: boolean): string {
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${sign}${two(Math.floor(abs / 60))}${colon ? ":" : ""}${two(abs % 60)}`;
}

/** time.Time.String(): `2006-01-02 15:04:05.999999999 -0700 MST`; a fixed zone without a name repeats the offset. */
export function goTimeString(text: string): string {
  const t = parseTimestamp(text);
  if (!t) return text;
  const where = t.offset === undefined ? "+0000 UTC" : `${zone(t.offset, false)} ${zone(t.offset, false)}`;
  return `${clock(t)} ${time(t)} ${where}`;
}

/** time.Time's JSON: RFC 3339 with the fraction trimmed, `Z` for UTC. */
export function goTimeRfc3339(text: string): string {
  const t = parseTimestamp(text);
  if (!t) return text;
  return `${clock(t)}T${time(t)}${t.offset === undefined ? "Z" : zone(t.offset, true)}`;
}

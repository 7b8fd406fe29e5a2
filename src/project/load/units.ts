// Durations and sizes as the reference reads and prints them. The reference parses durations with Go's
// time.ParseDuration and prints them with time.Duration.String ("90s" → "1m30s", "1h" → "1h0m0s"); it
// parses sizes like docker's units.RAMInBytes (binary multiples, "1g" = 1gb = 1GiB = 2^30) and prints
// them as a decimal string of bytes.

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// One "<number><unit>" term of a Go duration: digits with an optional fraction, then the unit letters.
const TERM = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/** Go's time.ParseDuration: the result in nanoseconds. */
export function parseGoDuration(text: string): Parsed<bigint> {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1n;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest.startsWith("-")) sign = -1n;
    rest = rest.slice(1);
  }
  if (rest === "0") return { ok: true, value: 0n };
  if (rest === "") return { ok: false, error: `time: invalid duration ${quoted}` };
  let total = 0n;
  while (rest !== "") {
    const term = parseTerm(rest, quoted);
    if (!term.ok) return term;
    total += term.value.nanos;
    rest = rest.slice(term.value.length);
  }
  return { ok: true, value: sign * total };
}

function parseTerm(rest: string, quoted: string): Parsed<{ nanos: bigint; length: number }> {
  const m = TERM.exec(rest);
  const whole = m?.[1] ?? "";
  const fraction = m?.[2];
  const unit = m?.[3] ?? "";
  if (!m || (whole === "" && (fraction ?? "") === "")) {
    return { ok: false, error: `time: invalid duration ${quoted}` };
  }
  if (unit === "") return { ok: false, error: `time: missing unit in duration ${quoted}` };
  const scale = NANOS[unit];
  if (scale === undefined)
    return { ok: false, error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}` };
  let nanos = BigInt(whole === "" ? "0" : whole) * scale;
  if (fraction) nanos += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  return { ok: true, value: { nanos, length: m[0].length } };
}

/** Go's time.Duration.String. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  const sign = nanos < 0n ? "-" : "";
  const d = nanos < 0n ? -nanos : nanos;
  if (d < 1_000n) return `${sign}${d}ns`;
  if (d < 1_000_000n) return `${sign}${withFraction(d, 1_000n)}µs`;
  if (d < 1_000_000_000n) return `${sign}${withFraction(d, 1_000_000n)}ms`;
  const seconds = `${withFraction(d % 60_000_000_000n, 1_000_000_000n)}s`;
  const minutes = d / 60_000_000_000n;
  if (minutes === 0n) return `${sign}${seconds}`;
  const hours = minutes / 60n;
  return `${sign}${hours > 0n ? `${hours}h` : ""}${minutes % 60n}m${seconds}`;
}

function withFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/** A duration field's printed form ("90s" → "1m30s"), or the parse error. */
export function canonicalDuration(text: string): Parsed<string> {
  const parsed = parseGoDuration(text);
  return parsed.ok ? { ok: true, value: formatGoDuration(parsed.value) } : parsed;
}

// docker/go-units RAMInBytes: a decimal number, an optional space, an optional binary multiplier letter,
// an optional "i" and an optional "b" — "1g", "1gb", "1GiB" and "1 g" are all 2^30.
const SIZE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const MULTIPLIER: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Bytes from a size field: numbers are bytes already (truncated like Go's int64 conversion). */
export function parseSize(value: string | number): Parsed<number> {
  if (typeof value === "number") return { ok: true, value: Math.trunc(value) };
  const m = SIZE.exec(value);
  const number = m?.[1] !== undefined && /^\d+(\.\d+)?$/.test(m[1]) ? Number(m[1]) : Number.NaN;
  if (!m || Number.isNaN(number)) return { ok: false, error: `invalid size: '${value}'` };
  const letter = m[2]?.toLowerCase();
  return { ok: true, value: Math.trunc(number * (letter ? (MULTIPLIER[letter] ?? 1) : 1)) };
}

/** A size as the reference prints it: the byte count as a decimal string. */
export function formatSize(bytes: number): string {
  return BigInt(bytes).toString();
}

// Go's strconv number parsing, as the reference applies it when it casts interpolated strings (see
// castTypes in interpolate.ts). Accepting exactly what Go accepts, and failing with Go's message text,
// is what makes `cpus: "0x1p-2"` load and `scale: " 3"` fail the same way in both tools.
import { goQuote } from "./gostrings.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const uint64Max = (1n << 64n) - 1n;
const int64Cutoff = 1n << 63n;

function numError(fn: string, text: string, reason: "invalid syntax" | "value out of range"): Parsed<never> {
  return { ok: false, error: `strconv.${fn}: parsing ${goQuote(text)}: ${reason}` };
}

/**
 * strconv.Atoi / strconv.ParseInt(s, 10, 64): optional sign, ASCII digits only (no spaces, underscores or
 * base prefixes). Like Go, overflow is reported as soon as the digits exceed uint64, even when an invalid
 * character follows. Values beyond 2^53 lose precision (JS numbers).
 */
export function parseGoInt(text: string, fn: "Atoi" | "ParseInt"): Parsed<number> {
  const negative = text.startsWith("-");
  const digits = negative || text.startsWith("+") ? text.slice(1) : text;
  if (digits === "") return numError(fn, text, "invalid syntax");
  let n = 0n;
  for (const ch of digits) {
    if (ch < "0" || ch > "9") return numError(fn, text, "invalid syntax");
    n = n * 10n + BigInt(ch.charCodeAt(0) - 48);
    if (n > uint64Max) return numError(fn, text, "value out of range");
  }
  if (negative ? n > int64Cutoff : n >= int64Cutoff) return numError(fn, text, "value out of range");
  return { ok: true, value: Number(negative ? -n : n) };
}

/**
 * strconv.ParseFloat(s, bitSize): decimal or hexadecimal (with a mandatory p exponent) mantissas, `_`
 * between digits, and inf/infinity/nan in any case. A value that overflows the bit size is an error;
 * one that underflows becomes 0. The float64 value is returned even for bitSize 32: narrowing it is the
 * model's business, as the reference's struct field is what rounds it.
 */
export function parseGoFloat(text: string, bitSize: 32 | 64): Parsed<number> {
  const value = readGoFloat(text);
  if (value === undefined) return numError("ParseFloat", text, "invalid syntax");
  const narrowed = bitSize === 32 ? Math.fround(value) : value;
  const special = Number.isNaN(value) || /^[+-]?(inf|infinity)$/i.test(text);
  if (!special && !Number.isFinite(narrowed)) return numError("ParseFloat", text, "value out of range");
  return { ok: true, value };
}

const decimalFloat = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const hexFloat =
  /^([+-]?)0[xX](_?[0-9a-fA-F](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?|\.[0-9a-fA-F](?:_?[0-9a-fA-F])*)[pP]([+-]?\d(?:_?\d)*)$/;

function readGoFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity)$/i.exec(text);
  if (special) return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (decimalFloat.test(text)) return Number(text.replaceAll("_", ""));
  const hex = hexFloat.exec(text);
  if (!hex) return undefined;
  const [whole = "", fraction = ""] = (hex[2] ?? "").replaceAll("_", "").split(".");
  const mantissa = Number(BigInt(`0x0${whole}${fraction}`));
  const exponent = Number((hex[3] ?? "0").replaceAll("_", "")) - 4 * fraction.length;
  const magnitude = mantissa * 2 ** exponent;
  return hex[1] === "-" ? -magnitude : magnitude;
}

/**
 * The reference's boolean cast: true/false in any case; the YAML 1.1 words y/yes/on and n/no/off are
 * accepted with a warning (its text is returned); anything else is "invalid boolean: <s>".
 */
export function parseComposeBool(text: string): Parsed<boolean> & { warning?: string } {
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "false") return { ok: true, value: lower === "true" };
  const yes = ["y", "yes", "on"].includes(lower);
  if (yes || ["n", "no", "off"].includes(lower)) {
    const warning = `${goQuote(text)} for boolean is not supported by YAML 1.2, please use \`${yes}\``;
    return { ok: true, value: yes, warning };
  }
  return { ok: false, error: `invalid boolean: ${text}` };
}

/**
 * A float64 as Go's fmt %v prints it (strconv 'g', shortest): exponent form below 1e-4 and from 1e+06 up
 * (`1e-06`, `1e+06`, `1.23456789123e+08`), `-0` kept; a whole value below 1e+06 has no decimal point.
 */
export function formatGoFloat(n: number): string {
  if (Object.is(n, -0)) return "-0";
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf";
  const [mantissa = "", exponent = "0"] = n.toExponential().split("e");
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  const digits = String(Math.abs(exp)).padStart(2, "0");
  return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
}

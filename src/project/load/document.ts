// The plain data a compose document is made of once parsed: mappings, lists and scalars.

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "K=V" strings as a mapping (K: "V"); a bare "K" gets `bare`; a later K wins. */
export function keyValuesToMapping(
  items: readonly unknown[],
  bare: null | "",
  text: (item: unknown) => string = String,
): Mapping {
  const out: Mapping = {};
  for (const item of items) {
    const entry = text(item);
    const eq = entry.indexOf("=");
    if (eq < 0) out[entry] = bare;
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** A document path pattern, written "services.*.labels": `*` stands for any one segment. */
export type PathPattern = readonly string[];

export function pathPatterns(patterns: readonly string[]): PathPattern[] {
  return patterns.map((p) => p.split("."));
}

export function matchesPattern(path: readonly (string | number)[], pattern: PathPattern): boolean {
  return path.length === pattern.length && pattern.every((s, i) => s === "*" || s === String(path[i]));
}

export function matchesAnyPattern(
  path: readonly (string | number)[],
  patterns: readonly PathPattern[],
): boolean {
  return patterns.some((p) => matchesPattern(path, p));
}

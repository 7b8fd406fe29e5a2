// Numbers where the reference prints them as text. yaml.v3 reads an integer as int64/uint64 and a float as
// float64; where a compose field takes text (an environment or label value, a driver option …) the
// reference writes the number with Go's fmt: `9223372036854775807` stays exact and the float `1e6` is
// `1e+06`. A JS number keeps neither, so the YAML reader records Go's text of such numbers by path
// (YamlTags.numbers) and the values at text-taking paths become that text here, before interpolation.
// Elsewhere (a typed field, an `x-` extension) the number stays a JS number.
import { type DocumentPath, isMapping, setOwn } from "./document.js";
import { stringMaps } from "./timestamps.js";

function takesText(path: DocumentPath): boolean {
  const parent = path[path.length - 2];
  if (typeof parent !== "string" || !stringMaps.has(parent)) return false;
  return !path.some((p) => typeof p === "string" && p.startsWith("x-"));
}

/** `value` with each recorded number at a text-taking path replaced by its text (copied, not changed). */
export function withNumberTexts(
  value: unknown,
  numbers: readonly [DocumentPath, string][] | undefined,
): unknown {
  let out = value;
  // A merge key's source is read after the mapping's own keys, which win: the first text of a path counts.
  const done = new Set<string>();
  for (const [path, text] of numbers ?? []) {
    const key = path.join("\u0000");
    if (done.has(key) || !takesText(path)) continue;
    done.add(key);
    out = replaced(out, path, 0, text);
  }
  return out;
}

function replaced(node: unknown, path: DocumentPath, at: number, text: string): unknown {
  const segment = path[at];
  if (segment === undefined) return typeof node === "number" && node === Number(text) ? text : node;
  if (Array.isArray(node) && typeof segment === "number" && segment < node.length) {
    const item = replaced(node[segment], path, at + 1, text);
    if (item === node[segment]) return node;
    const copy = [...node];
    copy[segment] = item;
    return copy;
  }
  if (isMapping(node) && typeof segment === "string" && Object.hasOwn(node, segment)) {
    const field = replaced(node[segment], path, at + 1, text);
    if (field === node[segment]) return node;
    const copy = { ...node };
    setOwn(copy, segment, field);
    return copy;
  }
  return node;
}

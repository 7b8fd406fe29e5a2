import { describe, expect, it } from "vitest";
import { maxDepth, tooDeepMessage } from "../../../src/project/load/depth.js";
import { formatDiagnosticHeadline } from "../../../src/project/load/diagnostics.js";
import { parseWithPackage, parseYamlDocument } from "../../../src/project/load/yaml.js";

// `x:` under the top-level mapping (level 1) holds collections nested `levels` deep: levels + 1 in all.
const head = "services: {web: {image: busybox}}\n";
const shapes: Record<string, (levels: number) => string> = {
  "block mappings": (n) => {
    let s = `${head}x:\n`;
    for (let i = 1; i <= n; i++) s += `${" ".repeat(i)}a:${i === n ? " 1" : ""}\n`;
    return s;
  },
  "block sequences": (n) => {
    let s = `${head}x:\n`;
    for (let i = 1; i <= n; i++) s += `${" ".repeat(i)}-${i === n ? " 1" : ""}\n`;
    return s;
  },
  "compact block sequences": (n) => `${head}x:\n${"- ".repeat(n)}1\n`,
  "flow mappings": (n) => `${head}x: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`,
  "flow sequences": (n) => `${head}x: ${"[".repeat(n)}1${"]".repeat(n)}\n`,
  "flow sequences over lines": (n) => `${head}x: ${"[\n ".repeat(n)}1${"]".repeat(n)}\n`,
  "block mappings of flow sequences": (n) => {
    let s = `${head}x:\n`;
    const half = Math.floor(n / 2);
    for (let i = 1; i <= half; i++) s += `${" ".repeat(i)}a:\n`;
    return `${s}${" ".repeat(half + 1)}a: ${"[".repeat(n - half - 1)}1${"]".repeat(n - half - 1)}\n`;
  },
};

const headlines = (text: string) =>
  parseYamlDocument("compose.yaml", text).diagnostics.map(formatDiagnosticHeadline);

/** How many collections the value nests. */
function depthOf(value: unknown): number {
  let depth = 0;
  let level: unknown[] = [value];
  while (level.length > 0) {
    const next: unknown[] = [];
    for (const v of level) if (typeof v === "object" && v !== null) next.push(...Object.values(v));
    if (next.length === 0 && level.every((v) => typeof v !== "object" || v === null)) break;
    depth++;
    level = next;
  }
  return depth;
}

describe("nesting depth", () => {
  for (const [shape, make] of Object.entries(shapes)) {
    it(`reads ${shape} ${maxDepth} levels deep and refuses one more, located`, () => {
      const deepest = parseYamlDocument("compose.yaml", make(maxDepth - 1));
      expect(deepest.diagnostics).toEqual([]);
      expect(depthOf(deepest.value)).toBe(maxDepth);

      const text = make(maxDepth);
      for (const parsed of [
        parseYamlDocument("compose.yaml", text),
        parseWithPackage("compose.yaml", text),
      ]) {
        expect(parsed.diagnostics).toHaveLength(1);
        const [problem] = parsed.diagnostics;
        expect(problem?.message).toBe(tooDeepMessage);
        // The first collection past the limit: the last `a:`/`-`/`[`/`{` opened.
        const offset = lastOpener(text);
        const before = text.slice(0, offset);
        const line = before.split("\n").length;
        expect(problem?.position).toEqual({
          file: "compose.yaml",
          line,
          column: offset - before.lastIndexOf("\n"),
        });
      }
    });
  }

  it("refuses 10,000 levels at once, without running out of stack", () => {
    for (const [shape, make] of Object.entries(shapes)) {
      // Block nesting makes a text of levels² / 2 characters: 2,000 levels is already past the composer.
      const parsed = parseYamlDocument("compose.yaml", make(shape.startsWith("block") ? 2_000 : 10_000));
      expect(parsed.diagnostics.map((d) => d.message)).toEqual([tooDeepMessage]);
    }
  });

  it("counts levels that aliases add", () => {
    const half = Math.ceil(maxDepth / 2);
    const nested = (n: number, inner: string) => `${"[".repeat(n)}${inner}${"]".repeat(n)}`;
    const text = `${head}x-a: &a ${nested(half, "1")}\nx-b: ${nested(half, "*a")}\n`;
    // Read through x-b, x-a's bracket number maxDepth - half is one level too deep.
    expect(headlines(text)).toEqual([`compose.yaml:2:${8 + maxDepth - half}: ${tooDeepMessage}`]);
    expect(headlines(`${head}x-a: &a ${nested(half, "1")}\nx-b: ${nested(half - 1, "*a")}\n`)).toEqual([]);
  });

  it("checks every document of a file", () => {
    const text = `${head}---\n${shapes["flow sequences"]?.(maxDepth)}`;
    expect(headlines(text)).toEqual([`compose.yaml:4:${4 + maxDepth - 1}: ${tooDeepMessage}`]);
  });
});

/** Offset of the last collection opened: the deepest one of these shapes. */
function lastOpener(text: string): number {
  const flow = Math.max(text.lastIndexOf("["), text.lastIndexOf("{"));
  if (flow > text.indexOf("x:")) return flow;
  const lines = text.split("\n");
  let offset = text.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    offset -= line.length + (i < lines.length - 1 ? 1 : 0);
    const m = /^( *)(- )*(-|a:)/.exec(line);
    if (!m) continue;
    // Compact sequences: the last `-` of the line.
    return offset + (line.includes("- ") ? line.lastIndexOf("-") : (m[1] ?? "").length);
  }
  return -1;
}

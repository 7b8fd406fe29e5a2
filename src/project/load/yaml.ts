// One compose file's text → plain data, read the way the reference reads it (Go's yaml.v3 decoding into
// `interface{}`, then compose-go's reset processor), plus a way back from any document path to file:line:col.
//
// The `yaml` package only builds the node tree here; values are made by our own walk, because yaml.v3's
// scalar rules differ from both of the package's schemas:
//   - plain scalars: `0440` is octal (288), `0b101`/`0o17`/`0x1F` and signed forms are integers, `_` is
//     dropped from numbers (`1_000`), `08` is the float 8, `yes`/`no`/`on`/`off` stay strings;
//   - a scalar with a tag yaml.v3 does not know (`!reset`, `!override`, `!foo`) is the string it spells;
//   - explicit `!!int`, `!!str` … convert quoted text;
//   - every key must be a string (compose-go: "Non-string key in …"); keys must be unique, `<<` included;
//   - `<<` merges: keys written in the mapping win, then earlier merge sources win over later ones.
// Timestamps (`2001-12-14`) are their text, marked (./timestamps.ts): the reference turns them into Go
// times (a string field then fails, an environment value prints "2001-12-14 00:00:00 +0000 UTC").
//
// `!reset` / `!override` nodes are recorded by path (also through aliases and `<<`, like compose-go). The
// reference drops `!reset` nodes from the data; here they stay (an empty one is null) because the merge step
// applies resets to the keys it visits. A file may hold several documents; the reference loads each like
// a file of its own, in order.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { maxDepth, parseAllDocumentsWithinDepth, tooDeepMessage } from "./depth.js";
import type { Diagnostic, SourcePosition } from "./diagnostics.js";
import { type DocumentPath, isMapping, setOwn } from "./document.js";
import { formatGoFloat } from "./gonumbers.js";
import { markTimestamp } from "./timestamps.js";
import { parseFast } from "./yaml-fast.js";
import { lenientText } from "./yaml-lenient.js";
import type { AliasNode, MapNode, ScalarNode, SeqNode, TreeNode } from "./yaml-tree.js";

export interface YamlTags {
  /** Paths of nodes tagged `!reset`. */
  resets: DocumentPath[];
  /** Paths of nodes tagged `!override`. */
  overrides: DocumentPath[];
  /**
   * Numbers whose value a JS number does not tell Go's text of (integers beyond 2^53, whole floats from
   * 1e6 up, `1e+06`): their paths and that text, for where the reference prints them as text (numbers.ts).
   */
  numbers?: [DocumentPath, string][];
}

export interface YamlDocument {
  /** Plain data: objects, arrays, strings, numbers, booleans, null (null for an empty document). */
  value: unknown;
  tags: YamlTags;
}

/** "key" asks for the position of a mapping key rather than of its value (for unknown-key errors). */
export type Locate = (path: DocumentPath, at?: "key" | "value") => SourcePosition | undefined;

export interface ParsedYaml extends YamlDocument {
  /** Every document of the file, in order; value/tags above are the first one's. */
  documents: YamlDocument[];
  /** Searches the documents from the last (later documents override earlier ones). */
  locate: Locate;
  diagnostics: Diagnostic[];
}

type YamlNode = Node | Pair | null | undefined;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Path = (string | number)[];

const coreTag = "tag:yaml.org,2002:";
/** Guards against alias bombs ("billion laughs"): nodes produced while expanding aliases. */
const maxAliasExpansion = 100_000;

export function parseYamlDocument(file: string, text: string): ParsedYaml {
  const fast = readFast(file, text);
  return fast ?? parseWithPackage(file, text);
}

/** Line starts, to turn offsets into 1-based line and column. */
function positionsOf(file: string, text: string): (offset: number) => SourcePosition {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  };
}

/**
 * The common case, fast: one document in the subset of YAML that ./yaml-fast.ts reads, with no problem to
 * report. Anything else (and every error) takes the package's path, which also locates paths: `locate` parses
 * the text with the package only when it is first asked, i.e. when there is a problem to point at.
 */
function readFast(file: string, text: string): ParsedYaml | undefined {
  const tree = parseFast(text);
  if (tree === undefined || tree?.kind !== "map") return undefined;
  const diagnostics: Diagnostic[] = [];
  const reader = new TreeReader(positionsOf(file, text), diagnostics);
  const value = reader.read(tree, []);
  if (diagnostics.length > 0) return undefined;
  const document: YamlDocument = { value, tags: reader.tags };
  let slow: ParsedYaml | undefined;
  const locate: Locate = (path, at) => {
    slow ??= parseWithPackage(file, text);
    return slow.locate(path, at);
  };
  return { ...document, documents: [document], locate, diagnostics };
}

/**
 * The `yaml` package's path alone (exported for the test that holds the fast reader to it). What yaml.v3
 * tolerates and the package does not (./yaml-lenient.ts) is read from a rewritten text, with positions in
 * the given one; where the rewriting does not help, the package's errors on the given text stand.
 */
export function parseWithPackage(file: string, text: string): ParsedYaml {
  const lenient = lenientText(text);
  if (!lenient) return readWithPackage(file, text);
  let given: ReturnType<typeof readWithPackage> | undefined;
  if (!lenient.changesMeaning && lenient.problems.length === 0) {
    given = readWithPackage(file, text);
    if (!given.syntaxError) return given;
  }
  const position = positionsOf(file, text);
  const rewritten = readWithPackage(file, lenient.text, (offset) => position(lenient.original(offset)));
  const read = rewritten.syntaxError ? (given ?? readWithPackage(file, text)) : rewritten;
  const refused = lenient.problems[0];
  if (!refused || read.syntaxError) return read;
  return {
    ...read,
    diagnostics: [{ path: [], position: position(refused.offset), message: refused.message }],
  };
}

function readWithPackage(
  file: string,
  text: string,
  at?: (offset: number) => SourcePosition,
): ParsedYaml & { syntaxError: boolean } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocumentsWithinDepth(text, {
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter,
  });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const diagnostics: Diagnostic[] = [];
  const position =
    at ??
    ((offset: number): SourcePosition => {
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, column: col };
    });

  const documents: YamlDocument[] = [];
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      // The parser's later errors are mostly consequences of the first.
      diagnostics.push({ path: [], position: position(first.pos[0]), message: lowerFirst(first.message) });
      documents.push({ value: null, tags: { resets: [], overrides: [] } });
      continue;
    }
    const reader = new TreeReader(position, diagnostics);
    const value = reader.read(packageTree(doc), []);
    if (!isMapping(value)) {
      diagnostics.push({
        path: [],
        position: position(value !== null && doc.contents ? doc.contents.range[0] : doc.range[0]),
        message: "top-level object must be a mapping",
      });
    }
    documents.push({ value, tags: reader.tags });
  }

  const locate: Locate = (path, at = "value") => {
    for (let i = list.length - 1; i >= 0; i--) {
      const doc = list[i];
      const offset = doc && doc.errors.length === 0 ? findOffset(doc, path, at) : undefined;
      if (offset !== undefined) return position(offset);
    }
    return undefined;
  };

  const main = documents[0] ?? { value: null, tags: { resets: [], overrides: [] } };
  const syntaxError = list.some((doc) => doc.errors.length > 0);
  return { ...main, documents, locate, diagnostics, syntaxError };
}

/** The package's node tree as ours (aliases resolved to the same node objects, so cycles are seen). */
function packageTree(doc: Document.Parsed): TreeNode | null {
  const made = new Map<unknown, TreeNode>();
  const convert = (node: YamlNode, asKey = false): TreeNode | null => {
    if (node === null || node === undefined) return null;
    const known = made.get(node);
    if (known) return known;
    const offset = "range" in node && node.range ? node.range[0] : 0;
    if (isAlias(node)) {
      const alias: AliasNode = { kind: "alias", offset, name: node.source, target: undefined };
      made.set(node, alias);
      alias.target = convert(node.resolve(doc) as YamlNode) ?? undefined;
      return alias;
    }
    const tag = (node as Node).tag;
    if (isScalar(node)) {
      const scalar: ScalarNode = {
        kind: "scalar",
        offset,
        tag,
        text: scalarText(node),
        plain: node.type === "PLAIN",
      };
      made.set(node, scalar);
      return scalar;
    }
    if (isMap(node)) {
      const map: MapNode = {
        kind: "map",
        offset,
        tag,
        pairs: [],
        ...(asKey ? { display: String(node) } : {}),
      };
      made.set(node, map);
      for (const pair of node.items)
        map.pairs.push({ key: convert(pair.key as YamlNode, true), value: convert(pair.value as YamlNode) });
      return map;
    }
    if (isSeq(node)) {
      const seq: SeqNode = {
        kind: "seq",
        offset,
        tag,
        items: [],
        ...(asKey ? { display: String(node) } : {}),
      };
      made.set(node, seq);
      for (const item of node.items) seq.items.push(convert(item as YamlNode));
      return seq;
    }
    return null;
  };
  return convert(doc.contents);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function hasKey(target: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(target, key);
}

// ---------------------------------------------------------------------------------------------------
// Node tree → plain data.

type Tree = TreeNode | null | undefined;

class TreeReader {
  readonly tags: YamlTags = { resets: [], overrides: [] };
  /** Collections being read: an alias to one of them is a cycle. */
  private readonly open = new Set<TreeNode>();
  private aliasDepth = 0;
  private expanded = 0;
  private aliasBudgetReported = false;
  /** Collections being read, nested (./depth.ts). */
  private level = 0;
  private tooDeepReported = false;

  constructor(
    private readonly position: (offset: number) => SourcePosition,
    private readonly diagnostics: Diagnostic[],
  ) {}

  read(node: Tree, path: Path): unknown {
    if (node === null || node === undefined) return null;
    if (node.kind === "alias") return this.readAlias(node, path);
    if (this.aliasDepth > 0 && ++this.expanded > maxAliasExpansion) return this.tooManyAliases(node, path);
    const tag = node.tag;
    if (tag === "!reset") this.tags.resets.push([...path]);
    if (tag === "!override") this.tags.overrides.push([...path]);
    if (node.kind === "scalar") return this.readScalar(node, path);
    // Nesting past maxDepth (./depth.ts), also through aliases and merge keys, is not read.
    if (this.level === maxDepth) return this.tooDeep(node);
    this.level++;
    const out = node.kind === "map" ? this.readMap(node, path) : this.readItems(node, path);
    this.level--;
    return out;
  }

  private readItems(node: SeqNode, path: Path): unknown[] {
    this.open.add(node);
    const out = node.items.map((item, i) => this.read(item, [...path, i]));
    this.open.delete(node);
    return out;
  }

  private tooDeep(node: TreeNode): null {
    if (!this.tooDeepReported) this.report(node, [], tooDeepMessage);
    this.tooDeepReported = true;
    return null;
  }

  private report(node: Tree, path: Path, message: string, hint?: string): void {
    const d: Mutable<Diagnostic> = { path: [...path], message };
    if (node) d.position = this.position(node.offset);
    if (hint) d.hint = hint;
    this.diagnostics.push(d);
  }

  private tooManyAliases(node: Tree, path: Path): null {
    if (!this.aliasBudgetReported)
      this.report(node, path, "document expands to too many nodes through aliases");
    this.aliasBudgetReported = true;
    return null;
  }

  private readAlias(node: AliasNode, path: Path): unknown {
    const target = node.target;
    if (!target) {
      this.report(node, path, `unknown anchor '${node.name}' referenced`);
      return null;
    }
    if (this.open.has(target)) {
      this.report(node, path, `alias *${node.name} refers to a node that contains it (a cycle)`);
      return null;
    }
    this.aliasDepth++;
    const value = this.read(target, path);
    this.aliasDepth--;
    return value;
  }

  private readScalar(node: ScalarNode, path: Path): unknown {
    const resolved = resolveScalar(node);
    if (resolved.error) this.report(node, path, resolved.error);
    if (resolved.goText !== undefined) {
      this.tags.numbers ??= [];
      this.tags.numbers.push([[...path], resolved.goText]);
    }
    return resolved.timestamp ? markTimestamp(String(resolved.value)) : resolved.value;
  }

  private readMap(node: MapNode, path: Path): Record<string, unknown> {
    this.open.add(node);
    const out: Record<string, unknown> = {};
    // Each key's offset (its line is looked up only for a repeated key).
    const seen = new Map<string, number | undefined>();
    const merges: Tree[] = [];
    for (const pair of node.pairs) {
      const keyNode = pair.key;
      const raw = treeKeyText(keyNode);
      if (seen.has(raw)) {
        const earlier = seen.get(raw);
        const line = earlier === undefined ? 0 : this.position(earlier).line;
        this.report(keyNode, path, `mapping key "${raw}" already defined at line ${line}`);
        continue;
      }
      seen.set(raw, keyNode?.offset);
      if (isTreeMergeKey(keyNode)) {
        merges.push(pair.value);
        continue;
      }
      const key = this.readKey(keyNode, path);
      setOwn(out, key, this.read(pair.value, [...path, key]));
    }
    for (const source of merges) this.mergeInto(out, source, path);
    this.open.delete(node);
    return out;
  }

  private readKey(keyNode: Tree, path: Path): string {
    const target = keyNode?.kind === "alias" ? keyNode.target : keyNode;
    if (target?.kind === "scalar") {
      const { value } = resolveScalar(target);
      if (typeof value === "string") return value;
      const text = treeKeyText(target);
      this.report(keyNode, path, `mapping key ${text} is not a string`, `quote it: "${text}"`);
      return text;
    }
    this.report(keyNode, path, "mapping key is not a string");
    return treeKeyText(keyNode);
  }

  /** `<<: *a`, `<<: {…}` or `<<: [*a, *b]`: adds the keys the mapping does not have yet. */
  private mergeInto(out: Record<string, unknown>, source: Tree, path: Path): void {
    const deref = (n: Tree) => (n?.kind === "alias" ? n.target : n);
    // Only a sequence written in place lists sources; an alias must lead to a mapping (yaml.v3).
    const sources = source?.kind === "seq" ? source.items : [source];
    for (const item of sources) {
      if (deref(item)?.kind !== "map") {
        this.report(item ?? source, path, "map merge requires map or sequence of maps as the value");
        continue;
      }
      const merged = this.read(item, path);
      if (!isMapping(merged)) continue;
      for (const [k, v] of Object.entries(merged)) if (!hasKey(out, k)) setOwn(out, k, v);
    }
  }
}

function isTreeMergeKey(node: Tree): boolean {
  return node?.kind === "scalar" && node.plain && !node.tag && node.text === "<<";
}

/** The key as written (yaml.v3 compares keys by their text: `1` and `"1"` are the same key). */
function treeKeyText(node: Tree, hops = 0): string {
  if (!node) return "";
  if (node.kind === "scalar") return node.text;
  if (node.kind === "alias") return hops < 100 ? treeKeyText(node.target, hops + 1) : "";
  return node.display ?? "";
}

function isMergeKey(node: YamlNode): boolean {
  return isScalar(node) && node.type === "PLAIN" && !node.tag && node.source === "<<";
}

/** The key as written (yaml.v3 compares keys by their text: `1` and `"1"` are the same key). */
function keyText(node: YamlNode, doc: Document.Parsed): string {
  if (isScalar(node)) return scalarText(node);
  if (isAlias(node)) return keyText(node.resolve(doc) as YamlNode, doc);
  return node ? String(node) : "";
}

function scalarText(node: Scalar): string {
  if (typeof node.source === "string") return node.source;
  return node.value === null || node.value === undefined ? "" : String(node.value);
}

// ---------------------------------------------------------------------------------------------------
// Scalars, by yaml.v3's resolve rules.

interface Resolved {
  value: unknown;
  timestamp?: boolean;
  error?: string;
  /** A number's text as Go prints it, when String(value) is not that (see YamlTags.numbers). */
  goText?: string;
}

function resolveScalar(node: ScalarNode): Resolved {
  const text = node.text;
  const plain = node.plain;
  const tag = node.tag;
  if (!tag || tag === "!") {
    if (!plain || tag === "!") return { value: text };
    return resolvePlain(text);
  }
  if (!tag.startsWith(coreTag)) {
    // yaml.v3 leaves scalars with tags it does not know as text; an empty `!reset` means "nothing".
    return { value: text === "" && tag === "!reset" ? null : text };
  }
  return resolveTagged(tag.slice(coreTag.length), text);
}

const nullWords = new Set(["", "~", "null", "Null", "NULL"]);
const trueWords = new Set(["true", "True", "TRUE"]);
const falseWords = new Set(["false", "False", "FALSE"]);
const specialFloats = new Map<string, number>([
  ...[".nan", ".NaN", ".NAN"].map((s): [string, number] => [s, Number.NaN]),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s): [string, number] => [
    s,
    Number.POSITIVE_INFINITY,
  ]),
  ...["-.inf", "-.Inf", "-.INF"].map((s): [string, number] => [s, Number.NEGATIVE_INFINITY]),
]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function resolvePlain(text: string): Resolved {
  if (nullWords.has(text)) return { value: null };
  if (trueWords.has(text)) return { value: true };
  if (falseWords.has(text)) return { value: false };
  const special = specialFloats.get(text);
  if (special !== undefined) return { value: special };
  const first = text.charAt(0);
  if (first === ".") {
    const n = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
    return { value: Number.isFinite(n) ? n : text };
  }
  if (!/^[-+0-9]/.test(first)) return { value: text };
  if (/^[0-9]/.test(first) && isTimestamp(text)) return { value: text, timestamp: true };
  const number = goNumber(text.replaceAll("_", ""));
  return number === undefined ? { value: text } : withGoText(number, text.replaceAll("_", ""));
}

/** Go's text of a number yaml.v3 reads from `s`, when a JS number does not keep it. */
function withGoText(value: number, s: string, float = false): Resolved {
  const int = !float && goInteger(s) !== undefined;
  if (int && !Number.isSafeInteger(value)) return { value, goText: goIntegerText(s) };
  if (!int && Number.isInteger(value) && Math.abs(value) >= 1e6)
    return { value, goText: formatGoFloat(value) };
  return { value };
}

/** strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64), then a YAML-style float. */
function goNumber(s: string): number | undefined {
  const int = goInteger(s);
  if (int !== undefined) return int;
  if (yamlStyleFloat.test(s)) {
    const n = Number(s);
    // Go's ParseFloat fails on overflow (the text then stays a string).
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;
const uint64Max = (1n << 64n) - 1n;

function goInteger(s: string): number | undefined {
  const n = goBigInteger(s);
  return n === undefined ? undefined : Number(n);
}

function goIntegerText(s: string): string {
  return String(goBigInteger(s));
}

function goBigInteger(s: string): bigint | undefined {
  const m = /^([-+]?)(0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))$/.exec(s);
  if (!m) return undefined;
  const [, sign = "", , hex, oct, bin, legacyOct, dec] = m;
  const digits =
    hex !== undefined ? `0x${hex}` : oct !== undefined ? `0o${oct}` : bin !== undefined ? `0b${bin}` : "";
  const magnitude = BigInt(digits || (legacyOct !== undefined ? `0o${legacyOct}` : (dec ?? "0")));
  const n = sign === "-" ? -magnitude : magnitude;
  // ParseUint takes no sign, so "+…" beyond int64 is not a number.
  const fits = n >= int64Min && n <= int64Max ? true : sign === "" && n <= uint64Max;
  return fits ? n : undefined;
}

/** yaml.v3's timestamp formats: a date, optionally with a time (`T`/`t`/space) and zone. */
function isTimestamp(text: string): boolean {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?))?$/.exec(
      text,
    );
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function resolveTagged(tag: string, text: string): Resolved {
  const fail = (kind: string): Resolved => ({ value: text, error: `cannot decode "${text}" as a !!${kind}` });
  switch (tag) {
    case "str":
      return { value: text };
    case "null":
      return nullWords.has(text) ? { value: null } : fail(tag);
    case "bool": {
      if (trueWords.has(text)) return { value: true };
      return falseWords.has(text) ? { value: false } : fail(tag);
    }
    case "int": {
      const n = goInteger(text.replaceAll("_", ""));
      return n === undefined ? fail(tag) : withGoText(n, text.replaceAll("_", ""));
    }
    case "float": {
      const special = specialFloats.get(text);
      if (special !== undefined) return { value: special };
      const n = goNumber(text.replaceAll("_", ""));
      return n === undefined ? fail(tag) : withGoText(n, text.replaceAll("_", ""), true);
    }
    case "timestamp":
      return isTimestamp(text) ? { value: text, timestamp: true } : fail(tag);
    case "binary":
      return { value: Buffer.from(text.replace(/\s+/g, ""), "base64").toString("latin1") };
    default:
      return { value: text };
  }
}

// ---------------------------------------------------------------------------------------------------
// Document path → source offset.

function findOffset(doc: Document.Parsed, path: DocumentPath, at: "key" | "value"): number | undefined {
  let node: YamlNode = doc.contents;
  let keyOffset: number | undefined;
  for (const segment of path) {
    node = derefNode(node, doc);
    keyOffset = undefined;
    if (isMap(node) && typeof segment === "string") {
      const pair = findPair(node, segment, doc, new Set());
      if (!pair) return undefined;
      keyOffset = offsetOf(pair.key as YamlNode);
      node = pair.value as YamlNode;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment] as YamlNode;
      if (node === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  if (at === "key" && keyOffset !== undefined) return keyOffset;
  // An empty value (`web:`) has no text of its own: its key stands for it.
  const value = derefNode(node, doc);
  if (isScalar(value) && value.value === null && scalarText(value) === "" && keyOffset !== undefined)
    return keyOffset;
  return offsetOf(node) ?? keyOffset ?? (path.length === 0 ? 0 : undefined);
}

function derefNode(node: YamlNode, doc: Document.Parsed): YamlNode {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < 100; hops++) current = current.resolve(doc) as YamlNode;
  return current;
}

function offsetOf(node: YamlNode): number | undefined {
  return node && "range" in node && node.range ? node.range[0] : undefined;
}

/** The pair written in the mapping, else the first merge source that has the key (yaml.v3's precedence). */
function findPair(map: YAMLMap, key: string, doc: Document.Parsed, visiting: Set<Node>): Pair | undefined {
  if (visiting.has(map)) return undefined;
  visiting.add(map);
  const merges: YamlNode[] = [];
  for (const pair of map.items) {
    const k = pair.key as YamlNode;
    if (isMergeKey(k)) merges.push(pair.value as YamlNode);
    else if (keyValue(k, doc) === key) return pair as Pair;
  }
  for (const merge of merges) {
    const sources = isSeq(merge)
      ? merge.items.map((i) => derefNode(i as YamlNode, doc))
      : [derefNode(merge, doc)];
    for (const source of sources) {
      const found = isMap(source) ? findPair(source, key, doc, visiting) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

function keyValue(node: YamlNode, doc: Document.Parsed): string {
  const target = derefNode(node, doc);
  if (!isScalar(target)) return keyText(target, doc);
  const { value } = resolveScalar({
    kind: "scalar",
    offset: 0,
    tag: target.tag,
    text: scalarText(target),
    plain: target.type === "PLAIN",
  });
  return typeof value === "string" ? value : scalarText(target);
}

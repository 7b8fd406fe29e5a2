// The plain data a compose document is made of once parsed: mappings, lists and scalars.

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own data property, also for "__proto__" (plain assignment would set the prototype). */
export function setOwn(target: Mapping, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

/**
 * `fn` applied to every string of a document. Mappings and lists are copied only where a string under them
 * changed (the document given is left as it is). `path` is one list, changed as the walk goes on: `fn` copies
 * it to keep it.
 */
export function mapStrings(
  node: unknown,
  fn: (text: string, path: readonly (string | number)[]) => unknown,
): unknown {
  const path: (string | number)[] = [];
  const visit = (value: unknown): unknown => {
    if (typeof value === "string") return fn(value, path);
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const mapped = visit(value[i]);
        path.pop();
        if (mapped !== value[i]) {
          out ??= value.slice();
          out[i] = mapped;
        }
      }
      return out ?? value;
    }
    if (isMapping(value)) {
      let out: Mapping | undefined;
      for (const key in value) {
        path.push(key);
        const mapped = visit(value[key]);
        path.pop();
        if (mapped !== value[key]) {
          out ??= { ...value };
          setOwn(out, key, mapped);
        }
      }
      return out ?? value;
    }
    return value;
  };
  return visit(node);
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

/** A document path: mapping keys and list indexes from the root. */
export type DocumentPath = readonly (string | number)[];

interface PatternNode<T> {
  next: Map<string, PatternNode<T>>;
  any?: PatternNode<T>;
  found?: { order: number; value: T };
}

/**
 * Document path patterns, written "services.*.labels" (`*` stands for any one segment; an index is matched
 * as its text), each with a value. Compiled into a tree of segments: a lookup follows a path's segments
 * instead of comparing it with every pattern (the loader asks at every node of the document).
 */
export class PathTable<T> {
  private readonly root: PatternNode<T> = { next: new Map() };

  constructor(entries: Iterable<readonly [string, T]>) {
    let order = 0;
    for (const [pattern, value] of entries) {
      let node = this.root;
      for (const segment of pattern.split(".")) {
        const known = segment === "*" ? node.any : node.next.get(segment);
        const child = known ?? { next: new Map() };
        if (!known) {
          if (segment === "*") node.any = child;
          else node.next.set(segment, child);
        }
        node = child;
      }
      node.found ??= { order, value };
      order++;
    }
  }

  /** The value of the first pattern (in the given order) that matches the whole path. */
  get(path: DocumentPath): T | undefined {
    return find(this.root, path, 0)?.value;
  }
}

function find<T>(node: PatternNode<T>, path: DocumentPath, i: number): PatternNode<T>["found"] {
  if (i === path.length) return node.found;
  const exact = node.next.get(String(path[i]));
  const named = exact && find(exact, path, i + 1);
  const any = node.any && find(node.any, path, i + 1);
  if (!named || !any) return named || any;
  return named.order < any.order ? named : any;
}

/** Patterns without values: whether any matches a path. */
export class PathSet {
  private readonly table: PathTable<true>;

  constructor(patterns: readonly string[]) {
    this.table = new PathTable(patterns.map((p) => [p, true] as const));
  }

  has(path: DocumentPath): boolean {
    return this.table.get(path) === true;
  }
}

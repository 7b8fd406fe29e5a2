// What `stack ls`, `stack ps` and `stack services` read from a swarm manager (docker CLI 20.10's
// cli/command/stack/swarm/{list,ps,services}.go): services and tasks selected by the stack's namespace label,
// and the names tasks are shown with. The engine calls are thin; the shaping is pure and unit-tested.
import type { SwarmApi, SwarmFilter, SwarmNode, SwarmService, SwarmTask } from "../engine/swarm-types.js";
import type { LabelFilter } from "../engine/types.js";
import { stackLabel } from "../labels.js";

/** One row of `stack ls`: a namespace and how many services carry it. */
export interface StackSummary {
  Name: string;
  Services: number;
  Orchestrator: "Swarm";
  Namespace: string;
}

/** A task and what it is shown with: `service.slot` (or `service.nodeID`) and its node's name. */
export interface NamedTask {
  task: SwarmTask;
  /** The task's name, " \_ "-indented when an older task of the same slot precedes it (tables only). */
  name: string;
  node: string;
}

/** The user's `--filter key=value` flags, already split (docker's FilterOpt: key lowercased, both trimmed). */
export type FilterArgs = [key: string, value: string][];

/**
 * docker's opts.FilterOpt.Set: "" is ignored, a value without "=" is refused, the key is lowercased and
 * trimmed, the value trimmed. Returns undefined for the ignored empty value.
 */
export function parseFilterArg(value: string): [string, string] | undefined {
  if (value === "") return undefined;
  const eq = value.indexOf("=");
  if (eq < 0) throw new Error("bad format of filter (expected name=value)");
  return [value.slice(0, eq).trim().toLowerCase(), value.slice(eq + 1).trim()];
}

/** The user's filters plus `label=com.docker.stack.namespace=NAME` (getStackFilterFromOpt). */
export function stackFilter(namespace: string, args: FilterArgs = []): SwarmFilter {
  const filter: SwarmFilter = {};
  const labels: LabelFilter = {};
  for (const [key, value] of args) {
    if (key === "label") {
      const eq = value.indexOf("=");
      if (eq < 0) labels[value] = true;
      else labels[value.slice(0, eq)] = value.slice(eq + 1);
      continue;
    }
    const values = (filter[key] as string[] | undefined) ?? [];
    if (!values.includes(value)) values.push(value);
    filter[key] = values;
  }
  labels[stackLabel.namespace] = namespace;
  filter.label = labels;
  return filter;
}

/** fvbommel/sortorder's NaturalLess: digit runs compared as numbers (fewer leading zeros first), bytewise otherwise. */
export function naturalLess(a: string, b: string): boolean {
  const s1 = Buffer.from(a);
  const s2 = Buffer.from(b);
  const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
  let i1 = 0;
  let i2 = 0;
  while (i1 < s1.length && i2 < s2.length) {
    const c1 = s1[i1] as number;
    const c2 = s2[i2] as number;
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i1++;
      i2++;
      continue;
    }
    while (i1 < s1.length && s1[i1] === 0x30) i1++;
    while (i2 < s2.length && s2[i2] === 0x30) i2++;
    const nz1 = i1;
    const nz2 = i2;
    while (i1 < s1.length && isDigit(s1[i1])) i1++;
    while (i2 < s2.length && isDigit(s2[i2])) i2++;
    if (i1 - nz1 !== i2 - nz2) return i1 - nz1 < i2 - nz2;
    const n1 = s1.subarray(nz1, i1).toString("latin1");
    const n2 = s2.subarray(nz2, i2).toString("latin1");
    if (n1 !== n2) return n1 < n2;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return s1.length < s2.length;
}

const naturalCompare = (a: string, b: string) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0);

/** The stacks among services that carry the namespace label, counted and sorted by name (GetStacks, RunList). */
export function groupStacks(services: readonly SwarmService[]): StackSummary[] {
  const byName = new Map<string, StackSummary>();
  for (const service of services) {
    const name = service.Spec.Labels?.[stackLabel.namespace];
    if (name === undefined) {
      throw new Error(`cannot get label ${stackLabel.namespace} for service ${service.ID}`);
    }
    const stack = byName.get(name);
    if (stack) stack.Services++;
    else byName.set(name, { Name: name, Services: 1, Orchestrator: "Swarm", Namespace: "" });
  }
  return [...byName.values()].sort((a, b) => naturalCompare(a.Name, b.Name));
}

/** Services sorted by name, as `stack services` lists them. */
export function sortServices(services: readonly SwarmService[]): SwarmService[] {
  return [...services].sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name));
}

/** An RFC 3339 timestamp with nanoseconds as one comparable number of nanoseconds. */
function nanosOf(timestamp: string): bigint {
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!match) return 0n;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return 0n;
  const fraction = (match[2] ?? "").slice(0, 9).padEnd(9, "0");
  return BigInt(seconds) * 1_000_000n + BigInt(fraction);
}

/** Node names as the docker CLI's IDResolver finds them: the node's Spec name, else its hostname. */
export function nodeNames(nodes: readonly SwarmNode[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const node of nodes) {
    const spec = node.Spec as { Name?: string } | undefined;
    const name = spec?.Name || node.Description?.Hostname || node.ID;
    names.set(node.ID, name);
  }
  return names;
}

/**
 * task.Print's ordering and names: each task named `service.slot` (a global service's `service.nodeID`),
 * sorted by name (natural order), the newest first within a slot; in a table, older tasks of a slot are
 * indented with " \_ ". Unknown services and nodes (or --no-resolve) show their IDs.
 */
export function nameTasks(
  tasks: readonly SwarmTask[],
  services: ReadonlyMap<string, string>,
  nodes: ReadonlyMap<string, string>,
  options: { resolve: boolean; table: boolean },
): NamedTask[] {
  const named = tasks.map((task) => {
    const service = (options.resolve && services.get(task.ServiceID)) || task.ServiceID;
    const node = task.NodeID ?? "";
    return {
      task,
      name: task.Slot ? `${service}.${task.Slot}` : `${service}.${node}`,
      node: options.resolve ? (nodes.get(node) ?? node) : node,
    };
  });
  const created = new Map(named.map((t) => [t, nanosOf(t.task.CreatedAt)]));
  named.sort((a, b) => {
    if (a.name !== b.name) return naturalCompare(a.name, b.name);
    const ca = created.get(a) ?? 0n;
    const cb = created.get(b) ?? 0n;
    return ca > cb ? -1 : ca < cb ? 1 : 0;
  });
  let previous = "";
  return named.map((t) => {
    const indented = options.table && t.name === previous ? ` \\_ ${t.name}` : t.name;
    previous = t.name;
    return { ...t, name: indented };
  });
}

type ReadApi = Pick<SwarmApi, "listServices" | "listTasks" | "listNodes" | "inspectService">;

/** `stack ls`: every service with a namespace label, grouped. */
export async function listStacks(engine: ReadApi): Promise<StackSummary[]> {
  return groupStacks(await engine.listServices({ label: { [stackLabel.namespace]: true } }));
}

/** `stack services`: the stack's services with their task counts (unless quiet), sorted by name. */
export async function stackServices(
  engine: ReadApi,
  namespace: string,
  args: FilterArgs,
  quiet: boolean,
): Promise<SwarmService[]> {
  return sortServices(await engine.listServices(stackFilter(namespace, args), { status: !quiet }));
}

/** `stack ps`: the stack's tasks matching the filters, named and ordered as task.Print shows them. */
export async function stackTasks(
  engine: ReadApi,
  namespace: string,
  args: FilterArgs,
  options: { resolve: boolean; table: boolean },
): Promise<NamedTask[]> {
  const tasks = await engine.listTasks(stackFilter(namespace, args));
  if (tasks.length === 0) return [];
  const services = new Map<string, string>();
  const nodes = new Map<string, string>();
  if (options.resolve) {
    const [stackServiceList, nodeList] = await Promise.all([
      engine.listServices({ label: { [stackLabel.namespace]: namespace } }),
      engine.listNodes(),
    ]);
    for (const s of stackServiceList) services.set(s.ID, s.Spec.Name);
    for (const [id, name] of nodeNames(nodeList)) nodes.set(id, name);
    // A task whose service is gone or relabelled: asked by ID, as the CLI's resolver does.
    const missing = [...new Set(tasks.map((t) => t.ServiceID))].filter((id) => !services.has(id));
    await Promise.all(
      missing.map(async (id) => {
        const service = await engine.inspectService(id).catch(() => undefined);
        if (service) services.set(id, service.Spec.Name);
      }),
    );
  }
  return nameTasks(tasks, services, nodes, options);
}

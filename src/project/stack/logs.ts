// `stack logs NAME [SERVICE...]` (tcompose's own; docker has `service logs` only): the logs of the stack's
// services, from GET /services/{id}/logs with details, each line printed by the LogPrinter of `tcompose logs`.
//
// The prefix names the task the way `tcompose logs` names a container, without the stack: `web-1` for slot 1
// of NAME_web (compose's container NAME-web-1), `web@node2` for the task of a global service on node2 (its
// tasks have no slot; docker's `service logs` says `NAME_web.0.TASKID@node2`). Tasks that replaced one
// another in a slot share its name, as a restarted container keeps its name. With -t the timestamp follows
// the prefix, as in `tcompose logs` (docker's `service logs` puts it first).
// With -f every service is followed until the command is interrupted: the swarm streams the lines of tasks
// that start later (scaling, restarts) on the same request; services added to the stack meanwhile are not.
import type { Engine, LogStream, SwarmNode, SwarmService, SwarmTask } from "../engine/types.js";
import { stackLabel } from "../labels.js";

export interface ServiceLogLine {
  /** The engine's RFC 3339 time of the line (with `timestamps`). */
  timestamp?: string;
  /** com.docker.swarm.task.id, .node.id, .service.id and any details of the log driver. */
  details: Record<string, string>;
  text: string;
}

/**
 * One line of a service's log as the engine sends it with `details` (and `timestamps`):
 * `[TIMESTAMP ]k=v,k=v TEXT`, the values query-escaped. A line without the parts asked for is all text.
 */
export function parseServiceLogLine(line: string, timestamps: boolean): ServiceLogLine {
  let rest = line;
  let timestamp: string | undefined;
  if (timestamps) {
    const space = rest.indexOf(" ");
    if (space < 0) return { details: {}, text: line };
    timestamp = rest.slice(0, space);
    rest = rest.slice(space + 1);
  }
  const space = rest.indexOf(" ");
  const head = space < 0 ? rest : rest.slice(0, space);
  const details: Record<string, string> = {};
  if (head !== "") {
    for (const pair of head.split(",")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) return { ...(timestamp !== undefined ? { timestamp } : {}), details: {}, text: rest };
      details[unescapeQuery(pair.slice(0, eq))] = unescapeQuery(pair.slice(eq + 1));
    }
  }
  return {
    ...(timestamp !== undefined ? { timestamp } : {}),
    details,
    text: space < 0 ? "" : rest.slice(space + 1),
  };
}

/** Go's url.QueryUnescape ("+" is a space); a malformed escape is kept as written. */
function unescapeQuery(text: string): string {
  const spaced = text.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** The service's name within its stack: `web` for `NAME_web` (a name without the prefix stays whole). */
export function shortServiceName(namespace: string, serviceName: string): string {
  const prefix = `${namespace}_`;
  return serviceName.startsWith(prefix) && serviceName.length > prefix.length
    ? serviceName.slice(prefix.length)
    : serviceName;
}

/** `web-1` for a slot, `web@node` for a global service's task (node hostname, else the node's ID). */
export function taskLogName(
  service: string,
  task: Pick<SwarmTask, "Slot" | "NodeID">,
  node?: string,
): string {
  if (task.Slot) return `${service}-${task.Slot}`;
  const where = node || task.NodeID?.slice(0, 12);
  return where ? `${service}@${where}` : service;
}

/** The names to register up front, ordered by service then slot (node for global tasks), no repeats. */
export function orderedTaskNames(
  tasks: readonly { service: string; name: string; slot: number }[],
): string[] {
  const sorted = [...tasks].sort((a, b) =>
    a.service !== b.service
      ? a.service < b.service
        ? -1
        : 1
      : a.slot !== b.slot
        ? a.slot - b.slot
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
  );
  return [...new Set(sorted.map((t) => t.name))];
}

/**
 * The stack's services to read: all of them, or those named (by their name in the stack, `web`, or the
 * full `NAME_web`). Throws the message for a stack without services or an unknown service.
 */
export function selectServices(
  namespace: string,
  services: readonly SwarmService[],
  names: readonly string[],
): SwarmService[] {
  if (services.length === 0) throw new StackLogsError(`nothing found in stack: ${namespace}`);
  const sorted = [...services].sort((a, b) => (a.Spec.Name < b.Spec.Name ? -1 : 1));
  if (names.length === 0) return sorted;
  const missing = names.filter(
    (n) => !sorted.some((s) => s.Spec.Name === n || shortServiceName(namespace, s.Spec.Name) === n),
  );
  if (missing.length > 0) throw new StackLogsError(`no such service: ${missing.join(", ")}`);
  return sorted.filter((s) =>
    names.some((n) => s.Spec.Name === n || shortServiceName(namespace, s.Spec.Name) === n),
  );
}

export class StackLogsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackLogsError";
  }
}

/** The part of the LogPrinter (src/cli/render/log-printer.ts) the stack's logs are printed with. */
export interface LinePrinter {
  register(...names: string[]): void;
  lines(name: string, lines: readonly string[]): void;
  track(source: LogStream): () => void;
  flush(): void;
}

export interface StackLogOptions {
  follow: boolean;
  tail?: string;
  since?: string;
  timestamps?: boolean;
}

/** Prints the selected services' logs; resolves when every stream has ended. */
export async function printStackLogs(
  engine: Engine,
  namespace: string,
  serviceNames: readonly string[],
  printer: LinePrinter,
  options: StackLogOptions,
): Promise<void> {
  const all = await engine.listServices({ label: { [stackLabel.namespace]: namespace } });
  const services = selectServices(namespace, all, serviceNames);
  const shortOf = new Map(services.map((s) => [s.ID, shortServiceName(namespace, s.Spec.Name)]));
  const [tasks, nodes] = await Promise.all([
    engine.listTasks({ service: services.map((s) => s.ID) }),
    engine.listNodes(),
  ]);
  const hostOf = new Map(nodes.map((n: SwarmNode) => [n.ID, n.Description?.Hostname ?? ""]));
  const nameOfTask = new Map<string, string>();
  const nameTask = (task: SwarmTask): string => {
    const name = taskLogName(shortOf.get(task.ServiceID) ?? "", task, hostOf.get(task.NodeID ?? ""));
    nameOfTask.set(task.ID, name);
    return name;
  };
  printer.register(
    ...orderedTaskNames(
      tasks
        .filter((t) => shortOf.has(t.ServiceID))
        .map((t) => ({ service: shortOf.get(t.ServiceID) ?? "", slot: t.Slot ?? 0, name: nameTask(t) })),
    ),
  );
  // A task started after the listing (-f): looked up once, its lines wait for the answer.
  const lookups = new Map<string, Promise<string | undefined>>();
  const lookUp = (taskId: string): Promise<string | undefined> => {
    let found = lookups.get(taskId);
    if (!found) {
      found = engine.listTasks({ id: [taskId] }).then(
        (listed) => {
          const task = listed.find((t) => t.ID === taskId);
          return task ? nameTask(task) : undefined;
        },
        () => undefined,
      );
      lookups.set(taskId, found);
    }
    return found;
  };

  const request = {
    follow: options.follow,
    details: true,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.timestamps ? { timestamps: true } : {}),
  };
  await Promise.all(
    services.map(async (service) => {
      const fallback = shortOf.get(service.ID) ?? service.Spec.Name;
      // Each of the engine's messages is one line ending in "\n"; the chunks may cut anywhere.
      const partial = { stdout: "", stderr: "" };
      const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
      // Lines of a task started after the listing wait for its lookup, and the lines after them too.
      let backlog: Promise<void> | undefined;
      const print = (line: string): Promise<void> | undefined => {
        const parsed = parseServiceLogLine(line, Boolean(options.timestamps));
        const text = parsed.timestamp !== undefined ? `${parsed.timestamp} ${parsed.text}` : parsed.text;
        const taskId = parsed.details["com.docker.swarm.task.id"];
        const known = taskId ? nameOfTask.get(taskId) : fallback;
        if (known !== undefined) {
          printer.lines(known, [text]);
          return undefined;
        }
        return lookUp(taskId as string).then((name) => printer.lines(name ?? fallback, [text]));
      };
      const emit = (line: string) => {
        if (backlog) backlog = backlog.then(() => print(line));
        else {
          const pending = print(line);
          if (!pending) return;
          backlog = pending;
        }
        const mine = backlog;
        void mine.then(() => {
          if (backlog === mine) backlog = undefined;
        });
      };
      const onChunk = (kind: "stdout" | "stderr", chunk: Buffer) => {
        const text = partial[kind] + decoders[kind].decode(chunk, { stream: true });
        const lines = text.split("\n");
        partial[kind] = lines.pop() ?? "";
        for (const line of lines) emit(line);
      };
      // With a TTY the engine sends the same lines (details too) unframed, as the spec tells the engine layer.
      const tty = Boolean(service.Spec.TaskTemplate.ContainerSpec.TTY);
      const stream = await engine.serviceLogs(service.ID, { ...request, tty }, onChunk);
      const untrack = printer.track(stream);
      try {
        await stream.done;
      } finally {
        untrack();
        for (const kind of ["stdout", "stderr"] as const) {
          const rest = partial[kind] + decoders[kind].decode();
          if (rest) emit(rest);
        }
        await backlog;
        printer.flush();
      }
    }),
  );
}

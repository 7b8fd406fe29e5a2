// `stack rm NAME…` (cli/command/stack/swarm/remove.go of the docker CLI 20.10): per stack, everything carrying
// its namespace label is removed in docker's order: services (by name), secrets, configs, networks, one
// "Removing <kind> <name>" line each. A stack with nothing is reported on stderr and is no error; a stack
// where something could not be removed is, after the other stacks were handled.
// Like docker 20.10 this does not wait for the tasks to stop by default: the nodes remove the containers
// (and their ends of the overlay networks) shortly after. docker 28's `--detach=false` waits; here it waits
// until no task and no network of the stack is listed any more (docker 28 stops at tasks in a final state).
// Deliberate differences: a failure line ends with its newline (docker 20.10 leaves it out, so the next
// line runs into it), and an object already gone when its turn comes counts as removed.
import { setTimeout as sleep } from "node:timers/promises";
import { EngineError } from "../engine/errors.js";
import type { Engine, NetworkSummary, SwarmDataObject, SwarmService } from "../engine/types.js";
import { stackLabel } from "../labels.js";

export type StackObjectKind = "service" | "secret" | "config" | "network";

export interface StackObject {
  kind: StackObjectKind;
  id: string;
  name: string;
}

export interface StackContents {
  services: readonly Pick<SwarmService, "ID" | "Spec">[];
  secrets: readonly Pick<SwarmDataObject, "ID" | "Spec">[];
  configs: readonly Pick<SwarmDataObject, "ID" | "Spec">[];
  networks: readonly Pick<NetworkSummary, "id" | "name">[];
}

/**
 * docker's checks of a stack name: empty once the whitespace and quotes around it are cut off, it is
 * refused (`invalid stack name: "…"`, with Go's %q quoting). Returns the error, or undefined.
 */
export function invalidStackName(name: string): string | undefined {
  if (name.replace(/^[\s"']+|[\s"']+$/gu, "") !== "") return undefined;
  return `invalid stack name: ${goQuote(name)}`;
}

/** Go's %q of a string (strconv.Quote) for the characters a stack name can hold. */
function goQuote(text: string): string {
  const escapes: Record<string, string> = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\v": "\\v",
    "\f": "\\f",
  };
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (escapes[ch]) out += escapes[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** What goes, in docker's order: services sorted by name, then secrets, configs, networks as listed. */
export function removalOrder(contents: StackContents): StackObject[] {
  const services = [...contents.services].sort((a, b) =>
    a.Spec.Name < b.Spec.Name ? -1 : a.Spec.Name > b.Spec.Name ? 1 : 0,
  );
  return [
    ...services.map((s) => ({ kind: "service" as const, id: s.ID, name: s.Spec.Name })),
    ...contents.secrets.map((s) => ({ kind: "secret" as const, id: s.ID, name: s.Spec.Name })),
    ...contents.configs.map((c) => ({ kind: "config" as const, id: c.ID, name: c.Spec.Name })),
    ...contents.networks.map((n) => ({ kind: "network" as const, id: n.id, name: n.name })),
  ];
}

/** Everything of the stack on the engine (the namespace label's value is the stack's name). */
export async function stackContents(
  engine: Engine,
  namespace: string,
): Promise<{
  services: SwarmService[];
  secrets: SwarmDataObject[];
  configs: SwarmDataObject[];
  networks: NetworkSummary[];
}> {
  const filter = { label: { [stackLabel.namespace]: namespace } };
  const [services, networks, secrets, configs] = await Promise.all([
    engine.listServices(filter),
    engine.listNetworks({ [stackLabel.namespace]: namespace }),
    engine.listSecrets(filter),
    engine.listConfigs(filter),
  ]);
  return { services, networks, secrets, configs };
}

export interface RemoveOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The engine's words for a refusal, as docker prints them ("Error response from daemon: …"). */
function refusal(error: unknown, resource: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const own = message.startsWith(`${resource}: `) ? message.slice(resource.length + 2) : message;
  return `Error response from daemon: ${own}`;
}

/** Removes one object; false (with the reason on stderr) when the engine refused. */
async function removeOne(engine: Engine, object: StackObject, out: RemoveOutput): Promise<boolean> {
  out.stdout(`Removing ${object.kind} ${object.name}\n`);
  const resource = `${object.kind} ${object.id}`;
  try {
    let result: "removed" | "missing" | "in-use";
    switch (object.kind) {
      case "service":
        result = await engine.removeService(object.id);
        break;
      case "secret":
        result = await engine.removeSecret(object.id);
        break;
      case "config":
        result = await engine.removeConfig(object.id);
        break;
      case "network":
        await engine.removeNetwork(object.id);
        result = "removed";
        break;
    }
    if (result !== "in-use") return true;
    out.stderr(`Failed to remove ${resource}: ${object.kind} ${object.name} is in use\n`);
  } catch (error) {
    // Listed a moment ago (a node's copy of a network lingers after the swarm removed it), gone now.
    if (error instanceof EngineError && error.statusCode === 404) return true;
    out.stderr(`Failed to remove ${resource}: ${refusal(error, resource)}\n`);
  }
  return false;
}

/**
 * Removes each stack in turn. Resolves with the error message docker ends with ("Failed to remove some
 * resources from stack: NAME", one line per such stack), or undefined when all went.
 */
export async function removeStacks(
  engine: Engine,
  namespaces: readonly string[],
  out: RemoveOutput,
  options: { wait?: boolean } = {},
): Promise<string | undefined> {
  const failed: string[] = [];
  for (const namespace of namespaces) {
    const objects = removalOrder(await stackContents(engine, namespace));
    if (objects.length === 0) {
      out.stderr(`Nothing found in stack: ${namespace}\n`);
      continue;
    }
    let ok = true;
    // One at a time, in order: a secret or network goes only once the services using it are gone.
    for (const object of objects) ok = (await removeOne(engine, object, out)) && ok;
    if (!ok) failed.push(`Failed to remove some resources from stack: ${namespace}`);
    else if (options.wait) {
      try {
        await waitGone(engine, namespace);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failed.push(`Failed to wait on tasks of stack: ${namespace}: ${message}`);
      }
    }
  }
  return failed.length > 0 ? failed.join("\n") : undefined;
}

/** Until the swarm lists no task and no network of the stack (its containers are then gone from the nodes). */
async function waitGone(engine: Engine, namespace: string): Promise<void> {
  for (;;) {
    const [tasks, networks] = await Promise.all([
      engine.listTasks({ label: { [stackLabel.namespace]: namespace } }),
      engine.listNetworks({ [stackLabel.namespace]: namespace }),
    ]);
    if (tasks.length === 0 && networks.length === 0) return;
    await sleep(250);
  }
}

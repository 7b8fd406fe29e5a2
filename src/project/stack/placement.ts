// Placement constraints checked against the swarm's nodes before anything is written (beyond docker stack
// deploy, whose tasks stay pending with "no suitable node"). The constraint language is swarmkit's
// (manager/constraint): `KEY==VALUE` or `KEY!=VALUE`, values compared without regard to case, on node.id,
// node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.NAME and engine.labels.NAME.
import type { SwarmNode } from "../engine/types.js";
import type { StackService } from "./convert.js";

interface Constraint {
  key: string;
  equal: boolean;
  value: string;
}

function parseConstraint(text: string): Constraint | undefined {
  const m = /^\s*([\w.-]+)\s*(==|!=)\s*(.*?)\s*$/.exec(text);
  if (!m) return undefined;
  return { key: m[1] ?? "", equal: m[2] === "==", value: m[3] ?? "" };
}

/** The node's value for a constraint key; undefined for a key tcompose does not know (the engine judges it). */
function nodeValue(node: SwarmNode, key: string): string | null | undefined {
  const lower = key.toLowerCase();
  if (lower === "node.id") return node.ID;
  if (lower === "node.hostname") return node.Description?.Hostname ?? "";
  if (lower === "node.role") return node.Spec?.Role ?? "";
  if (lower === "node.platform.os") return node.Description?.Platform?.OS ?? "";
  if (lower === "node.platform.arch") return node.Description?.Platform?.Architecture ?? "";
  if (lower.startsWith("node.labels.")) return node.Spec?.Labels?.[key.slice("node.labels.".length)] ?? null;
  if (lower.startsWith("engine.labels.")) {
    return node.Description?.Engine?.Labels?.[key.slice("engine.labels.".length)] ?? null;
  }
  return undefined;
}

/** Whether a node meets every constraint (a missing label meets only `!=`); undefined when unknowable. */
export function nodeMeets(node: SwarmNode, constraints: string[]): boolean | undefined {
  for (const text of constraints) {
    const c = parseConstraint(text);
    if (!c) return undefined;
    const value = nodeValue(node, c.key);
    if (value === undefined) return undefined;
    const same = value !== null && value.toLowerCase() === c.value.toLowerCase();
    if (same !== c.equal) return false;
  }
  return true;
}

/** One message per replicated service no node can run: it names the service and its constraints. */
export function unsatisfiedPlacements(services: StackService[], nodes: SwarmNode[]): string[] {
  const errors: string[] = [];
  for (const s of services) {
    const constraints = s.spec.TaskTemplate.Placement?.Constraints ?? [];
    if (constraints.length === 0 || s.spec.Mode?.Global || s.spec.Mode?.GlobalJob) continue;
    const verdicts = nodes.map((n) => nodeMeets(n, constraints));
    if (verdicts.some((v) => v !== false)) continue;
    errors.push(
      `service "${s.key}": no node satisfies the placement constraints [${constraints.join(", ")}] (${nodes.length} node${nodes.length === 1 ? "" : "s"})`,
    );
  }
  return errors;
}

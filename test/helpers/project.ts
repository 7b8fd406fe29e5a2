import { randomBytes } from "node:crypto";
import type { Engine } from "../../src/project/engine/index.js";
import { projectFilter } from "../../src/project/labels.js";
import { lockName } from "../../src/project/lock.js";

/** A project name no other test (or run) uses, so tests can run in parallel and leave no clashes. */
export function uniqueProjectName(prefix: string): string {
  return `tct-${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * Removes every container and network labelled with the project. Tests call it in afterEach/finally so
 * a failing test leaves nothing on the engine.
 */
export async function removeProject(engine: Engine, project: string): Promise<void> {
  // The project lock a killed CLI leaves (it carries no project label).
  await engine.removeContainer(lockName(project), { force: true }).catch(() => {});
  const filter = projectFilter(project);
  const containers = await engine.listContainers(filter, { all: true });
  await Promise.all(containers.map((c) => engine.removeContainer(c.id, { force: true, volumes: true })));
  const networks = await engine.listNetworks(filter);
  await Promise.all(networks.map((n) => engine.removeNetwork(n.id)));
  const volumes = await engine.listVolumes(filter);
  await Promise.all(volumes.map((v) => engine.removeVolume(v.name, true)));
}

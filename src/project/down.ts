// `down`: observe what the engine holds for the project, plan the removals (src/project/plan/down.ts), apply
// the plan (src/project/apply.ts); `--dry-run` stops after the plan (src/cli/commands/up.ts).
import { applyPlan } from "./apply.js";
import type { Engine } from "./engine/types.js";
import type { Project } from "./load/index.js";
import { type DownOptions as DownPlanOptions, observeDown, planDown } from "./plan/down.js";
import type { Progress } from "./progress.js";

export interface DownOptions extends DownPlanOptions {
  timeout?: number;
  concurrency?: number;
}

export interface DownContext {
  engine: Engine;
  name: string;
  project?: Project;
  progress: Progress;
  /** Lines the reference prints on stderr outside the progress view. */
  warn: (text: string) => void;
}

export async function downProject(context: DownContext, options: DownOptions = {}): Promise<void> {
  const { engine, name, project } = context;
  const observed = await observeDown(engine, name, project, options);
  const plan = planDown({ name, ...(project ? { project } : {}), observed, options });
  const { missing } = await applyPlan(
    { engine, ...(project ? { project } : {}), progress: context.progress, warn: context.warn },
    plan,
    {
      imageIds: {},
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    },
  );
  if (!options.services?.length && observed.containers.length === 0 && nothingToRemove(plan, missing)) {
    context.warn(`Warning: No resource found to remove for project "${name}".\n`);
  }
}

/** No container or network to remove, and every volume and image to remove was missing. */
export function nothingToRemove(plan: ReturnType<typeof planDown>, missing: ReadonlySet<number>): boolean {
  return plan.actions.every(
    (a) => (a.kind === "remove volume" || a.kind === "remove image") && missing.has(a.n),
  );
}

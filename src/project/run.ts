// `run`: a one-off container of a service (pkg/compose/run.go and cmd/compose/run.go, 2.26): the images of
// the service and its dependencies made first, its dependencies converged, started and ready (unless
// --no-deps), then the one-off container (src/project/plan/one-off.ts) created and started. One plan
// (planUp with `oneOff`), carried out by apply; `--dry-run` prints it. Attaching and waiting are the CLI's.
import { type UpContext, UpError } from "./apply.js";
import type { Engine } from "./engine/types.js";
import type { Project } from "./load/index.js";
import { servicesOf, targetServices } from "./plan/desired.js";
import { observe } from "./plan/observed.js";
import { type OneOffName, oneOffName, type RunOptions } from "./plan/one-off.js";
import { type Plan, type PlanOptions, planUp } from "./plan/plan.js";
import { ReadinessWatch } from "./readiness.js";
import { ensureImages } from "./up.js";

export type { RunOptions } from "./plan/one-off.js";

export interface OneOff {
  id: string;
  name: string;
}

/** The services run acts on besides the one-off's: its dependencies, unless --no-deps. */
function dependenciesOf(project: Project, options: RunOptions): string[] {
  if (!servicesOf(project)[options.service]) throw new UpError(`no such service: ${options.service}`);
  return options.noDeps
    ? []
    : targetServices(project, [options.service]).filter((s) => s !== options.service);
}

function runPlanOptions(options: RunOptions, dependencies: string[], name: OneOffName): PlanOptions {
  return {
    targets: dependencies,
    start: dependencies.length > 0,
    oneOff: { service: options.service, name: name.name },
    ...(options.removeOrphans ? { removeOrphans: true } : {}),
    ...(options.build ? { build: true } : {}),
  };
}

/** `run --dry-run`: the plan from engine reads alone. */
export async function planRun(engine: Engine, project: Project, options: RunOptions): Promise<Plan> {
  const dependencies = dependenciesOf(project, options);
  const observed = await observe(engine, project, [...dependencies, options.service], { details: true });
  return planUp({
    project,
    observed,
    options: runPlanOptions(options, dependencies, oneOffName(project.name, options)),
    apiVersion: engine.apiVersion,
  });
}

/**
 * Makes the images, converges and starts the dependencies, creates the one-off container and starts it,
 * calling `beforeStart` (attach) first.
 */
export async function runOneOff(
  context: UpContext,
  options: RunOptions,
  beforeStart?: (id: string) => Promise<void>,
): Promise<OneOff> {
  const { engine, project } = context;
  const dependencies = dependenciesOf(project, options);
  const name = oneOffName(project.name, options);
  const watch = dependencies.length > 0 ? await ReadinessWatch.open(engine, project.name) : undefined;
  try {
    const targets = [...dependencies, options.service];
    const observed = await observe(engine, project, targets);
    const imageOptions = {
      ...(options.quietPull ? { quietPull: true } : {}),
      ...(options.build ? { build: true } : {}),
    };
    const imageIds = await ensureImages(context, targets, imageOptions, observed);
    const plan = planUp({
      project,
      observed,
      options: { ...runPlanOptions(options, dependencies, name), images: imageIds },
      apiVersion: engine.apiVersion,
    });
    for (const warning of plan.warnings) context.warn(warning);
    const { applyPlan } = await import("./apply.js");
    const applied = await applyPlan(context, plan, {
      imageIds,
      oneOff: { options, name, ...(beforeStart ? { beforeStart } : {}) },
      ...(watch ? { watch, start: {} } : {}),
    });
    if (!applied.oneOff) throw new Error("run: the one-off container was not created");
    return { id: applied.oneOff, name: name.name };
  } finally {
    watch?.close();
  }
}

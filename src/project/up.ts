// `up` and `create`: from the loaded project to containers on the engine, converged like the reference's
// (pkg/compose/create.go, convergence.go, start.go, 2.26): observe what the engine holds, pull and build
// the images the services need, plan what must change and why (src/project/plan/), apply the plan
// (src/project/apply.ts). `--dry-run` stops after the plan (src/cli/commands/up.ts).
import { applyPlan, type Converged, type StartOptions, type UpContext } from "./apply.js";
import type { RecreatePolicy } from "./converge.js";
import type { Engine } from "./engine/types.js";
import type { Project } from "./load/index.js";
import { imageOf, servicesOf, targetServices } from "./plan/desired.js";
import { type Observed, observe } from "./plan/observed.js";
import { type Plan, type PlanOptions, planImages, planUp } from "./plan/plan.js";
import { ReadinessWatch } from "./readiness.js";

export interface CreateOptions {
  /** Services named on the command line (none: all). */
  services?: string[];
  noDeps?: boolean;
  /** For the named services. */
  recreate?: RecreatePolicy;
  /** For their dependencies. */
  recreateDependencies?: RecreatePolicy;
  removeOrphans?: boolean;
  ignoreOrphans?: boolean;
  /** --scale svc=N */
  scale?: Record<string, number>;
  /** Seconds for stopping containers being replaced or removed (-t). */
  timeout?: number;
  /** False with --renew-anon-volumes: recreated containers get new anonymous volumes. */
  inherit?: boolean;
  /** --pull: overrides every service's pull_policy. */
  pull?: "always" | "missing" | "never" | "policy";
  quietPull?: boolean;
  /** --build: build every service that has a build section; false with --no-build. */
  build?: boolean;
  /** --parallel */
  concurrency?: number;
  /** Exactly these services (may be none: networks and volumes only), bypassing the selection above. */
  targets?: string[];
  /**
   * Start too (`up`): each service is started as soon as it is created and its dependencies are started
   * and ready, while other services may still be being created.
   */
  start?: StartOptions;
}

/** The plan's options for `up`/`create` with these options, acting on `targets`. */
export function planOptions(options: CreateOptions, targets: string[]): PlanOptions {
  return {
    targets,
    ...(options.services?.length ? { named: options.services } : {}),
    ...(options.recreate ? { recreate: options.recreate } : {}),
    ...(options.recreateDependencies ? { recreateDependencies: options.recreateDependencies } : {}),
    ...(options.removeOrphans ? { removeOrphans: true } : {}),
    ...(options.ignoreOrphans ? { ignoreOrphans: true } : {}),
    ...(options.scale ? { scale: options.scale } : {}),
    ...(options.pull ? { pull: options.pull } : {}),
    ...(options.build !== undefined ? { build: options.build } : {}),
  };
}

/**
 * `up --dry-run` / `create --dry-run`: the plan from engine reads alone, images to pull or build included,
 * each container's inspect data read to name the fields a recreate changes.
 */
export async function planProject(
  engine: Engine,
  project: Project,
  options: CreateOptions,
  extra: { start: boolean; wait: boolean; envFileFlag?: string[] },
): Promise<Plan> {
  const targets = options.targets ?? targetServices(project, options.services, options.noDeps);
  const observed = await observe(engine, project, targets, { details: true });
  return planUp({
    project,
    observed,
    options: { ...planOptions(options, targets), start: extra.start, wait: extra.wait },
    apiVersion: engine.apiVersion,
    ...(extra.envFileFlag?.length ? { envFileFlag: extra.envFileFlag } : {}),
  });
}

export async function createProject(context: UpContext, options: CreateOptions = {}): Promise<Converged> {
  // The events subscription is opened while images, networks and volumes are made, not after them, and
  // closed however the rest ends.
  const watching = options.start ? ReadinessWatch.open(context.engine, context.project.name) : undefined;
  watching?.catch(() => {});
  try {
    const { engine, project } = context;
    const targets = options.targets ?? targetServices(project, options.services, options.noDeps);
    const observed = await observe(engine, project, targets);
    const imageIds = await ensureImages(context, targets, options, observed);
    const plan = planUp({
      project,
      observed,
      options: { ...planOptions(options, targets), start: options.start !== undefined, images: imageIds },
      apiVersion: engine.apiVersion,
      ...(context.envFileFlag?.length ? { envFileFlag: context.envFileFlag } : {}),
    });
    for (const warning of plan.warnings) context.warn(warning);
    const watch = await watching;
    const converged = await applyPlan(context, plan, {
      imageIds,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.inherit === false ? { inherit: false } : {}),
      ...(options.start ? { start: options.start } : {}),
      ...(watch ? { watch } : {}),
    });
    return { ...converged, services: targets };
  } finally {
    (await watching?.catch(() => undefined))?.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// images

/**
 * The images of the services, made first (the reference's ensureImagesExists): the pulls and builds the
 * plan asks for, carried out by apply; resolves with each service's image id (made, or found).
 */
export async function ensureImages(
  context: UpContext,
  targets: readonly string[],
  options: CreateOptions,
  seen: Observed,
): Promise<Record<string, string>> {
  const { engine, project } = context;
  const plan = planImages({
    project,
    observed: seen,
    options: planOptions(options, [...targets]),
    apiVersion: engine.apiVersion,
  });
  const made =
    plan.actions.length > 0
      ? (
          await applyPlan(context, plan, {
            imageIds: {},
            ...(options.quietPull ? { quietPull: true } : {}),
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          })
        ).images
      : {};
  const services = servicesOf(project);
  const ids: Record<string, string> = {};
  await Promise.all(
    targets.map(async (name) => {
      const ref = imageOf(project, name, services[name] ?? {});
      const changed = plan.actions.some((a) => a.resource === ref);
      // Asked of the engine again only for an image this run pulled or built for another service.
      const id = made[name] ?? (changed ? (await engine.inspectImage(ref))?.id : seen.images.get(ref)?.id);
      if (id) ids[name] = id;
    }),
  );
  return ids;
}

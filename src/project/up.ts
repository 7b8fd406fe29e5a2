// `up` and `create`: from the loaded project to containers on the engine, converged like the reference's
// (pkg/compose/create.go, convergence.go, start.go, 2.26): observe what the engine holds, pull and build
// the images the services need, plan what must change and why (src/project/plan/), apply the plan
// (src/project/apply.ts). `--dry-run` stops after the plan (src/cli/commands/up.ts).
import { applyPlan, type Converged, type StartOptions, type UpContext, UpError } from "./apply.js";
import type { RecreatePolicy } from "./converge.js";
import type { Engine } from "./engine/types.js";
import type { Project } from "./load/index.js";
import { imageOf, servicesOf, targetServices } from "./plan/desired.js";
import { observe } from "./plan/observed.js";
import { type Plan, type PlanOptions, planUp } from "./plan/plan.js";
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
    const observed = await observe(engine, project, targets, { images: false });
    const imageIds = await ensureImages(context, targets, options);
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

export async function ensureImages(
  context: UpContext,
  targets: readonly string[],
  options: CreateOptions,
): Promise<Record<string, string>> {
  const { engine, project, progress } = context;
  const services = servicesOf(project);
  for (const name of targets) {
    const service = services[name] ?? {};
    if (service.build === undefined && typeof service.image !== "string") {
      throw new UpError(`invalid service "${name}". Must specify either image or build`);
    }
  }
  // Pull what the policy asks for (ensureImagesExists → pullRequiredImages), then build what has a build
  // section and still no image, or must be built (--build, pull_policy: build).
  const { pullServices, PullError } = await import("./pull.js");
  try {
    await pullServices(
      engine,
      project,
      targets,
      {
        forUp: true,
        ...(options.pull && options.pull !== "policy" ? { policy: options.pull } : {}),
        ...(options.quietPull ? { quiet: true } : {}),
      },
      progress,
    );
  } catch (error) {
    if (error instanceof PullError) throw new UpError(error.message);
    throw error;
  }
  const ids: Record<string, string> = {};
  const toBuild: string[] = [];
  await Promise.all(
    targets.map(async (name) => {
      const service = services[name] ?? {};
      const local = await engine.inspectImage(imageOf(project, name, service));
      const hasBuild = service.build !== undefined;
      const forced = options.build === true || service.pull_policy === "build";
      if (hasBuild && options.build !== false && (forced || !local)) toBuild.push(name);
      else if (local) ids[name] = local.id;
    }),
  );
  if (toBuild.length > 0) {
    if (!context.build) throw new UpError(`building images is not supported here (${toBuild.join(", ")})`);
    Object.assign(ids, await context.build(toBuild));
  }
  return ids;
}

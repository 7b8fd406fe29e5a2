// `watch [SERVICE...]`: the develop.watch rules checked (watch-hooks.ts, shared with `up --watch`: a rule
// that cannot work is reported, naming its service and index, and the others are watched), `up -d` of the
// services unless --no-up (services with build and develop always rebuilt, as the reference sets their
// pull_policy to build), then the session of src/project/watch/ until Ctrl-C. Rebuilds and restarts take
// the project lock while they change the project; watching alone holds nothing. With --dry-run: up's plan,
// then a watch that says what it would do and does nothing.
import type { Command } from "commander";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";

interface WatchFlags {
  up?: boolean;
  quiet?: boolean;
}

export function registerWatch(program: Command, io: Io): void {
  program
    .command("watch")
    .description("Watch build context for service and rebuild/refresh containers when files are updated")
    .argument("[service...]")
    .option("--no-up", "Do not build & start services before watching")
    .option("--quiet", "hide build output")
    .action(async (services: string[], flags: WatchFlags, command: Command) => {
      await runWatch(command, io, services, flags);
    });
}

async function runWatch(command: Command, io: Io, services: string[], flags: WatchFlags): Promise<void> {
  const [{ openSession }, { projectRules, startWatch }] = await Promise.all([
    import("../session.js"),
    import("./watch-hooks.js"),
  ]);
  const dryRun = (command.optsWithGlobals() as { dryRun?: boolean }).dryRun === true;
  const session = await openSession(command, io, { services, plansDryRun: dryRun });
  const project = session.project;
  if (!project) throw new CliError("no configuration file provided: not found", 14);
  const rules = await projectRules(io, project, services);
  // As the reference: what watch rebuilds is always built by `up`.
  for (const rule of rules) {
    const service = project.model.services?.[rule.service];
    if (service?.build && service.develop) service.pull_policy = "build";
  }
  const { convergeUp } = await import("./up.js");
  const run = {
    create: {
      services,
      recreate: "diverged" as const,
      recreateDependencies: "never" as const,
      inherit: true,
    },
    start: true,
    detach: true,
    wait: false,
  };
  if (dryRun && flags.up !== false) {
    // The plan `up` would carry out; then the watch says what it would do, as the reference's, and does
    // nothing.
    const { showPlan } = await import("../progress-output.js");
    const { planProject } = await import("../../project/up.js");
    await showPlan(
      command,
      io,
      await planProject(session.engine, project, run.create, { start: true, wait: false }),
      "Running",
    );
  } else if (flags.up !== false) {
    await convergeUp(command, io, session.engine, project, {
      ...run,
      create: { ...run.create, ...(flags.quiet ? { quietPull: true } : {}) },
    });
  }
  const watching = await startWatch(
    command,
    io,
    session.engine,
    project,
    rules,
    (line) => io.stdout(`${line}\n`),
    {
      ...(flags.quiet ? { quiet: true } : {}),
      ...(dryRun ? { dryRun: true } : {}),
    },
  );
  // Ctrl-C (or SIGTERM) ends the watch; the containers keep running, as the reference's.
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    void watching.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    await watching.ended;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await watching.close();
  }
  if (interrupted) throw new CliError("canceled", 130);
}

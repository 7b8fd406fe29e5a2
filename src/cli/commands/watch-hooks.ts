// What `watch` and `up --watch` share: the develop.watch rules of the selected services (problems printed, a
// rule that cannot work named and skipped; none at all is the reference's error), and the watch session
// with its rebuild (up's path, under the project lock) and restart (restart's plan) hooks.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { Engine } from "../../project/engine/types.js";
import type { Project } from "../../project/load/index.js";
import type { Rule } from "../../project/watch/rules.js";
import type { Watching } from "../../project/watch/session.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";

function readOrNothing(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The selected services' rules; problems printed; none at all is the reference's error (exit 1). */
export async function projectRules(io: Io, project: Project, services: readonly string[]): Promise<Rule[]> {
  const { watchRules } = await import("../../project/watch/rules.js");
  const all = project.model.services ?? {};
  for (const s of services) if (!Object.hasOwn(all, s)) throw new CliError(`no such service: ${s}`);
  const { rules, problems } = watchRules(all, services, {
    dockerignore: (dir) => readOrNothing(join(dir, ".dockerignore")),
    exists: existsSync,
  });
  for (const p of problems) {
    io.stderr(p.level === "warning" ? `WARN[0000] ${p.message}\n` : `tcompose: ${p.message}: not watched\n`);
  }
  if (rules.length === 0) {
    throw new CliError(
      "none of the selected services is configured for watch, consider setting an 'develop' section",
    );
  }
  return rules;
}

/**
 * Starts the watch session: rebuilds go through `up`'s path (build, then recreate the service's containers,
 * keeping their volumes), restarts through restart's plan; `note` prints the watch's lines.
 */
export async function startWatch(
  command: Command,
  io: Io,
  engine: Engine,
  project: Project,
  rules: Rule[],
  note: (line: string) => void,
  options: { quiet?: boolean; dryRun?: boolean } = {},
): Promise<Watching> {
  const [{ startWatching }, { createProgress }, { locked }] = await Promise.all([
    import("../../project/watch/session.js"),
    import("../render/progress.js"),
    import("../project-lock.js"),
  ]);
  const quiet = () =>
    createProgress({ mode: "quiet", isTty: false, write: () => {}, ansi: "never", title: "" });
  const warn = (text: string) => io.stderr(`WARN[0000] ${text}\n`);
  const restarted = (services: string[]) =>
    note(`service(s) ${JSON.stringify(services).replace(/","/g, '" "')} restarted`);
  const common = { engine, project, rules, log: note, warn };
  if (options.dryRun) {
    // The reference's dry-run watch: its lines, and nothing done on the engine.
    return startWatching({
      ...common,
      output: { stdout: () => {}, stderr: () => {} },
      rebuild: async () => {},
      restart: async (services) => restarted(services),
      dryRun: true,
    });
  }
  return startWatching({
    ...common,
    output: {
      stdout: (chunk) => io.stdout(chunk.toString()),
      stderr: (chunk) => io.stderr(chunk.toString()),
    },
    rebuild: (services, built) =>
      locked(command, io, engine, project.name, async () => {
        const { createProject } = await import("../../project/up.js");
        const { buildForUp } = await import("./build-hook.js");
        // BuildKit's steps reach `out` only under a plain progress (the reference prints them on a rebuild,
        // on stdout, unless --quiet); its events and the classic builder's lines go nowhere.
        const buildProgress = options.quiet
          ? quiet()
          : createProgress({ mode: "plain", isTty: false, write: () => {}, ansi: "never", title: "" });
        await createProject(
          {
            engine,
            project,
            progress: quiet(),
            warn,
            build: async (targets) => {
              const ids = await buildForUp(engine, project, targets, buildProgress, { out: note });
              built();
              return ids;
            },
          },
          { targets: services, recreate: "force", inherit: true, build: true, start: { wait: false } },
        );
      }),
    restart: (services) =>
      locked(command, io, engine, project.name, async () => {
        const { restartServices } = await import("../../project/lifecycle.js");
        await restartServices({ engine, name: project.name, project, progress: quiet(), warn }, { services });
        restarted(services);
      }),
  });
}

// The progress renderer for a command, from the global --progress and --ansi flags and whether stderr is a
// terminal (the reference writes progress to stderr).
import type { Command } from "commander";
import type { Plan } from "../project/plan/plan.js";
import type { Progress } from "../project/progress.js";
import { CliError, UsageError } from "./errors.js";
import type { Io } from "./io.js";

export async function progressFor(command: Command, io: Io, title: string): Promise<Progress> {
  const globals = command.optsWithGlobals() as { progress?: string; ansi?: string; dryRun?: boolean };
  const [{ createProgress }, { progressModeError }] = await Promise.all([
    import("./render/progress.js"),
    import("./progress-flags.js"),
  ]);
  // "none" is the reference's other name for quiet.
  const mode = (globals.progress === "none" ? "quiet" : (globals.progress ?? "auto")) as "auto";
  const ansi = (globals.ansi ?? "auto") as "auto";
  const isTty = process.stderr.isTTY === true;
  const refused = progressModeError(mode, ansi, isTty);
  if (refused) throw new UsageError(refused);
  const progress = createProgress({
    mode,
    isTty,
    write: io.stderr,
    ansi,
    title,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    ...(process.stderr.rows ? { rows: process.stderr.rows } : {}),
    ...(process.env.NO_COLOR ? { noColor: true } : {}),
  });
  if (!globals.dryRun) return progress;
  // The reference marks every line of a dry run; the cause follows the state.
  return {
    ...progress,
    event: (e) =>
      progress.event({
        ...e,
        id: `DRY-RUN MODE -  ${e.id}`,
        ...(e.cause && progress.mode !== "json"
          ? { details: [e.details, `(${e.cause})`].filter(Boolean).join(" ") }
          : {}),
      }),
  };
}

/**
 * Runs the work with a progress view and ends the view however it ends; an error of the project layer that
 * carries an exit code (UpError, BuildError, PullError …) becomes a CLI error with that code.
 */
export async function withProgress<T>(progress: Progress, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { exitCode?: unknown }).exitCode;
    if (!(error instanceof CliError) && error instanceof Error && typeof code === "number") {
      throw new CliError(error.message, code);
    }
    throw error;
  } finally {
    progress.stop();
  }
}

/**
 * A dry run's plan: the events carrying it out would report, in the reference's `DRY-RUN MODE -` lines with
 * each action's cause; with `--progress json`, one JSON object per action (planJson).
 */
export async function showPlan(command: Command, io: Io, plan: Plan, title: string): Promise<void> {
  const { planEvents, planJson } = await import("../project/plan/plan.js");
  const progress = await progressFor(command, io, title);
  if (progress.mode === "json") for (const line of planJson(plan)) io.stderr(`${line}\n`);
  else for (const event of planEvents(plan)) progress.event(event);
  progress.stop();
}

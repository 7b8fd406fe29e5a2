// The progress renderer for a command, from the global --progress and --ansi flags and whether stderr is a
// terminal (the reference writes progress to stderr).
import type { Command } from "commander";
import type { Progress } from "../project/progress.js";
import type { Io } from "./main.js";

export async function progressFor(command: Command, io: Io, title: string): Promise<Progress> {
  const globals = command.optsWithGlobals() as { progress?: string; ansi?: string };
  const { createProgress } = await import("./render/progress.js");
  return createProgress({
    mode: (globals.progress ?? "auto") as "auto",
    isTty: process.stderr.isTTY === true,
    write: io.stderr,
    ansi: (globals.ansi ?? "auto") as "auto",
    title,
  });
}

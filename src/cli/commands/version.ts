import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { reportedVersion, versionSentence } from "../version.js";

// Same shapes as `docker compose version`: a sentence, `--short` the bare version, and
// `--format json` an object with a `version` key (tools such as the devcontainers CLI parse these); the
// version is the Compose release followed, tcompose's own as build metadata (see reportedVersion).
export function registerVersion(program: Command, write: (text: string) => void): void {
  program
    .command("version")
    .description("Show the Docker Compose version information")
    .option("-f, --format <format>", "Format the output. Values: [pretty | json]", "pretty")
    .option("--short", "Shows only Compose's version number")
    .action((opts: { format: string; short?: boolean }) => {
      if (opts.short) write(`${reportedVersion}\n`);
      else if (opts.format === "json") write(`${JSON.stringify({ version: reportedVersion })}\n`);
      else if (opts.format === "pretty") write(versionSentence);
      else throw new UsageError(`unsupported format "${opts.format}": use pretty or json`);
    });
}

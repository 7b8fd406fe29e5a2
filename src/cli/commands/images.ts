// `images`: the image of each of the project's containers (pkg/compose/images.go, 2.26.1): every
// container of the project, one-off ones included; sorted by container name.
import type { Command } from "commander";
import type { Io } from "../main.js";

interface ImagesFlags {
  format: string;
  quiet?: boolean;
}

export function registerImages(program: Command, io: Io): void {
  program
    .command("images")
    .description("List images used by the created containers")
    .argument("[service...]")
    .option("--format <format>", "Format the output. Values: [table | json]", "table")
    .option("-q, --quiet", "Only display IDs")
    .action(async (services: string[], flags: ImagesFlags, command: Command) => {
      const { runImages } = await import("./images-run.js");
      await runImages(services, flags, command, io);
    });
}

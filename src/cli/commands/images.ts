// `images`: the image of each of the project's containers (pkg/compose/images.go, 2.26.1): every
// container of the project, one-off ones included; sorted by container name.
import type { Command } from "commander";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { nameOnly } from "./target.js";

interface ImagesFlags {
  format: string;
  quiet?: boolean;
}

interface ImageRow {
  ID: string;
  ContainerName: string;
  Repository: string;
  Tag: string;
  Size: number;
}

export function registerImages(program: Command, io: Io): void {
  program
    .command("images")
    .description("List images used by the created containers")
    .argument("[service...]")
    .option("--format <format>", "Format the output. Values: [table | json]", "table")
    .option("-q, --quiet", "Only display IDs")
    .action(async (services: string[], flags: ImagesFlags, command: Command) => {
      await runImages(services, flags, command, io);
    });
}

// The work, with what it needs imported when it runs (this module is loaded at every start).
async function runImages(services: string[], flags: ImagesFlags, command: Command, io: Io): Promise<void> {
  const [{ splitRepoTag }, { label, projectFilter }, { canonicalName }, { humanSize }, table] =
    await Promise.all([
      import("../../project/image-reference.js"),
      import("../../project/labels.js"),
      import("../../project/state.js"),
      import("../render/go-format.js"),
      import("../render/table.js"),
    ]);
  const { name, engine } = await nameOnly(command, io);
  const all = await engine.listContainers(projectFilter(name), { all: true });
  const containers = services.length
    ? all.filter((c) => services.includes(c.labels[label.service] ?? ""))
    : all;
  const imageIds = [...new Set(containers.map((c) => c.imageId))];
  const images = new Map(
    await Promise.all(imageIds.map(async (id) => [id, await engine.inspectImage(id)] as const)),
  );
  const rows: ImageRow[] = containers.map((c) => {
    const image = images.get(c.imageId);
    if (!image) throw new CliError(`failed to retrieve image for container ${canonicalName(c)}`);
    const { repository, tag } = image.repoTags[0]
      ? splitRepoTag(image.repoTags[0])
      : { repository: "", tag: "" };
    return {
      ID: image.id,
      ContainerName: canonicalName(c),
      Repository: repository,
      Tag: tag,
      Size: image.size,
    };
  });
  if (flags.quiet) {
    const ids = [...new Set(rows.map((r) => r.ID.slice(r.ID.indexOf(":") + 1)))];
    io.stdout(ids.map((id) => `${id}\n`).join(""));
    return;
  }
  rows.sort((a, b) => (a.ContainerName < b.ContainerName ? -1 : a.ContainerName > b.ContainerName ? 1 : 0));
  const format = flags.format.toLowerCase();
  if (format === "json") {
    io.stdout(table.jsonArray(rows));
    return;
  }
  if (!["table", "pretty", ""].includes(format)) {
    throw new CliError(`format value "${flags.format}" could not be parsed: parsing failed`);
  }
  const cells = rows.map((r) => [
    r.ContainerName,
    r.Repository || "<none>",
    r.Tag || "<none>",
    r.ID.replace(/^sha256:/, "").slice(0, 12),
    humanSize(r.Size),
  ]);
  io.stdout(table.prettySection(["CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"], cells));
}

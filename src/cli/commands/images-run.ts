import type { Command } from "commander";
import { splitRepoTag } from "../../project/image-reference.js";
import { label, projectFilter } from "../../project/labels.js";
import { canonicalName } from "../../project/state.js";
import { CliError } from "../errors.js";
import type { Io } from "../main.js";
import { humanSize } from "../render/go-format.js";
import { jsonArray, prettySection } from "../render/table.js";
import { nameOnly } from "./target.js";

interface ImageRow {
  ID: string;
  ContainerName: string;
  Repository: string;
  Tag: string;
  Size: number;
}

export async function runImages(
  services: string[],
  flags: { format: string; quiet?: boolean },
  command: Command,
  io: Io,
): Promise<void> {
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
    io.stdout(jsonArray(rows));
    return;
  }
  if (!["table", "pretty", ""].includes(format)) {
    throw new CliError(`format value "${flags.format}" could not be parsed: parsing failed`);
  }
  const table = rows.map((r) => [
    r.ContainerName,
    r.Repository || "<none>",
    r.Tag || "<none>",
    r.ID.replace(/^sha256:/, "").slice(0, 12),
    humanSize(r.Size),
  ]);
  io.stdout(prettySection(["CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"], table));
}

// Volumes: create, inspect, list, remove.
import type Docker from "dockerode";
import { type EngineCore, labelFilters, type Outcome, orMissing, removal } from "./core.js";
import type { LabelFilter, VolumeCreateRequest, VolumeSummary } from "./types.js";

export async function createVolume(core: EngineCore, request: VolumeCreateRequest): Promise<void> {
  await core.send(`volume ${request.Name}`, "POST", "/volumes/create", {}, request, (docker) =>
    docker.createVolume(request),
  );
}

export async function inspectVolume(core: EngineCore, name: string): Promise<VolumeSummary | undefined> {
  const v = await orMissing<Docker.VolumeInspectInfo>(() =>
    core.read(`volume ${name}`, `/volumes/${encodeURIComponent(name)}`, {}, (docker) =>
      docker.getVolume(name).inspect(),
    ),
  );
  if (!v) return undefined;
  return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {}, mountpoint: v.Mountpoint };
}

export async function listVolumes(core: EngineCore, filter: LabelFilter): Promise<VolumeSummary[]> {
  const filters = labelFilters(filter);
  const r = await core.read<{ Volumes: Docker.VolumeInspectInfo[] | null }>(
    "volumes",
    "/volumes",
    { filters },
    (docker) => docker.listVolumes({ filters }),
  );
  return (r.Volumes ?? []).map((v) => ({
    name: v.Name,
    driver: v.Driver,
    labels: v.Labels ?? {},
    mountpoint: v.Mountpoint,
  }));
}

export function removeVolume(core: EngineCore, name: string, force = false): Promise<Outcome> {
  return removal(() =>
    core.send(
      `volume ${name}`,
      "DELETE",
      `/volumes/${encodeURIComponent(name)}`,
      { force: String(force) },
      undefined,
      (docker) => docker.getVolume(name).remove({ force }),
    ),
  );
}

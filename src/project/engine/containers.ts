// Containers: create, start, stop, kill, restart, pause, unpause, rename, wait, remove, inspect, list, top,
// stats.
// Their output, input, archives and execs are in container-io.ts.
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { type EngineCore, labelFilters, orUnchanged } from "./core.js";
import { engineStream, type HttpFailure } from "./http.js";
import { jsonLines } from "./json-stream.js";
import type {
  ContainerCreateRequest,
  ContainerDetails,
  ContainerStatsSample,
  ContainerSummary,
  LabelFilter,
  StatsStream,
} from "./types.js";

export async function createContainer(core: EngineCore, request: ContainerCreateRequest): Promise<string> {
  // The engine takes the name (and platform) in the query, the rest as the body (as dockerode sends it).
  const { name, ...body } = request as ContainerCreateRequest & { platform?: string };
  const platform = (body as { platform?: string }).platform;
  delete (body as { platform?: string }).platform;
  const container = await core.send<{ Id: string }>(
    `container ${name}`,
    "POST",
    "/containers/create",
    { name, platform },
    body,
    async (docker) => ({
      Id: (await docker.createContainer(request)).id,
    }),
  );
  return container.Id;
}

export async function startContainer(core: EngineCore, id: string): Promise<void> {
  // 304: already running, which is what was asked (the Go client takes any status below 400 as
  // success). A listing can be older than a start still under way, from this run or an interrupted one.
  await orUnchanged(() =>
    core.send(`container ${id}`, "POST", `/containers/${id}/start`, {}, undefined, (docker) =>
      docker.getContainer(id).start(),
    ),
  );
}

export async function stopContainer(core: EngineCore, id: string, timeoutSeconds?: number): Promise<void> {
  const t = timeoutSeconds === undefined ? undefined : String(timeoutSeconds);
  // 304: already stopped, which is what was asked.
  await orUnchanged(() =>
    core.send(`container ${id}`, "POST", `/containers/${id}/stop`, { t }, undefined, (docker) =>
      docker.getContainer(id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
    ),
  );
}

export async function restartContainer(core: EngineCore, id: string, timeoutSeconds?: number): Promise<void> {
  const t = timeoutSeconds === undefined ? undefined : String(timeoutSeconds);
  await core.send(`container ${id}`, "POST", `/containers/${id}/restart`, { t }, undefined, (docker) =>
    docker.getContainer(id).restart(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
  );
}

export async function killContainer(core: EngineCore, id: string, signal?: string): Promise<void> {
  await core.send(`container ${id}`, "POST", `/containers/${id}/kill`, { signal }, undefined, (docker) =>
    docker.getContainer(id).kill(signal ? { signal } : {}),
  );
}

export async function pauseContainer(core: EngineCore, id: string): Promise<void> {
  await core.send(`container ${id}`, "POST", `/containers/${id}/pause`, {}, undefined, (docker) =>
    docker.getContainer(id).pause(),
  );
}

export async function unpauseContainer(core: EngineCore, id: string): Promise<void> {
  await core.send(`container ${id}`, "POST", `/containers/${id}/unpause`, {}, undefined, (docker) =>
    docker.getContainer(id).unpause(),
  );
}

export async function renameContainer(core: EngineCore, id: string, name: string): Promise<void> {
  await core.send(`container ${id}`, "POST", `/containers/${id}/rename`, { name }, undefined, (docker) =>
    docker.getContainer(id).rename({ name }),
  );
}

export async function waitContainer(
  core: EngineCore,
  id: string,
  condition: "not-running" | "next-exit" | "removed" = "not-running",
): Promise<number> {
  const r = await core.send<{ StatusCode: number }>(
    `container ${id}`,
    "POST",
    `/containers/${id}/wait`,
    { condition },
    undefined,
    (docker) => docker.getContainer(id).wait({ condition }),
  );
  return r.StatusCode;
}

export async function removeContainer(
  core: EngineCore,
  id: string,
  options: { force?: boolean; volumes?: boolean } = {},
): Promise<void> {
  const force = options.force ?? false;
  const v = options.volumes ?? false;
  await core.send(
    `container ${id}`,
    "DELETE",
    `/containers/${id}`,
    { force: String(force), v: String(v) },
    undefined,
    (docker) => docker.getContainer(id).remove({ force, v }),
  );
}

export async function inspectContainer(core: EngineCore, id: string): Promise<ContainerDetails> {
  const c = await core.read<Docker.ContainerInspectInfo>(
    `container ${id}`,
    `/containers/${id}/json`,
    {},
    (docker) => docker.getContainer(id).inspect(),
  );
  const health = c.State.Health as
    | { Status: string; Log?: { ExitCode: number; Output: string }[] | null }
    | undefined;
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ""),
    image: c.Config.Image,
    imageId: c.Image,
    created: c.Created,
    labels: c.Config.Labels ?? {},
    state: {
      status: c.State.Status,
      running: c.State.Running,
      exitCode: c.State.ExitCode,
      startedAt: c.State.StartedAt,
      finishedAt: c.State.FinishedAt,
      ...(health
        ? {
            health: health.Status,
            healthLog: (health.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output })),
          }
        : {}),
    },
    networks: Object.keys(c.NetworkSettings.Networks ?? {}),
    ports: (c.NetworkSettings.Ports ?? {}) as ContainerDetails["ports"],
    mounts: (c.Mounts ?? []).map((m) => ({
      Type: m.Type ?? "",
      ...(m.Name ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      RW: m.RW,
    })),
    tty: Boolean(c.Config.Tty),
    hasHealthcheck: Boolean(c.Config.Healthcheck?.Test?.length && c.Config.Healthcheck.Test[0] !== "NONE"),
    raw: c as unknown as Record<string, unknown>,
  };
}

export async function listContainers(
  core: EngineCore,
  filter: LabelFilter,
  options: { all?: boolean } = {},
): Promise<ContainerSummary[]> {
  const filters = labelFilters(filter);
  const list = await core.read<Docker.ContainerInfo[]>(
    "containers",
    "/containers/json",
    { all: options.all ? "1" : "0", filters },
    (docker) => docker.listContainers({ all: options.all ?? false, filters }),
  );
  return list.map((c) => ({
    id: c.Id,
    names: c.Names.map((n) => n.replace(/^\//, "")),
    image: c.Image,
    imageId: c.ImageID,
    command: c.Command,
    created: c.Created,
    state: c.State,
    status: c.Status,
    labels: c.Labels ?? {},
    ports: c.Ports ?? [],
    networks: Object.fromEntries(
      Object.entries(c.NetworkSettings?.Networks ?? {}).map(([k, v]) => [k, v.IPAddress ?? ""]),
    ),
    mounts: (c.Mounts ?? []).map((m) => ({ name: m.Name || m.Source, driver: m.Driver ?? "" })),
  }));
}

export async function topContainer(
  core: EngineCore,
  id: string,
  psArgs?: string,
): Promise<{ Titles: string[]; Processes: string[][] }> {
  return core.read<{ Titles: string[]; Processes: string[][] }>(
    `container ${id}`,
    `/containers/${id}/top`,
    { ps_args: psArgs },
    (docker) => docker.getContainer(id).top(psArgs ? { ps_args: psArgs } : {}),
  );
}

export async function containerStats(
  core: EngineCore,
  id: string,
  options: { stream: boolean },
  onSample: (sample: ContainerStatsSample) => void,
): Promise<StatsStream> {
  let stream: NodeJS.ReadableStream;
  if (core.http) {
    try {
      stream = await engineStream(core.http, `/containers/${encodeURIComponent(id)}/stats`, {
        stream: String(options.stream),
      });
    } catch (error) {
      throw core.failure(`container ${id}`, error as HttpFailure);
    }
  } else {
    const body = await core.call<unknown>(`container ${id}`, (docker) =>
      options.stream
        ? docker.getContainer(id).stats({ stream: true })
        : docker.getContainer(id).stats({ stream: false }),
    );
    if (typeof (body as NodeJS.ReadableStream).on === "function") stream = body as NodeJS.ReadableStream;
    else {
      // dockerode (ssh endpoints) parses the one sample without stream.
      const pass = new PassThrough();
      pass.end(`${JSON.stringify(body)}\n`);
      stream = pass;
    }
  }
  // The engine writes one JSON document a line (Go's json.Encoder).
  jsonLines(stream, (m) => onSample(m as ContainerStatsSample));
  const done = new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  return { done, close: () => (stream as unknown as { destroy?: () => void }).destroy?.() };
}

// The engine itself: its version, its events stream and BuildKit sessions (POST /session).
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { type EngineCore, labelList } from "./core.js";
import { EngineError } from "./errors.js";
import { engineStream, engineUpgrade, type HttpFailure } from "./http.js";
import { jsonLines } from "./json-stream.js";
import type { EngineEvent, EngineVersion, EventFilter, Subscription } from "./types.js";

export async function version(core: EngineCore): Promise<EngineVersion> {
  core.versionInfo ??= await core.read<{ Version: string; ApiVersion: string }>(
    "engine",
    "/version",
    {},
    (docker) => docker.version(),
  );
  return { version: core.versionInfo.Version, apiVersion: core.versionInfo.ApiVersion };
}

export async function subscribeEvents(
  core: EngineCore,
  filter: EventFilter,
  onEvent: (event: EngineEvent) => void,
  onError?: (error: Error) => void,
): Promise<Subscription> {
  const filters: Record<string, string[]> = {};
  if (filter.label) filters.label = labelList(filter.label);
  if (filter.type) filters.type = filter.type;
  if (filter.event) filters.event = filter.event;
  if (filter.container) filters.container = filter.container;
  const query = { filters: JSON.stringify(filters) };
  let stream: NodeJS.ReadableStream;
  if (core.http) {
    try {
      stream = await engineStream(core.http, "/events", query);
    } catch (error) {
      throw core.failure("events", error as HttpFailure);
    }
  } else {
    stream = (await core.call("events", (docker) =>
      docker.getEvents(query as Docker.GetEventsOptions),
    )) as NodeJS.ReadableStream;
  }
  jsonLines(stream, (m, line) => {
    const actor = (m.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
    onEvent({
      type: String(m.Type ?? ""),
      action: String(m.Action ?? m.status ?? ""),
      id: actor.ID ?? String(m.id ?? ""),
      attributes: actor.Attributes ?? {},
      timeNano: Number(m.timeNano ?? 0),
      timeNanoText: /"timeNano":(\d+)/.exec(line)?.[1] ?? `${Number(m.time ?? 0)}000000000`,
    });
  });
  if (onError) stream.on("error", onError);
  return { close: () => (stream as unknown as { destroy?: () => void }).destroy?.() };
}

export async function openSession(
  core: EngineCore,
  headers: Record<string, string | string[]>,
): Promise<Duplex> {
  if (!core.http) {
    throw new EngineError(
      "session",
      undefined,
      `BuildKit sessions (build secrets, ssh) are not supported over ssh endpoints (${core.endpoint}) yet`,
    );
  }
  try {
    return await engineUpgrade(core.http, "/session", "h2c", headers);
  } catch (error) {
    throw core.failure("session", error as HttpFailure);
  }
}

// A container's streams and files: its logs, attach, the TTY's size, archives in and out, and execs.
// Logs go through the light client; attach, archives and execs through dockerode (hijacked connections,
// tar bodies).
import { PassThrough, Readable } from "node:stream";
import type Docker from "dockerode";
import { type EngineCore, orMissing } from "./core.js";
import { FrameDemuxer } from "./frames.js";
import { engineStream, type HttpFailure } from "./http.js";
import type { Attachment, ExecRequest, LogData, LogOptions, LogStream, PathStat } from "./types.js";

/** Splits a multiplexed stream (no TTY) into stdout and stderr. */
export function demux(stream: NodeJS.ReadableStream, onData: LogData): void {
  const frames = new FrameDemuxer(onData);
  stream.on("data", (chunk: Buffer) => frames.write(chunk));
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as unknown as { destroy?: () => void }).destroy?.();
}

export async function containerLogs(
  core: EngineCore,
  id: string,
  options: LogOptions,
  onData: LogData,
): Promise<LogStream> {
  const query = {
    follow: options.follow ?? false,
    stdout: true,
    stderr: true,
    timestamps: options.timestamps ?? false,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
  };
  let stream: NodeJS.ReadableStream;
  if (core.http) {
    // Read as it arrives, with or without follow: a log can be far larger than memory.
    try {
      stream = await engineStream(
        core.http,
        `/containers/${encodeURIComponent(id)}/logs`,
        Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
      );
    } catch (error) {
      throw core.failure(`container ${id}`, error as HttpFailure);
    }
  } else {
    const body = (await core.call(`container ${id}`, (docker) =>
      docker.getContainer(id).logs(query as Docker.ContainerLogsOptions & { follow: true }),
    )) as NodeJS.ReadableStream | Buffer;
    if (Buffer.isBuffer(body)) {
      // dockerode (ssh endpoints) returns the whole body without follow.
      const pass = new PassThrough();
      pass.end(body);
      stream = pass;
    } else stream = body;
  }
  return readOutput(stream, options.tty ?? false, onData);
}

/** Logs being read: raw with a TTY, else demultiplexed; `done` settles when the stream ends. */
export function readOutput(stream: NodeJS.ReadableStream, tty: boolean, onData: LogData): LogStream {
  if (tty) stream.on("data", (c: Buffer) => onData("stdout", c, false));
  else demux(stream, onData);
  const done = new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  return {
    done,
    close: () => destroy(stream),
    pause: () => stream.pause(),
    resume: () => stream.resume(),
  };
}

export async function attachContainer(
  core: EngineCore,
  id: string,
  options: { stdin: boolean; logs?: boolean; detachKeys?: string },
): Promise<Attachment> {
  const stream = (await core.call(`container ${id}`, (docker) =>
    docker.getContainer(id).attach({
      stream: true,
      stdin: options.stdin,
      stdout: true,
      stderr: true,
      logs: options.logs ?? false,
      hijack: options.stdin,
      ...(options.detachKeys ? { detachKeys: options.detachKeys } : {}),
    }),
  )) as NodeJS.ReadWriteStream;
  return { output: stream, input: stream, close: () => destroy(stream) };
}

export async function resizeContainer(
  core: EngineCore,
  id: string,
  rows: number,
  columns: number,
): Promise<void> {
  await core.call(`container ${id}`, (docker) => docker.getContainer(id).resize({ h: rows, w: columns }));
}

export async function putArchive(
  core: EngineCore,
  id: string,
  path: string,
  tar: Buffer | NodeJS.ReadableStream,
  options: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean } = {},
): Promise<void> {
  const query: Record<string, string> = { path };
  if (options.copyUIDGID) query.copyUIDGID = "true";
  if (options.noOverwriteDirNonDir) query.noOverwriteDirNonDir = "true";
  // Through the light client (dockerode is not loaded for it: a watch's first sync waited for that).
  const stream = Buffer.isBuffer(tar) ? Readable.from([tar]) : (tar as Readable);
  await core.send(
    `container ${id}`,
    "PUT",
    `/containers/${encodeURIComponent(id)}/archive`,
    query,
    { stream, contentType: "application/x-tar" },
    (docker) => docker.getContainer(id).putArchive(tar, query),
  );
}

export async function statPath(core: EngineCore, id: string, path: string): Promise<PathStat | undefined> {
  const response = (await orMissing(() =>
    core.call(`container ${id}`, (docker) => docker.getContainer(id).infoArchive({ path })),
  )) as { headers?: Record<string, string>; resume?: () => void } | undefined;
  if (!response) return undefined;
  response.resume?.();
  const header = response.headers?.["x-docker-container-path-stat"];
  if (!header) return undefined;
  return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
}

export async function getArchive(core: EngineCore, id: string, path: string): Promise<NodeJS.ReadableStream> {
  return (await core.call(`container ${id}`, (docker) =>
    docker.getContainer(id).getArchive({ path }),
  )) as NodeJS.ReadableStream;
}

export async function createExec(core: EngineCore, container: string, request: ExecRequest): Promise<string> {
  const exec = await core.call(`container ${container}`, (docker) =>
    docker.getContainer(container).exec(request),
  );
  return exec.id;
}

export async function startExec(
  core: EngineCore,
  exec: string,
  options: { tty: boolean; stdin: boolean; detach?: boolean },
): Promise<Attachment> {
  const stream = (await core.call(`exec ${exec}`, (docker) =>
    docker.getExec(exec).start({
      // Detached: a plain request the engine answers at once; otherwise the hijacked connection.
      hijack: !options.detach,
      stdin: options.stdin,
      Tty: options.tty,
      Detach: options.detach ?? false,
    }),
  )) as NodeJS.ReadWriteStream;
  return { output: stream, input: stream, close: () => destroy(stream) };
}

export async function inspectExec(
  core: EngineCore,
  exec: string,
): Promise<{ running: boolean; exitCode: number | null }> {
  const r = await core.call(`exec ${exec}`, (docker) => docker.getExec(exec).inspect());
  return { running: r.Running, exitCode: r.ExitCode ?? null };
}

export async function resizeExec(
  core: EngineCore,
  exec: string,
  rows: number,
  columns: number,
): Promise<void> {
  await core.call(`exec ${exec}`, (docker) => docker.getExec(exec).resize({ h: rows, w: columns }));
}

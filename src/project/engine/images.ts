// Images: inspect (remembered per process), list, pull, push, tag, remove, build, and the registry's
// digest of a reference.
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { type EngineCore, labelFilters, type Outcome, orMissing, removal } from "./core.js";
import { EngineError } from "./errors.js";
import { enginePost, enginePostStream, type HttpFailure } from "./http.js";
import { followMessages } from "./json-stream.js";
import type { AuthConfig } from "./registry-auth.js";
import type { BuildRequest, ImageDetails, ImageSummary, JsonMessage, LabelFilter } from "./types.js";

/** A build's query as the engine reads it: lists as repeated keys, maps as JSON, the rest as text. */
export function buildQuery(query: Record<string, unknown>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else if (typeof value === "object") search.set(key, JSON.stringify(value));
    else search.set(key, String(value));
  }
  return search;
}

/** Runs a call that changes images; what was inspected before is forgotten once it ends. */
async function changingImages<T>(core: EngineCore, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    core.images.clear();
  }
}

export function inspectImage(core: EngineCore, ref: string): Promise<ImageDetails | undefined> {
  let known = core.images.get(ref);
  if (!known) {
    known = inspectImageNow(core, ref);
    core.images.set(ref, known);
    // A failed inspect is not remembered.
    known.catch(() => core.images.delete(ref));
  }
  return known;
}

async function inspectImageNow(core: EngineCore, ref: string): Promise<ImageDetails | undefined> {
  const i = await orMissing<Docker.ImageInspectInfo>(() =>
    core.read(`image ${ref}`, `/images/${encodeURIComponent(ref)}/json`, {}, (docker) =>
      docker.getImage(ref).inspect(),
    ),
  );
  if (!i) return undefined;
  return {
    id: i.Id,
    repoTags: i.RepoTags ?? [],
    repoDigests: i.RepoDigests ?? [],
    volumes: Object.keys(i.Config?.Volumes ?? {}),
    labels: i.Config?.Labels ?? {},
    env: i.Config?.Env ?? [],
    created: i.Created,
    size: i.Size,
  };
}

export async function hasImage(core: EngineCore, ref: string): Promise<boolean> {
  return (await inspectImage(core, ref)) !== undefined;
}

export async function distributionDigest(core: EngineCore, ref: string): Promise<string> {
  const found = await core.read<{ Descriptor?: { digest?: string } }>(
    `image ${ref}`,
    `/distribution/${ref}/json`,
    {},
    (docker) => docker.getImage(ref).distribution({}),
  );
  const digest = found.Descriptor?.digest;
  if (!digest) throw new EngineError(`image ${ref}`, undefined, "the registry returned no digest");
  return digest;
}

export async function distributionInspect(
  core: EngineCore,
  ref: string,
  registryAuth?: string,
): Promise<{ digest: string; platforms: { architecture: string; os: string }[] }> {
  const found = await core.send<{
    Descriptor?: { digest?: string };
    Platforms?: { architecture?: string; os?: string }[];
  }>(
    `image ${ref}`,
    "GET",
    `/distribution/${ref}/json`,
    {},
    undefined,
    (docker) =>
      docker
        .getImage(ref)
        .distribution(
          registryAuth ? { authconfig: JSON.parse(Buffer.from(registryAuth, "base64url").toString()) } : {},
        ),
    registryAuth ? { "X-Registry-Auth": registryAuth } : undefined,
  );
  const digest = found.Descriptor?.digest;
  if (!digest) throw new EngineError(`image ${ref}`, undefined, "the registry returned no digest");
  const platforms = (found.Platforms ?? []).map((p) => ({
    architecture: p.architecture ?? "",
    os: p.os ?? "",
  }));
  return { digest, platforms };
}

export async function listImages(core: EngineCore, filter?: LabelFilter): Promise<ImageSummary[]> {
  const filters = filter ? labelFilters(filter) : undefined;
  const list = await core.read<Docker.ImageInfo[]>("images", "/images/json", { filters }, (docker) =>
    docker.listImages(filters ? { filters } : {}),
  );
  return list.map((i) => ({
    id: i.Id,
    repoTags: i.RepoTags ?? [],
    created: i.Created,
    size: i.Size,
    labels: i.Labels ?? {},
  }));
}

/**
 * POST /images/create, with the registry login as the X-Registry-Auth header when there is one. The login
 * goes as dockerode's fourth argument: in the options it would be copied into the query string too.
 */
function pullStream(
  core: EngineCore,
  docker: Docker,
  ref: string,
  options: { platform?: string },
): Promise<NodeJS.ReadableStream> {
  const auth = core.credentials.forImage(ref);
  if (!auth) return docker.pull(ref, options);
  const pull = docker.pull.bind(docker) as unknown as (
    ref: string,
    options: object,
    callback: undefined,
    auth: AuthConfig,
  ) => Promise<NodeJS.ReadableStream>;
  return pull(ref, options, undefined, auth);
}

export async function pullImage(core: EngineCore, ref: string): Promise<void> {
  return changingImages(core, async () => {
    await core.call(`image ${ref}`, async (docker) => {
      const stream = await pullStream(core, docker, ref, {});
      // The pull runs as long as its progress stream does; an error can arrive inside the stream.
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
          const failed = events?.find((e) => e.error);
          if (err) reject(err);
          else if (failed) reject(new Error(failed.error));
          else resolve();
        });
      });
    });
  });
}

export async function pullImageWithProgress(
  core: EngineCore,
  ref: string,
  onMessage: (m: JsonMessage) => void,
  platform?: string,
): Promise<void> {
  return changingImages(core, async () => {
    await core.call(`image ${ref}`, async (docker) => {
      const stream = await pullStream(core, docker, ref, platform ? { platform } : {});
      await followMessages(stream, onMessage);
    });
  });
}

export function removeImage(
  core: EngineCore,
  ref: string,
  options: { force?: boolean } = {},
): Promise<Outcome> {
  return changingImages(core, async () => {
    const force = String(options.force ?? false);
    return removal(() =>
      core.send(
        `image ${ref}`,
        "DELETE",
        `/images/${encodeURIComponent(ref)}`,
        { force },
        undefined,
        (docker) => docker.getImage(ref).remove({ force: options.force }),
      ),
    );
  });
}

export async function tagImage(core: EngineCore, source: string, repo: string, tag: string): Promise<void> {
  return changingImages(core, async () => {
    await core.call(`image ${source}`, (docker) => docker.getImage(source).tag({ repo, tag }));
  });
}

export async function pushImage(
  core: EngineCore,
  ref: string,
  onMessage: (m: JsonMessage) => void,
): Promise<void> {
  await core.call(`image ${ref}`, async (docker) => {
    // The engine refuses a push without an X-Registry-Auth header ("Bad parameters and missing
    // X-Registry-Auth"); an empty credential is what docker sends for a registry it has no login for.
    const stream = (await docker
      .getImage(ref)
      .push({ authconfig: core.credentials.forImage(ref) ?? {} })) as NodeJS.ReadableStream;
    await followMessages(stream, onMessage);
  });
}

export async function buildImage(
  core: EngineCore,
  request: BuildRequest,
  onMessage: (m: JsonMessage) => void,
): Promise<string> {
  return changingImages(core, async () => {
    let id = "";
    const follow = (stream: NodeJS.ReadableStream) =>
      followMessages(stream, (m) => {
        if (typeof m.aux === "object" && m.aux.ID) id = m.aux.ID;
        onMessage(m);
      });
    const http = core.http;
    if (request.query.version === "2" && http) {
      // BuildKit goes through tcompose's own client (dockerode, not loaded for it, would open a session
      // of its own). Logins reach BuildKit through the build's session (its Auth service), not a header;
      // with remote=client-session the context comes through the session too, and the body is empty.
      let stream: NodeJS.ReadableStream;
      try {
        const query = buildQuery(request.query);
        stream = request.context
          ? await enginePostStream(http, "/build", query, {
              stream: request.context as Readable,
              contentType: "application/x-tar",
            })
          : await enginePost(http, "/build", query);
      } catch (error) {
        throw core.failure("build", error as HttpFailure);
      }
      await follow(stream);
      return id;
    }
    await core.call("build", async (docker) => {
      // Every registry login, for the images the FROM lines pull (dockerode sends it as
      // X-Registry-Config and keeps it out of the query).
      const logins = core.credentials.all();
      const stream = (await docker.buildImage(request.context ?? Readable.from([]), {
        ...(request.query as Docker.ImageBuildOptions),
        ...(Object.keys(logins).length ? { registryconfig: logins as Docker.RegistryConfig } : {}),
      })) as NodeJS.ReadableStream;
      await follow(stream);
    });
    return id;
  });
}

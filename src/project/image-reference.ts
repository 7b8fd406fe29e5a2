// Image references as the docker CLI and the reference read them (github.com/distribution/reference, the
// facts of its normalize.go): a first path component is a registry only when it has a '.' or ':' or is
// `localhost` (or has capitals); otherwise the image is on docker.io, under `library/` when it has no
// other path. A tag is the last ':' part after the last '/', a digest follows '@'.

export interface ImageReference {
  /** docker.io, or the registry host[:port]. */
  domain: string;
  /** The repository path in the registry: library/busybox, org/app. */
  path: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf("@");
  const named = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const isRegistry =
    slash >= 0 && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  let domain = isRegistry ? first : "docker.io";
  let path = isRegistry ? name.slice(slash + 1) : name;
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * reference.ParseDockerRef's string: fully qualified, `:latest` when there is neither tag nor digest, and a
 * digested reference without its tag.
 */
export function dockerReference(image: string): string {
  const { domain, path, tag, digest } = parseImageReference(image);
  if (digest !== undefined) return `${domain}/${path}@${digest}`;
  return `${domain}/${path}:${tag ?? "latest"}`;
}

/** `name:tag@digest`, fully qualified, as reference.WithDigest over ParseDockerRef prints it. */
export function pinnedReference(image: string, digest: string): string {
  const { domain, path, tag } = parseImageReference(image);
  return `${domain}/${path}:${tag ?? "latest"}@${digest}`;
}

/** A repo tag as docker's reference.FamiliarName and Tag read it ("docker.io/library/x:1" → x, 1). */
export function splitRepoTag(repoTag: string): { repository: string; tag: string } {
  const { domain, path, tag = "" } = parseImageReference(repoTag);
  const repository = domain === "docker.io" ? path.replace(/^library\/(?=[^/]+$)/, "") : `${domain}/${path}`;
  return { repository, tag };
}

/**
 * The services' images pinned to the digests `resolve` finds (`config --resolve-image-digests`): every
 * service with an `image` that has no digest yet; a digested one is only written in full. Services
 * without an image (build only) are left alone.
 */
export async function pinImageDigests(
  services: Record<string, Record<string, unknown>>,
  resolve: (reference: string) => Promise<string>,
): Promise<Record<string, Record<string, unknown>>> {
  const pinned = await Promise.all(
    Object.entries(services).map(async ([name, service]) => {
      if (typeof service.image !== "string" || service.image === "") return [name, service] as const;
      const reference = dockerReference(service.image);
      const image = reference.includes("@")
        ? reference
        : pinnedReference(service.image, await resolve(reference));
      return [name, { ...service, image }] as const;
    }),
  );
  return Object.fromEntries(pinned);
}

/** reference.FamiliarString: docker.io and its `library/` left out. */
function familiar({ domain, path, tag, digest }: ImageReference): string {
  const name = domain === "docker.io" ? path.replace(/^library\/(?=[^/]+$)/, "") : `${domain}/${path}`;
  return `${name}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
}

/** The docker client's image for a service spec: familiar, `:latest` added when there is no tag or digest. */
export function familiarTagged(image: string): string {
  const ref = parseImageReference(image);
  return familiar(ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: "latest" } : ref);
}

/** The image pinned to a registry digest as the docker client pins a service's (`busybox:1.36@sha256:…`). */
export function familiarPinned(image: string, digest: string): string {
  const ref = parseImageReference(image);
  return ref.digest !== undefined ? image : familiar({ ...ref, digest });
}

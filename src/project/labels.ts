// Names and com.docker.compose.* labels, in one place. They are the reference Docker Compose v2's, so
// projects brought up by either tool are seen and managed by the other (observed on 2.26.1: `up` puts
// the container labels below on every container, `network` on networks and `volume` on volumes).

const prefix = "com.docker.compose";

/**
 * The Docker Compose release whose behaviour tcompose follows: written in the version label of what it
 * creates, and reported by `version` (tools such as the devcontainers CLI choose behaviour by it).
 */
export const composeVersion = "2.26.1";

export const label = {
  project: `${prefix}.project`,
  service: `${prefix}.service`,
  containerNumber: `${prefix}.container-number`,
  /** "True" for `run` containers, "False" otherwise (Go's strconv-style capitalised booleans). */
  oneoff: `${prefix}.oneoff`,
  /** The slug of a one-off container's name (`run`). */
  slug: `${prefix}.slug`,
  /** The reference's `ps` and `ls` skip containers that lack this label (seen on 2.26.1). */
  configHash: `${prefix}.config-hash`,
  workingDir: `${prefix}.project.working_dir`,
  /** Comma-separated absolute paths of the compose files. */
  configFiles: `${prefix}.project.config_files`,
  environmentFile: `${prefix}.project.environment_file`,
  /** The version of the tool that created the object. */
  version: `${prefix}.version`,
  /** `service:condition:restart` entries, comma-separated; empty when there are none. */
  dependsOn: `${prefix}.depends_on`,
  /** The image id the container was created from. */
  image: `${prefix}.image`,
  network: `${prefix}.network`,
  /** On a container created to replace another (recreate): the replaced container's id. */
  replace: `${prefix}.replace`,
  volume: `${prefix}.volume`,
  /** On images the reference builds with the classic builder (DOCKER_BUILDKIT=0): "classic". */
  imageBuilder: `${prefix}.image.builder`,
} as const;

/** Go's strconv.FormatBool, capitalised as the reference writes it in the oneoff label. */
export function oneoffValue(oneoff: boolean): "True" | "False" {
  return oneoff ? "True" : "False";
}

/** `<project>-<service>-<n>`: a service's n-th container. */
export function containerName(project: string, service: string, number: number): string {
  return `${project}-${service}-${number}`;
}

/** `<project>_<name>`: a network or volume declared without an explicit `name:`. */
export function scopedName(project: string, name: string): string {
  return `${project}_${name}`;
}

/** `<project>-<service>`: the image built for a service that has no `image:`. */
export function builtImageName(project: string, service: string): string {
  return `${project}-${service}`;
}

/** The filter that selects everything of a project on the engine. */
export function projectFilter(project: string): Record<string, string> {
  return { [label.project]: project };
}

/** The labels `docker stack deploy` puts on a stack's objects (docker CLI 20.10, cli/compose/convert). */
export const stackLabel = {
  /** The stack's name: on its services, their containers, networks, secrets, configs and volumes. */
  namespace: "com.docker.stack.namespace",
  /** On a service: its image as written in the file (before --resolve-image pins a digest). */
  image: "com.docker.stack.image",
} as const;

/** `<stack>_<key>`: a stack's service, or a network, volume, secret or config declared without `name:`. */
export function stackScopedName(namespace: string, key: string): string {
  return `${namespace}_${key}`;
}

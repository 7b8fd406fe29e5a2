// Registry credentials found the way the docker CLI finds them after `docker login` (facts of its
// cli/config/configfile and credentials packages), so that pulls and pushes of private images work with
// tcompose as they do with the reference:
//   - the registry of an image is its domain; Docker Hub's credentials are kept under
//     "https://index.docker.io/v1/", every other registry's under its host[:port];
//   - a credential helper for that registry (`credHelpers`), else the default one (`credsStore`), runs as
//     `docker-credential-<name> get` with the registry on stdin and answers {Username, Secret} (a
//     Username of "<token>" makes the Secret an identity token);
//   - without a helper, `auths` holds the login: "auth" is base64 of user:password; a key may be written
//     as a URL (https://host/v1/), which counts as its host.
// What the engine takes is the X-Registry-Auth header: this AuthConfig as JSON, base64url-encoded; a build
// takes every login at once (X-Registry-Config), for the images its FROM lines pull.
import { parseImageReference } from "../image-reference.js";

export interface AuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** The parts of ~/.docker/config.json that hold credentials. */
export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Runs `docker-credential-<helper> get` for the server: its answer, or undefined when it has none. */
export type CredentialHelper = (
  helper: string,
  server: string,
) => { Username?: string; Secret?: string } | undefined;

const dockerHubServer = "https://index.docker.io/v1/";

/** The key a registry's credentials are kept under. */
function credentialServer(domain: string): string {
  return domain === "docker.io" || domain === "index.docker.io" ? dockerHubServer : domain;
}

/** host[:port] of a key written as a URL or as a bare host. */
function hostOf(key: string): string {
  const bare = key.replace(/^https?:\/\//, "");
  return bare.split("/")[0] ?? bare;
}

/** The registry logins a command can use: one image's, or all of them (for a build). */
export interface Credentials {
  forImage(image: string): AuthConfig | undefined;
  all(): Record<string, AuthConfig>;
}

/** The credentials for an image's registry, or undefined when there is no login for it. */
export function registryAuth(
  image: string,
  config: DockerConfigFile,
  runHelper: CredentialHelper,
): AuthConfig | undefined {
  return serverAuth(credentialServer(parseImageReference(image).domain), config, runHelper);
}

/**
 * Every login the file knows of, by the server it is kept under (docker's GetAllCredentials: the `auths`
 * entries and the registries with a helper of their own).
 */
export function allRegistryAuths(
  config: DockerConfigFile,
  runHelper: CredentialHelper,
): Record<string, AuthConfig> {
  const out: Record<string, AuthConfig> = {};
  for (const server of new Set([
    ...Object.keys(config.auths ?? {}),
    ...Object.keys(config.credHelpers ?? {}),
  ])) {
    const auth = serverAuth(server, config, runHelper);
    if (auth) out[server] = auth;
  }
  return out;
}

function serverAuth(
  server: string,
  config: DockerConfigFile,
  runHelper: CredentialHelper,
): AuthConfig | undefined {
  const helper = config.credHelpers?.[server] ?? config.credHelpers?.[hostOf(server)] ?? config.credsStore;
  if (helper) {
    const answer = runHelper(helper, server);
    if (!answer?.Username && !answer?.Secret) return undefined;
    return answer.Username === "<token>"
      ? { identitytoken: answer.Secret ?? "", serveraddress: server }
      : { username: answer.Username ?? "", password: answer.Secret ?? "", serveraddress: server };
  }
  const auths = config.auths ?? {};
  const entry =
    auths[server] ??
    Object.entries(auths).find(([key]) => hostOf(key) === hostOf(server))?.[1] ??
    (server === dockerHubServer ? (auths["docker.io"] ?? auths["index.docker.io"]) : undefined);
  if (!entry) return undefined;
  if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress: server };
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (!username && !password) return undefined;
  return { username: username ?? "", password: password ?? "", serveraddress: server };
}

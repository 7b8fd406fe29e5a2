// Registry logins for the images a BuildKit build pulls (FROM, COPY --from): moby.filesync.v1.Auth/Credentials
// (CredentialsRequest{Host = 1} → CredentialsResponse{Username = 1, Secret = 2}), answered from the same
// logins pulls use (engine/registry-auth.ts). Only Credentials is served: BuildKit takes Unimplemented from
// GetTokenAuthority as "no token authority" and then fetches tokens itself with these credentials
// (buildkit session/auth/auth.go, util/resolver/authorizer.go). An identity token goes as the Secret with no
// Username; a registry without a login answers empty credentials (anonymous), as the docker CLI does.
import type { AuthConfig, Credentials } from "../../engine/registry-auth.js";
import { ProtoWriter, readFields, text } from "../proto.js";
import type { GrpcHandlers } from "./types.js";

export const credentialsMethod = "/moby.filesync.v1.Auth/Credentials";

/** The host BuildKit names Docker Hub by; its logins are kept under docker.io. */
const dockerHubHost = "registry-1.docker.io";

/** The login for a registry host (host[:port]) from the logins pulls use. */
export function hostCredentials(
  credentials: Pick<Credentials, "forImage">,
  host: string,
): AuthConfig | undefined {
  const domain = host === dockerHubHost ? "docker.io" : host;
  // Any repository of the registry: the login is chosen by the reference's domain alone.
  return credentials.forImage(`${domain}/library/probe`);
}

/** A CredentialsResponse for the login (empty without one). */
export function credentialsResponse(auth: AuthConfig | undefined): Uint8Array {
  const writer = new ProtoWriter();
  if (auth?.identitytoken) writer.string(2, auth.identitytoken);
  else if (auth) {
    if (auth.username) writer.string(1, auth.username);
    if (auth.password) writer.string(2, auth.password);
  }
  return writer.finish();
}

export function authHandlers(credentials: Pick<Credentials, "forImage">): GrpcHandlers {
  return new Map([
    [
      credentialsMethod,
      {
        kind: "unary",
        async handle(request) {
          let host = "";
          for (const field of readFields(request)) if (field.no === 1) host = text(field);
          return credentialsResponse(hostCredentials(credentials, host));
        },
      },
    ],
  ]);
}

// Build secrets (`RUN --mount=type=secret,id=…`) from compose's `build.secrets`, as planBuild resolved them
// (request.ts: BuildKit asks by the entry's `target` when it has one, else by its `source`, as compose 2.26's
// addSecretsConfig does). Served as moby.buildkit.secrets.v1.Secrets/GetSecret
// (GetSecretRequest{ID = 1, annotations = 2}, GetSecretResponse{data = 1}).
import { readFile } from "node:fs/promises";
import { ProtoWriter, readFields, text } from "../proto.js";
import type { BuildSecret } from "../request.js";
import { GrpcCode, type GrpcHandlers, GrpcStatusError } from "./types.js";

export const getSecretMethod = "/moby.buildkit.secrets.v1.Secrets/GetSecret";

/** The id a GetSecretRequest asks for. */
export function secretRequestId(request: Uint8Array): string {
  for (const field of readFields(request)) if (field.no === 1) return text(field);
  return "";
}

/** A build secret whose value cannot be had; the message names it. */
export class BuildSecretError extends Error {
  readonly exitCode = 1;
}

/**
 * Whether a secret's value can be had: the message naming it when not (a file that cannot be read, a
 * variable that is not set), undefined when it can.
 */
async function secretProblem(
  secret: BuildSecret,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  try {
    await secretValue(secret, env);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Checks every secret before the build, as the reference does for files (it stats them first): BuildKit
 * turns a NotFound into a bare "secret <id> not found", so this is where the reason can be told.
 */
export async function checkSecrets(
  secrets: readonly BuildSecret[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  for (const secret of secrets) {
    const problem = await secretProblem(secret, env);
    if (problem) throw new BuildSecretError(problem);
  }
}

async function secretValue(
  secret: BuildSecret,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Uint8Array> {
  const name = `secret ${secret.id} (secrets.${secret.source})`;
  if (secret.file !== undefined) {
    try {
      return await readFile(secret.file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new GrpcStatusError(GrpcCode.NotFound, `${name}: cannot read ${secret.file} (${reason})`);
    }
  }
  const value = secret.environment === undefined ? undefined : env[secret.environment];
  if (value === undefined) {
    throw new GrpcStatusError(
      GrpcCode.NotFound,
      `${name}: environment variable ${secret.environment ?? ""} is not set`,
    );
  }
  return Buffer.from(value, "utf8");
}

/**
 * GetSecret over the build's secrets: a file is read when asked for, a variable looked up in `env`. An id
 * that is not there, a file that cannot be read or a variable that is not set answer NotFound, naming the
 * secret (BuildKit then fails the RUN with it, unless the mount says `required=false`).
 */
export function secretHandlers(
  secrets: readonly BuildSecret[],
  env: Readonly<Record<string, string | undefined>>,
): GrpcHandlers {
  const byId = new Map(secrets.map((s) => [s.id, s]));
  const read = async (id: string): Promise<Uint8Array> => {
    const secret = byId.get(id);
    if (!secret) {
      throw new GrpcStatusError(GrpcCode.NotFound, `secret ${id}: not in the service's build.secrets`);
    }
    return secretValue(secret, env);
  };
  return new Map([
    [
      getSecretMethod,
      {
        kind: "unary",
        handle: async (request) => new ProtoWriter().bytes(1, await read(secretRequestId(request))).finish(),
      },
    ],
  ]);
}

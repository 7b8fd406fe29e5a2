// A private registry for tests: Debian's docker-registry with basic auth from an htpasswd file, on
// 127.0.0.1 (which the engine treats as insecure, so plain HTTP), data in the caller's directory.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";

const registryBinary = "/usr/bin/docker-registry";

/** An htpasswd line (bcrypt, the only format the registry reads), through the C library's crypt. */
function htpasswdLine(user: string, password: string): string | undefined {
  const r = spawnSync(
    "python3",
    [
      "-W",
      "ignore",
      "-c",
      `import crypt; print("${user}:" + crypt.crypt("${password}", crypt.mksalt(crypt.METHOD_BLOWFISH)))`,
    ],
    { encoding: "utf8" },
  );
  return r.status === 0 && r.stdout.includes("$2") ? r.stdout.trim() : undefined;
}

/** Empty when a registry can be run here, else why not (for a test title). */
export const authRegistrySkipNote =
  existsSync(registryBinary) && htpasswdLine("probe", "probe")
    ? ""
    : " [SKIPPED: needs Debian's docker-registry and python3 with bcrypt crypt]";

export interface AuthRegistry {
  address: string;
  /** The value of `auths[address].auth` in docker's config.json. */
  auth: string;
  stop(): void;
}

/** Starts the registry on `address` with one user, and waits until it answers (401 on /v2/). */
export async function startAuthRegistry(
  dir: string,
  address: string,
  user: string,
  password: string,
): Promise<AuthRegistry> {
  const line = htpasswdLine(user, password);
  if (!line) throw new Error("cannot make an htpasswd line (python3 with bcrypt crypt)");
  writeFileSync(path.join(dir, "htpasswd"), `${line}\n`);
  writeFileSync(
    path.join(dir, "registry.yml"),
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "data")}`,
      "http:",
      `  addr: ${address}`,
      "auth:",
      "  htpasswd:",
      "    realm: tcompose-test",
      `    path: ${path.join(dir, "htpasswd")}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(registryBinary, ["serve", path.join(dir, "registry.yml")], {
    stdio: "ignore",
  });
  let status = 0;
  for (let i = 0; i < 100 && status !== 401; i++) {
    status = await fetch(`http://${address}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (status !== 401) {
    child.kill();
    throw new Error(`the registry on ${address} did not start (last status ${status})`);
  }
  return {
    address,
    auth: Buffer.from(`${user}:${password}`).toString("base64"),
    stop: () => child.kill(),
  };
}

// Bad input to a BuildKit build, through the CLI: a Dockerfile syntax error, an unknown target stage, a
// missing secret file, a `# syntax=` frontend image that cannot be pulled (no internet here), an SSH agent
// that is not running. Each fails with one clear line naming the service (and the Dockerfile or the secret
// or the agent), a non-zero exit, no stack trace, and no image tagged.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const dir = mkdtempSync(path.join(tmpdir(), "tct-bkerr-"));
const files: Record<string, string> = {
  "Dockerfile.syntax": "FROM busybox:1.36\nRUNX echo\n",
  "Dockerfile.target": "FROM busybox:1.36 AS first\nRUN true\n",
  "Dockerfile.frontend": "# syntax=docker/dockerfile:1.99\nFROM busybox:1.36\n",
  "Dockerfile.ssh": "FROM busybox:1.36\nRUN --mount=type=ssh true\n",
  "compose.yaml": `services:
  syntax: {build: {context: ., dockerfile: Dockerfile.syntax}}
  target: {build: {context: ., dockerfile: Dockerfile.target, target: nope}}
  secret: {build: {context: ., dockerfile: Dockerfile.target, secrets: [missing]}}
  frontend: {build: {context: ., dockerfile: Dockerfile.frontend}}
  ssh: {build: {context: ., dockerfile: Dockerfile.ssh, ssh: [default]}}
secrets:
  missing: {file: ./no-such-file}
`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);

const project = uniqueProjectName("bkerr");
function build(service: string) {
  const r = spawnSync(process.execPath, [cliPath, "-p", project, "--progress", "plain", "build", service], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", SSH_AUTH_SOCK: path.join(dir, "no-agent.sock") },
  });
  return { code: r.status, stderr: r.stderr };
}
const tagged = (service: string) =>
  spawnSync("docker", ["image", "inspect", `${project}-${service}`], { encoding: "utf8" }).status === 0;

describe.concurrent("BuildKit builds refuse bad input clearly", () => {
  it.each([
    [
      "syntax",
      17,
      `failed to build service "syntax" (${path.join(dir, "Dockerfile.syntax")}:2): `,
      /unknown instruction: RUNX/,
    ],
    [
      "target",
      17,
      `failed to build service "target" (${path.join(dir, "Dockerfile.target")}): `,
      /target stage nope could not be found/,
    ],
    ["secret", 1, `failed to build service "secret": secret missing`, /no-such-file/],
    ["frontend", 17, `failed to build service "frontend"`, /docker\/dockerfile:1\.99/],
    ["ssh", 1, `failed to build service "ssh": build.ssh: default: `, /no-agent\.sock/],
  ])("%s", (service, code, start, detail) => {
    const r = build(service as string);
    expect(r.code, r.stderr).toBe(code);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("tcompose: "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`tcompose: ${start}`);
    expect(errors[0]).toMatch(detail as RegExp);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(tagged(service as string)).toBe(false);
  });
});

import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

function collect(file: string, args: string[], cwd: string) {
  const child = spawn(file, args, { cwd });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return { child, output: () => out };
}

describe.skipIf(!referenceBinary)(`events against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19180));
  });
  afterAll(() => stack?.down());

  it("prints the same events, as text and as JSON", async () => {
    const ref = referenceBinary as string;
    const runs = [
      collect(process.execPath, [cliPath, "-p", stack.name, "events", "--json"], stack.dir),
      collect(ref, ["-p", stack.name, "events", "--json"], stack.dir),
      collect(process.execPath, [cliPath, "-p", stack.name, "events", "worker"], stack.dir),
      collect(ref, ["-p", stack.name, "events", "worker"], stack.dir),
    ];
    await new Promise((r) => setTimeout(r, 4000));
    stack.reference("-p", stack.name, "restart", "-t", "0", "worker");
    await new Promise((r) => setTimeout(r, 3000));
    for (const r of runs) r.child.kill();
    const [oursJson, refJson, oursText, refText] = runs.map((r) => r.output());
    // The healthcheck's exec and health events flow every second: which of them a run sees depends on
    // when it subscribed. The restart's events are compared.
    const lifecycle = /^(kill|die|stop|start|restart)$/;
    const parse = (t = "") =>
      t
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => lifecycle.test(String(e.action)))
        // Two containers' events of the same instant reach two subscribers in either order.
        .sort((a, b) => (`${a.time}${a.action}${a.id}` < `${b.time}${b.action}${b.id}` ? -1 : 1));
    expect(parse(oursJson).length).toBeGreaterThan(0);
    expect(parse(oursJson)).toEqual(parse(refJson));
    expect(oursJson).toMatch(/^\{"action":"kill","attributes":\{/m);
    // Text lines: attribute order is a Go map's in the reference; compared sorted.
    const norm = (t = "") =>
      t
        .split("\n")
        .filter((l) => / container (kill|die|stop|start|restart) /.test(l))
        .map((l) => l.replace(/\((.*)\)$/, (_m, a: string) => `(${a.split(", ").sort().join(", ")})`))
        .sort();
    expect(norm(oursText)).toEqual(norm(refText));
    expect(norm(oursText).length).toBeGreaterThanOrEqual(8);
    expect(oursText).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container die [0-9a-f]{64} \(.*\)\n\n/m);
  });
});

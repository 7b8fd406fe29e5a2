import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { errorText, type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

describe.skipIf(!referenceBinary)(`port against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19150));
  });
  afterAll(() => stack?.down());

  it("prints the same bindings and errors", () => {
    expect(stack.ours("-p", stack.name, "port", "web", "80").stdout).toBe("0.0.0.0:19150\n");
    for (const args of [
      ["port", "web", "80"],
      ["port", "web", "8001"],
      ["port", "web", "53", "--protocol", "udp"],
      ["port", "worker", "80", "--index", "2"],
      ["port", "web", "80", "--index", "3"],
      ["port", "nosuch", "80"],
    ]) {
      const ours = stack.ours("-p", stack.name, ...args);
      const reference = stack.reference("-p", stack.name, ...args);
      // The reference's pick between a port's IPv4 and IPv6 bindings varies between runs (engine order);
      // ours is IPv4. The published port is the same.
      const v4 = (t: string) => t.replace(/^:::/, "0.0.0.0:");
      // The listed ports of "no port" errors come in the engine's (varying) order.
      const ports = (t: string) => t.replace(/: [\d/a-z, ]+$/m, (m) => m.split(", ").sort().join(", "));
      expect({ code: ours.code, out: ours.stdout, err: ports(errorText(ours)) }).toEqual({
        code: reference.code,
        out: v4(reference.stdout),
        err: ports(reference.stderr),
      });
    }
  });

  it("names the container's ports when the asked one is not published", () => {
    const r = stack.ours("-p", stack.name, "port", "web", "81");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`no port 81/tcp for container ${stack.name}-web-1: .*19150/tcp`));
  });
});

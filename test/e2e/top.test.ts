import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

describe.skipIf(!referenceBinary)(`top against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19160));
  });
  afterAll(() => stack?.down());

  it("prints the same per-container tables", () => {
    for (const args of [["top"], ["top", "worker"], ["top", "web", "health"]]) {
      expect(stack.ours("-p", stack.name, ...args)).toEqual(stack.reference("-p", stack.name, ...args));
    }
    expect(stack.ours("-p", stack.name, "top", "web").stdout).toMatch(
      new RegExp(`^${stack.name}-web-1\\nUID +PID +PPID +C +STIME +TTY +TIME +CMD\\nroot .*sleep 3600 +\\n`),
    );
  });
});

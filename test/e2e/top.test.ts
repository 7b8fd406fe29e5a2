import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

describe.skipIf(!referenceBinary)(`top against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19160));
  });
  afterAll(() => stack?.down());

  // ps's C column (CPU use, in %) and TIME change between two runs of `ps`; everything else must match.
  const steady = (run: { code: number | null; stdout: string; stderr: string }) => ({
    ...run,
    stdout: run.stdout.replace(/^(root +\d+ +\d+ +)\d+( +\S+ +\S+ +)\S+/gm, "$1C$2TIME"),
  });

  it("prints the same per-container tables", () => {
    for (const args of [["top"], ["top", "worker"], ["top", "web", "health"]]) {
      expect(steady(stack.ours("-p", stack.name, ...args))).toEqual(
        steady(stack.reference("-p", stack.name, ...args)),
      );
    }
    expect(stack.ours("-p", stack.name, "top", "web").stdout).toMatch(
      new RegExp(`^${stack.name}-web-1\\nUID +PID +PPID +C +STIME +TTY +TIME +CMD\\nroot .*sleep 3600 +\\n`),
    );
  });
});

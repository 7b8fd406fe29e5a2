import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

describe.skipIf(!referenceBinary)(`images against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19140));
  });
  afterAll(() => stack?.down());

  it("prints the same table, ids and JSON", () => {
    for (const args of [["images"], ["images", "-q"], ["images", "--format", "json"], ["images", "web"]]) {
      expect(stack.ours("-p", stack.name, ...args)).toEqual(stack.reference("-p", stack.name, ...args));
    }
    expect(stack.ours("-p", stack.name, "images").stdout).toMatch(
      /busybox +1\.36 +[0-9a-f]{12} +\d(\.\d+)?MB\n/,
    );
  });
});

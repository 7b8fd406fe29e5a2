import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { type Stack, standardCompose, upStack } from "../helpers/ro-stack.js";

describe.skipIf(!referenceBinary)(`ls against the reference${referenceSkipNote}`, () => {
  let stack: Stack;
  beforeAll(() => {
    stack = upStack(standardCompose(19130));
    stack.reference("-p", stack.name, "stop", "-t", "0", "health");
  });
  afterAll(() => stack?.down());

  it("lists the project with its states and files, like the reference", () => {
    const filter = ["--filter", `name=${stack.name}`];
    for (const args of [
      ["ls", ...filter],
      ["ls", "-a", ...filter],
      ["ls", "-a", ...filter, "--format", "json"],
      ["ls", "-q", ...filter],
    ]) {
      const ours = stack.ours(...args);
      const reference = stack.reference(...args);
      expect(ours).toEqual(reference);
    }
    const table = stack.ours("ls", "-a", ...filter).stdout;
    expect(table).toMatch(
      new RegExp(`^${stack.name} +exited\\(1\\), running\\(3\\) +${stack.dir}/compose.yaml\\n`, "m"),
    );
    // Columns at least 20 wide, else the widest cell + 3 ("exited(1), running(3)" is 21).
    expect(table).toMatch(/^NAME {16}STATUS {18}CONFIG FILES\n/);
  });
});

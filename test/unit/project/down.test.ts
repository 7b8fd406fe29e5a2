import { describe, expect, it } from "vitest";
import { networkRemovalError } from "../../../src/project/apply.js";

describe("networkRemovalError", () => {
  it("keeps the engine's words, and explains a stale endpoint count", () => {
    const engine = "error while removing network: network p_default id 1234 has active endpoints";
    const text = networkRemovalError("p_default", engine);
    expect(text.split("\n")[0]).toBe(`failed to remove network p_default: ${engine}`);
    expect(text).toMatch(/no container is attached to it.*moby\/moby#42119.*restarting the engine/s);
  });

  it("adds nothing to other errors", () => {
    expect(networkRemovalError("p_default", "permission denied")).toBe(
      "failed to remove network p_default: permission denied",
    );
  });
});

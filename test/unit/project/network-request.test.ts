import { describe, expect, it } from "vitest";
import { networkRequest } from "../../../src/project/apply.js";
import type { Project } from "../../../src/project/load/index.js";
import type { Network } from "../../../src/project/load/types.js";

describe("networkRequest: the body of a project network's create", () => {
  it("asks the engine to refuse a name it has (docker compose's CheckDuplicate; a stack's create does not)", () => {
    const project = { name: "demo" } as Project;
    const network = { ipam: {}, labels: { team: "a" } } as unknown as Network;
    const request = networkRequest(project, "back", "demo_back", network);
    expect(request.CheckDuplicate).toBe(true);
    expect(request.Name).toBe("demo_back");
    expect(request.Labels).toMatchObject({
      team: "a",
      "com.docker.compose.network": "back",
      "com.docker.compose.project": "demo",
    });
  });
});

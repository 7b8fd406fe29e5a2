import { describe, expect, it } from "vitest";
import { builtImageName, containerName, label, oneoffValue, scopedName } from "../../src/project/labels.js";

describe("names and labels (the reference's)", () => {
  it("names containers, networks, volumes and built images like docker compose v2", () => {
    expect(containerName("shop", "web", 2)).toBe("shop-web-2");
    expect(scopedName("shop", "default")).toBe("shop_default");
    expect(builtImageName("shop", "web")).toBe("shop-web");
  });

  it("uses the com.docker.compose label keys and Go-style booleans", () => {
    expect(label.containerNumber).toBe("com.docker.compose.container-number");
    expect(label.configFiles).toBe("com.docker.compose.project.config_files");
    expect(label.workingDir).toBe("com.docker.compose.project.working_dir");
    expect([oneoffValue(true), oneoffValue(false)]).toEqual(["True", "False"]);
  });
});

import { describe, expect, it } from "vitest";
import { renderConfig } from "../../../src/cli/render/config.js";

const project = {
  volumes: { data: { name: "p_data" } },
  networks: { default: { name: "p_default", ipam: {} } },
  name: "p",
  services: {
    web: { image: "busybox", environment: { Z: "1", A: "$HOME", YES: "yes" }, command: ["echo", "$x"] },
    api: { image: "busybox" },
  },
};

describe("config output", () => {
  it("prints YAML in the reference's order, doubling every $ and quoting YAML 1.1 booleans", () => {
    expect(renderConfig(project, { format: "yaml", interpolated: true })).toBe(
      [
        "name: p",
        "services:",
        "  api:",
        "    image: busybox",
        "  web:",
        "    command:",
        "      - echo",
        "      - $$x",
        "    environment:",
        "      A: $$HOME",
        '      "YES": "yes"',
        '      Z: "1"',
        "    image: busybox",
        "networks:",
        "  default:",
        "    name: p_default",
        "volumes:",
        "  data:",
        "    name: p_data",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON with command and entrypoint always present and the empty ipam kept", () => {
    const parsed = JSON.parse(renderConfig(project, { format: "json", interpolated: true }));
    expect(parsed.services.api).toEqual({ command: null, entrypoint: null, image: "busybox" });
    expect(parsed.networks.default).toEqual({ name: "p_default", ipam: {} });
    expect(parsed.services.web.environment.A).toBe("$$HOME");
  });

  it("prints the document as written with --no-interpolate", () => {
    const raw = { services: { web: { image: "${IMAGE}" } } };
    expect(renderConfig(raw, { format: "json", interpolated: false })).toBe(JSON.stringify(raw, null, 2));
  });
});

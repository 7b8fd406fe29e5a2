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

  it("prints struct fields in compose-go's order, maps and x- extensions in yaml.v3's key order", () => {
    const model = {
      name: "p",
      "x-b": 1,
      "x-a": { b10: 1, b9: 2 },
      services: {
        web10: {
          image: "busybox",
          "x-z": 1,
          labels: { b: "1", a10: "2", a9: "3" },
          hostname: "h",
          healthcheck: { retries: 3, interval: "10s", test: ["CMD", "true"] },
          networks: { front: { ipv4_address: "10.0.0.2", aliases: ["a"], priority: 1 } },
          volumes: [{ read_only: true, target: "/d", source: "/s", type: "bind" }],
          deploy: { resources: { limits: { devices: [{ driver: "nvidia", capabilities: ["gpu"] }] } } },
          develop: { watch: [{ target: "/a", action: "sync", path: "/s" }] },
        },
        web9: { image: "busybox" },
      },
      networks: {
        front: { name: "p_front", enable_ipv6: true, ipam: { config: [{ subnet: "10.0.0.0/24" }] } },
      },
    };
    expect(renderConfig(model, { format: "yaml", interpolated: true })).toBe(
      [
        "name: p",
        "services:",
        "  web9:",
        "    image: busybox",
        "  web10:",
        "    develop:",
        "      watch:",
        "        - path: /s",
        "          action: sync",
        "          target: /a",
        "    deploy:",
        "      resources:",
        "        limits:",
        "          devices:",
        "            - capabilities:",
        "                - gpu",
        "              driver: nvidia",
        "    hostname: h",
        "    healthcheck:",
        "      test:",
        "        - CMD",
        '        - "true"',
        "      interval: 10s",
        "      retries: 3",
        "    image: busybox",
        "    labels:",
        '      a9: "3"',
        '      a10: "2"',
        '      b: "1"',
        "    networks:",
        "      front:",
        "        priority: 1",
        "        aliases:",
        "          - a",
        "        ipv4_address: 10.0.0.2",
        "    volumes:",
        "      - type: bind",
        "        source: /s",
        "        target: /d",
        "        read_only: true",
        "    x-z: 1",
        "networks:",
        "  front:",
        "    name: p_front",
        "    ipam:",
        "      config:",
        "        - subnet: 10.0.0.0/24",
        "    enable_ipv6: true",
        "x-a:",
        "  b9: 2",
        "  b10: 1",
        "x-b: 1",
        "",
      ].join("\n"),
    );
  });

  it("doubles `$` in the text after choosing each scalar's style, as the reference does", () => {
    const key = "$".repeat(100);
    const text = renderConfig(
      { name: "p", services: {}, "x-a": { [key]: "$", k: "$1" } },
      {
        format: "yaml",
        interpolated: true,
      },
    );
    // 100 bytes make a simple key; its 200 printed characters stay one.
    expect(text).toBe(`name: p\nservices: {}\nx-a:\n  ${"$".repeat(200)}: $$\n  k: $$1\n`);
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

import { describe, expect, it } from "vitest";
import {
  canonicalizeProject,
  canonicalizeService,
  parsePortSpec,
  parseVolumeSpec,
  scalarToString,
} from "../../../src/project/load/canonical.js";

const at = ["services", "web"];

function field(service: Record<string, unknown>, key: string): unknown {
  const result = canonicalizeService(service, at);
  expect(result.diagnostics).toEqual([]);
  return result.value[key];
}

describe("ports", () => {
  it("turns each short form into the reference's long form", () => {
    expect(parsePortSpec("80")).toEqual({ ports: [{ mode: "ingress", target: 80, protocol: "tcp" }] });
    expect(parsePortSpec("127.0.0.1:8080:80/udp")).toEqual({
      ports: [{ mode: "ingress", host_ip: "127.0.0.1", target: 80, published: "8080", protocol: "udp" }],
    });
    expect(parsePortSpec("[::1]::80")).toEqual({
      ports: [{ mode: "ingress", host_ip: "::1", target: 80, protocol: "tcp" }],
    });
    expect(parsePortSpec("9090-9091:8080-8081")).toEqual({
      ports: [
        { mode: "ingress", target: 8080, published: "9090", protocol: "tcp" },
        { mode: "ingress", target: 8081, published: "9091", protocol: "tcp" },
      ],
    });
    expect(parsePortSpec("8000-8002:80")).toEqual({
      ports: [{ mode: "ingress", target: 80, published: "8000-8002", protocol: "tcp" }],
    });
    expect(parsePortSpec("3000-3001")).toEqual({
      ports: [
        { mode: "ingress", target: 3000, protocol: "tcp" },
        { mode: "ingress", target: 3001, protocol: "tcp" },
      ],
    });
  });

  it("completes the long form and keeps repeated short specs once", () => {
    expect(field({ ports: [3000, "3000", { target: 81, published: 8181 }] }, "ports")).toEqual([
      { mode: "ingress", target: 3000, protocol: "tcp" },
      { mode: "ingress", target: 81, published: "8181", protocol: "tcp" },
    ]);
  });

  it.each([
    ["8000-7999:80", "Invalid hostPort: 8000-7999"],
    ["abc", "Invalid containerPort: abc"],
    ["70000", "Invalid containerPort: 70000"],
    ["80/xyz", "Invalid proto: xyz"],
    ["1.2.3.4:80", "Invalid hostPort: 1.2.3.4"],
    ["foo:80:80", "Invalid ip address: foo"],
    ["::1:8082:80", "Invalid ip address ::1: address ::1:: too many colons in address"],
    ["9090-9091:8080-8082", "Invalid ranges specified for container and host Ports: 8080-8082 and 9090-9091"],
    ["8080:80-81", "Invalid ranges specified for container and host Ports: 80-81 and 8080"],
  ])("%s is reported with the reference's message", (spec, message) => {
    const result = canonicalizeService({ ports: ["80", spec] }, at);
    expect(result.diagnostics).toEqual([{ path: ["services", "web", "ports", 1], message }]);
  });
});

describe("volumes", () => {
  it("parses short binds, named and anonymous volumes with their options", () => {
    expect(parseVolumeSpec("./data:/data:ro,z")).toEqual({
      volume: {
        type: "bind",
        source: "./data",
        target: "/data",
        read_only: true,
        bind: { selinux: "z", create_host_path: true },
      },
    });
    expect(parseVolumeSpec("data:/d:nocopy,rprivate")).toEqual({
      volume: {
        type: "volume",
        source: "data",
        target: "/d",
        bind: { propagation: "rprivate" },
        volume: { nocopy: true },
      },
    });
    expect(parseVolumeSpec("/anon")).toEqual({ volume: { type: "volume", target: "/anon", volume: {} } });
    // Quirks of the reference: a two-character anonymous spec gets no `volume: {}`; "e:" is a drive letter.
    expect(parseVolumeSpec("/a")).toEqual({ volume: { type: "volume", target: "/a" } });
    expect(parseVolumeSpec("e:/e")).toEqual({ volume: { type: "volume", target: "e:/e", volume: {} } });
    expect(parseVolumeSpec("./b:/b:rw,nocopy")).toEqual({
      volume: {
        type: "bind",
        source: "./b",
        target: "/b",
        bind: { create_host_path: true },
        volume: { nocopy: true },
      },
    });
    expect(parseVolumeSpec("./b:/b:ro,rw")).toEqual({
      volume: { type: "bind", source: "./b", target: "/b", bind: { create_host_path: true } },
    });
  });

  it("lets a later volume with the same target replace an earlier one in place", () => {
    expect(field({ volumes: ["va:/x", "/y", "vb:/x:ro"] }, "volumes")).toEqual([
      { type: "volume", source: "vb", target: "/x", read_only: true, volume: {} },
      { type: "volume", target: "/y" },
    ]);
  });

  it("drops false defaults of the long form and converts tmpfs sizes", () => {
    expect(
      field(
        {
          volumes: [
            { type: "bind", source: ".", target: "/t", bind: { create_host_path: false }, read_only: false },
            { type: "tmpfs", target: "/m", tmpfs: { size: "1g", mode: 493 } },
          ],
        },
        "volumes",
      ),
    ).toEqual([
      { type: "bind", source: ".", target: "/t", bind: {} },
      { type: "tmpfs", target: "/m", tmpfs: { size: "1073741824", mode: 493 } },
    ]);
  });

  it.each([
    ["./b:/b:", "invalid spec: ./b:/b:: empty section between colons"],
    [":/b", "invalid spec: :/b: empty section between colons"],
    ["/a:/b:ro:x", "invalid spec: /a:/b:ro:x: too many colons"],
  ])("%s is reported", (spec, message) => {
    expect(canonicalizeService({ volumes: [spec] }, at).diagnostics).toEqual([
      { path: ["services", "web", "volumes", 0], message },
    ]);
  });
});

describe("other service fields", () => {
  it("depends_on: list → map; map entries get the defaults", () => {
    expect(field({ depends_on: ["db"] }, "depends_on")).toEqual({
      db: { condition: "service_started", required: true },
    });
    expect(
      field(
        { depends_on: { db: { condition: "service_healthy", restart: true, required: false } } },
        "depends_on",
      ),
    ).toEqual({ db: { condition: "service_healthy", restart: true, required: false } });
  });

  it("depends_on: none at all (`{}` or `[]`, an anchor's too) prints nothing", () => {
    expect(field({ depends_on: {} }, "depends_on")).toBeUndefined();
    expect(field({ depends_on: [] }, "depends_on")).toBeUndefined();
  });

  it("hooks and watch exec: a string command is split (an empty one is []), a list environment a map", () => {
    const hook = { command: "echo 'a b'", environment: ["A=1", "B"], privileged: false };
    expect(field({ post_start: [hook, { command: "" }] }, "post_start")).toEqual([
      { command: ["echo", "a b"], environment: { A: "1", B: null }, privileged: false },
      { command: [] },
    ]);
    expect(field({ pre_stop: [{ command: "kill 1" }] }, "pre_stop")).toEqual([{ command: ["kill", "1"] }]);
    const watch = [
      { path: "./src", action: "sync+exec", exec: { command: "kill -HUP 1", environment: { N: 5 } } },
    ];
    expect(field({ develop: { watch } }, "develop")).toEqual({
      watch: [
        {
          path: "./src",
          action: "sync+exec",
          exec: { command: ["kill", "-HUP", "1"], environment: { N: "5" } },
        },
      ],
    });
    // Zero values go (omitempty), the empty command stays.
    const project = canonicalizeProject({ services: { a: { post_start: [hook, { command: "" }] } } });
    expect((project.value.services as Record<string, Record<string, unknown>>).a?.post_start).toEqual([
      { command: ["echo", "a b"], environment: { A: "1", B: null } },
      { command: [] },
    ]);
  });

  it("build: a string is the context", () => {
    expect(field({ build: "./app" }, "build")).toEqual({ context: "./app" });
    expect(
      field({ build: { context: ".", args: ["A=1", "B"], shm_size: "64m", no_cache: false } }, "build"),
    ).toEqual({
      context: ".",
      args: { A: "1", B: null },
      shm_size: "67108864",
    });
  });

  it("environment keeps KEY without = as null; labels make it an empty string", () => {
    expect(field({ environment: ["A=1", "B", "C=", "D=x=y", "A=2"] }, "environment")).toEqual({
      A: "2",
      B: null,
      C: "",
      D: "x=y",
    });
    expect(field({ environment: { X: 1, Y: true, Z: null, F: 1.5 } }, "environment")).toEqual({
      X: "1",
      Y: "true",
      Z: null,
      F: "1.5",
    });
    expect(field({ labels: ["a=b", "c"] }, "labels")).toEqual({ a: "b", c: "" });
    expect(field({ labels: { a: null, b: 1 } }, "labels")).toEqual({ a: "", b: "1" });
  });

  it("healthcheck: a string test runs in a shell; durations print like Go", () => {
    expect(
      field({ healthcheck: { interval: "90s", test: "curl x", retries: 3, disable: false } }, "healthcheck"),
    ).toEqual({ test: ["CMD-SHELL", "curl x"], interval: "1m30s", retries: 3 });
  });

  it("command and entrypoint strings are split into words", () => {
    expect(field({ command: "echo 'a b'" }, "command")).toEqual(["echo", "a b"]);
    expect(field({ entrypoint: ["/bin/sh", "-c"] }, "entrypoint")).toEqual(["/bin/sh", "-c"]);
  });

  it("networks list → map of nulls", () => {
    expect(field({ networks: ["front", "back"] }, "networks")).toEqual({ front: null, back: null });
  });

  it("networks: gw_priority is left out (2.26.1's model has no such field)", () => {
    const networks = { front: { gw_priority: 1, priority: 5 }, back: { gw_priority: 2 } };
    expect(field({ networks }, "networks")).toEqual({ front: { priority: 5 }, back: {} });
  });

  it("extra_hosts print as sorted host=ip strings", () => {
    expect(field({ extra_hosts: ["b:::1", "a=1.1.1.1"] }, "extra_hosts")).toEqual(["a=1.1.1.1", "b=::1"]);
    expect(field({ extra_hosts: { h: ["::1", "2.2.2.2"] } }, "extra_hosts")).toEqual(["h=2.2.2.2", "h=::1"]);
  });

  it("sizes, cpus, ulimits, secrets, configs, devices, dns, env_file, pull_policy, deploy", () => {
    const service = canonicalizeService(
      {
        mem_limit: "1g",
        shm_size: 0,
        cpus: "0.5",
        ulimits: { nofile: 1024, core: 0 },
        secrets: ["s", { source: "t", target: "/x" }],
        configs: ["c"],
        devices: ["/dev/a", "/dev/b:/dev/c", "/dev/d:/dev/e:r"],
        dns: "8.8.8.8",
        env_file: ["a.env", { path: "b.env", required: false }],
        pull_policy: "if_not_present",
        deploy: { resources: { limits: { cpus: "0.5", memory: "50M" } }, restart_policy: { delay: "5s" } },
      },
      at,
    ).value;
    expect(service).toEqual({
      mem_limit: "1073741824",
      cpus: 0.5,
      ulimits: { nofile: 1024, core: {} },
      secrets: [
        { source: "s", target: "/run/secrets/s" },
        { source: "t", target: "/x" },
      ],
      configs: [{ source: "c" }],
      devices: [
        { source: "/dev/a", target: "/dev/a", permissions: "rwm" },
        { source: "/dev/b", target: "/dev/c", permissions: "rwm" },
        { source: "/dev/d", target: "/dev/e", permissions: "r" },
      ],
      dns: ["8.8.8.8"],
      env_file: [
        { path: "a.env", required: true },
        { path: "b.env", required: false },
      ],
      // The alias is normalization's (normalize.ts), not the canonical form's: --no-normalize prints it.
      pull_policy: "if_not_present",
      deploy: {
        resources: { limits: { cpus: 0.5, memory: "52428800" } },
        placement: {},
        restart_policy: { delay: "5s" },
      },
    });
  });

  it("reports bad durations, sizes and command lines at their path", () => {
    const result = canonicalizeService(
      { stop_grace_period: "10x", mem_limit: "1x", command: '"a', healthcheck: { interval: "1d" } },
      at,
    );
    expect(result.diagnostics).toEqual([
      { path: [...at, "stop_grace_period"], message: 'time: unknown unit "x" in duration "10x"' },
      { path: [...at, "mem_limit"], message: "invalid size: '1x'" },
      { path: [...at, "command"], message: "invalid command line string" },
      { path: [...at, "healthcheck", "interval"], message: 'time: unknown unit "d" in duration "1d"' },
    ]);
  });
});

describe("top-level sections", () => {
  it("networks get an ipam section; driver_opts become strings", () => {
    const { value } = canonicalizeProject({
      services: { web: { image: "x" } },
      networks: { front: null, back: { driver_opts: { a: 1 } } },
      volumes: { data: { driver_opts: { o: 1 } } },
    });
    expect(value.networks).toEqual({ front: { ipam: {} }, back: { driver_opts: { a: "1" }, ipam: {} } });
    expect(value.volumes).toEqual({ data: { driver_opts: { o: "1" } } });
  });
});

describe("zero values the reference leaves out", () => {
  it("prints no empty map: labels, environment, annotations, sysctls, build args and labels", () => {
    const service = canonicalizeService(
      {
        image: "x",
        labels: {},
        environment: [],
        annotations: [],
        sysctls: {},
        build: { context: ".", args: {}, labels: [] },
      },
      at,
    ).value;
    expect(service).toEqual({ image: "x", build: { context: "." } });
  });

  it("prints no external: false, and no empty dns entry", () => {
    const project = canonicalizeProject({
      services: { web: { image: "x", dns: ["", "1.1.1.1"], dns_search: "" } },
      volumes: { v: { external: false } },
      networks: { n: { external: false, driver_opts: {} } },
    }).value as Record<string, Record<string, Record<string, unknown>>>;
    expect(project.services?.web).toMatchObject({ dns: ["1.1.1.1"], dns_search: [""] });
    expect(project.volumes?.v).toEqual({});
    expect(project.networks?.n).toEqual({ ipam: {} });
  });
});

describe("what a differential fuzz found", () => {
  it("prints numbers as Go's shortest float form", () => {
    expect([1, 1.5, 0.000001, 123456.5, 123456789.123, -0, 1e-7].map(scalarToString)).toEqual([
      "1",
      "1.5",
      "1e-06",
      "123456.5",
      "1.23456789123e+08",
      "-0",
      "1e-07",
    ]);
  });

  it("reads a protocol in any case, and keeps one port per host ip, published port, target and protocol", () => {
    expect(field({ ports: ["443:443/TCP", "80:80", "0.0.0.0:80:80"] }, "ports")).toEqual([
      { mode: "ingress", target: 443, published: "443", protocol: "tcp" },
      { mode: "ingress", host_ip: "0.0.0.0", target: 80, published: "80", protocol: "tcp" },
    ]);
  });

  it("leaves out an empty healthcheck test and logging driver; mem_swappiness is a size", () => {
    const service = canonicalizeService(
      { healthcheck: { test: [], retries: 3 }, logging: { driver: "" }, mem_swappiness: 60 },
      at,
    ).value;
    expect(service).toEqual({ healthcheck: { retries: 3 }, logging: {}, mem_swappiness: "60" });
  });

  it("networks: false flags and ipam options left out, driver_opts as strings", () => {
    const project = canonicalizeProject({
      services: { web: { image: "x", networks: { n: { driver_opts: { x: 1 } } } } },
      networks: {
        n: {
          attachable: false,
          internal: false,
          enable_ipv6: false,
          ipam: { driver: "d", options: { a: "b" } },
        },
      },
    }).value as Record<string, Record<string, Record<string, unknown>>>;
    expect(project.services?.web?.networks).toEqual({ n: { driver_opts: { x: "1" } } });
    expect(project.networks?.n).toEqual({ enable_ipv6: false, ipam: { driver: "d" } });
  });
});

describe("zero values and legacy forms (fuzz, second batch)", () => {
  it("leaves out zero struct fields but keeps pointers, free maps and names", () => {
    const project = canonicalizeProject({
      services: {
        web: {
          image: "x",
          cpu_count: 0,
          hostname: "",
          profiles: [],
          init: false,
          environment: { EMPTY: "" },
          deploy: { replicas: 0, update_config: { delay: "0s", parallelism: 0 } },
          healthcheck: { retries: 0 },
          volumes: ["./data:/d/", "./anon"],
        },
      },
    }).value as Record<string, Record<string, Record<string, unknown>>>;
    expect(project.services?.web).toEqual({
      image: "x",
      init: false,
      environment: { EMPTY: "" },
      deploy: { replicas: 0, update_config: { parallelism: 0 }, resources: {}, placement: {} },
      healthcheck: { retries: 0 },
      volumes: [
        { type: "bind", source: "./data", target: "/d", bind: { create_host_path: true } },
        { type: "volume", target: "anon", volume: {} },
      ],
    });
  });

  it("reads the deprecated external: {name} as external and named", () => {
    const project = canonicalizeProject({ networks: { n: { external: { name: "legacy" } } } })
      .value as Record<string, Record<string, unknown>>;
    expect(project.networks?.n).toEqual({ external: true, name: "legacy", ipam: {} });
  });
});

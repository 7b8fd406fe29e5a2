import { describe, expect, it } from "vitest";
import { checkModel, checkProject } from "../../../src/project/load/check.js";

/** One concern's checks: each service gets an image, so that "neither an image nor a build" stays out of them. */
function check(project: Record<string, unknown>) {
  const services = Object.fromEntries(
    Object.entries((project.services ?? {}) as Record<string, Record<string, unknown>>).map(([name, s]) => [
      name,
      { image: "x", ...s },
    ]),
  );
  return checkProject({ ...project, services });
}

describe("semantic checks", () => {
  it("reports every undefined network, volume, secret and config with its path, at once", () => {
    const project = {
      services: {
        a: {
          networks: { front: null, default: null },
          volumes: [
            { type: "volume", source: "data", target: "/d" },
            { type: "bind", source: "/host", target: "/h" },
            { type: "volume", target: "/anon" },
          ],
          secrets: [{ source: "s" }],
          configs: ["c"],
        },
      },
      networks: { default: {} },
    };
    expect(check(project)).toEqual([
      {
        path: ["services", "a", "networks", "front"],
        message: 'service "a" refers to undefined network front',
      },
      { path: ["services", "a", "volumes", 0], message: 'service "a" refers to undefined volume data' },
      { path: ["services", "a", "secrets", 0], message: 'service "a" refers to undefined secret s' },
      { path: ["services", "a", "configs", 0], message: 'service "a" refers to undefined config c' },
    ]);
  });

  it("accepts an optional dependency on a service that is not enabled, like the reference", () => {
    const project = {
      services: { app: { depends_on: { debug: { condition: "service_started", required: false } } } },
    };
    expect(check(project)).toEqual([]);
    const required = { services: { app: { depends_on: { debug: { condition: "service_started" } } } } };
    expect(check(required)).toEqual([
      { path: ["services", "app"], message: 'service "app" depends on undefined service "debug"' },
    ]);
  });

  it("names undefined dependencies and the cycle, like the reference", () => {
    const project = {
      services: {
        a: { depends_on: { b: {} } },
        b: { depends_on: { c: {} } },
        c: { depends_on: { a: {} }, volumes_from: ["ghost"] },
      },
    };
    expect(check(project)).toEqual([
      { path: ["services", "c"], message: 'service "c" depends on undefined service "ghost"' },
      { path: ["services", "a"], message: "dependency cycle detected: a -> b -> c -> a" },
    ]);
  });

  it("refuses container_name with more than one replica", () => {
    const project = {
      services: { a: { container_name: "foo", deploy: { replicas: 2 } }, b: { container_name: "bar" } },
    };
    expect(check(project)).toEqual([
      {
        path: ["services", "a", "container_name"],
        message: `can't set container_name and scale 2 on service "a": a container name must be unique`,
      },
    ]);
  });
});

describe("device reservations", () => {
  it("refuses count together with device_ids (on every load: checkModel)", () => {
    const devices = [
      { capabilities: ["gpu"], count: 1, device_ids: ["0"] },
      { capabilities: ["gpu"], count: 1 },
    ];
    const project = { services: { w: { deploy: { resources: { reservations: { devices } } } } } };
    expect(checkModel(project)).toEqual([
      {
        path: ["services", "w", "deploy", "resources", "reservations", "devices", 0],
        message: '"count" and "device_ids" attributes are exclusive',
      },
    ]);
  });
});

describe("settings with a deploy twin", () => {
  it("refuses scale, cpus, mem_limit, pids_limit and mem_reservation unlike their deploy twins", () => {
    const problems = check({
      services: {
        a: {
          scale: 2,
          cpus: 0.5,
          mem_limit: "1073741824",
          pids_limit: 10,
          mem_reservation: "1024",
          deploy: {
            replicas: 3,
            resources: { limits: { memory: "2147483648", pids: 10 }, reservations: { memory: "2048" } },
          },
        },
      },
    });
    expect(problems.map((p) => p.path.join("."))).toEqual([
      "services.a.scale",
      "services.a.cpus",
      "services.a.mem_limit",
      "services.a.mem_reservation",
    ]);
    expect(problems[1]?.message).toBe(
      "can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'",
    );
  });

  it("accepts twins that agree, and a setting without its deploy block", () => {
    const agreeing = {
      scale: 2,
      cpus: 0.5,
      mem_limit: "1073741824",
      deploy: { replicas: 2, resources: { limits: { cpus: 0.5, memory: "1073741824" } } },
    };
    expect(check({ services: { a: agreeing, b: { cpus: 1, deploy: { resources: {} } } } })).toEqual([]);
  });

  it("wants a target on watch rules that sync", () => {
    const problems = check({
      services: {
        a: {
          develop: {
            watch: [
              { path: "/p", action: "sync" },
              { path: "/p", action: "rebuild" },
              { path: "/p", action: "sync+restart", target: "/t" },
            ],
          },
        },
      },
    });
    expect(problems).toEqual([
      {
        path: ["services", "a", "develop", "watch", 0],
        message: "target is required for non-rebuild actions",
      },
    ]);
  });
});

describe("service consistency, as the reference checks it", () => {
  it("reports every service that cannot be built or run, at once", () => {
    const problems = checkProject({
      services: {
        nothing: { command: ["x"] },
        both: { build: { context: ".", dockerfile: "D", dockerfile_inline: "FROM x" } },
        ctx: {
          build: {
            context: ".",
            additional_contexts: { u: "service:nope", i: "service:img", ok: "service:both" },
          },
        },
        img: { image: "x" },
        plat: { image: "x", platform: "linux/arm64", build: { context: ".", platforms: ["linux/amd64"] } },
        net: { image: "x", network_mode: "host", networks: { n: null } },
        hc: { image: "x", healthcheck: { test: ["echo", "hi"] } },
        sec: { image: "x", build: { context: ".", secrets: [{ source: "s" }] } },
      },
      networks: { n: {} },
    });
    expect(problems.map((p) => `${p.path.join(".")}: ${p.message}`)).toEqual([
      'services.sec.build.secrets.0: service "sec" refers to undefined build secret s',
      'services.nothing: service "nothing" has neither an image nor a build context specified',
      'services.both.build: service "both" declares mutually exclusive dockerfile and dockerfile_inline',
      'services.ctx.build.additional_contexts.u: service "ctx" declares unknown service "nope" as additional contexts u',
      'services.ctx.build.additional_contexts.i: service "ctx" declares non-buildable service "img" as additional contexts i',
      `services.plat.build.platforms: build.platforms must include the service's platform "linux/arm64"`,
      "services.net.networks: service net declares mutually exclusive network_mode and networks",
      'services.hc.healthcheck.test: healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
    ]);
  });
});

describe("checkModel: what every load checks", () => {
  it("wants one source per secret and config, unless external or driven", () => {
    const problems = checkModel({
      secrets: {
        none: { name: "x" },
        two: { file: "f", environment: "E" },
        ext: { external: true },
        ok: { file: "f" },
      },
      configs: { drv: { driver: "d" }, three: { file: "f", content: "c" }, ok: { content: "c" } },
    });
    expect(problems).toEqual([
      { path: ["secrets", "none"], message: "one of file|environment must be set" },
      { path: ["secrets", "two"], message: "file|environment attributes are mutually exclusive" },
      { path: ["configs", "three"], message: "file|environment|content attributes are mutually exclusive" },
    ]);
  });
});

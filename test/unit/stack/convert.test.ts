import { describe, expect, it } from "vitest";
import type { ServiceSpec } from "../../../src/project/engine/types.js";
import { loadProject } from "../../../src/project/load/index.js";
import type { ComposeModel } from "../../../src/project/load/types.js";
import {
  convertStack,
  StackConvertError,
  type StackObjects,
  stackContentSources,
} from "../../../src/project/stack/convert.js";
import { memoryFileSystem } from "../../helpers/memfs.js";

// Expected values are those docker stack deploy (docker CLI 20.10.24) sends for the same file, checked with
// `docker service inspect` on the test swarm.

const ns = "st";
const nsLabel = "com.docker.stack.namespace";

function load(
  yaml: string,
  options: { projectName?: string; env?: Record<string, string> } = {},
): ComposeModel {
  const fs = memoryFileSystem("/src/demo", { "/src/demo/compose.yaml": yaml });
  const loaded = loadProject({
    options: options.projectName ? { projectName: options.projectName } : {},
    env: options.env ?? {},
    fs,
    home: "/home/me",
  });
  if (!loaded.project)
    throw new Error(JSON.stringify(loaded.problems.length ? loaded.problems : loaded.failure));
  return loaded.project.model;
}

function convert(
  yaml: string,
  contents: { secrets?: Record<string, string>; configs?: Record<string, string> } = {},
  options: { projectName?: string; namespace?: string } = {},
): StackObjects {
  const buffers = (m: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Buffer.from(v)]));
  return convertStack({
    model: load(yaml, options),
    namespace: options.namespace ?? ns,
    contents: { secrets: buffers(contents.secrets), configs: buffers(contents.configs) },
  });
}

/** The spec of the only (or the named) service of a file. */
function spec(yaml: string, service?: string): ServiceSpec {
  const { services } = convert(yaml);
  const found = service ? services.find((s) => s.key === service) : services[0];
  if (!found) throw new Error(`no service ${service}`);
  return found.spec;
}

const web = (body: string) => `services:\n  web:\n    image: busybox:1.36\n${body}`;

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StackConvertError);
    return (error as Error).message;
  }
  throw new Error("no error");
}

describe("convertStack: a minimal service", () => {
  it("is docker's spec: labels, Privileges, empty Resources and Placement, the default network", () => {
    const objects = convert(web(""));
    expect(objects.services).toEqual([
      {
        key: "web",
        name: "st_web",
        image: "busybox:1.36",
        spec: {
          Name: "st_web",
          Labels: { [nsLabel]: "st", "com.docker.stack.image": "busybox:1.36" },
          TaskTemplate: {
            ContainerSpec: {
              Image: "busybox:1.36",
              Labels: { [nsLabel]: "st" },
              Privileges: { CredentialSpec: null, SELinuxContext: null },
            },
            Resources: {},
            Placement: {},
            Networks: [{ Target: "st_default", Aliases: ["web"] }],
          },
          Mode: { Replicated: {} },
          EndpointSpec: {},
        },
      },
    ]);
    expect(objects.networks).toEqual([
      {
        key: "default",
        name: "st_default",
        external: false,
        request: { Name: "st_default", Driver: "overlay", Labels: { [nsLabel]: "st" } },
      },
    ]);
    expect(objects.secrets).toEqual([]);
    expect(objects.configs).toEqual([]);
    expect(objects.warnings).toEqual([]);
  });

  it("refuses a service without an image", () => {
    expect(failure(() => convert("services:\n  web:\n    build: .\n"))).toMatch(/^service web: no image/);
  });
});

describe("convertStack: the container spec", () => {
  const cases: { name: string; body: string; expected: Record<string, unknown> }[] = [
    {
      name: "entrypoint is Command, command is Args",
      body: "    entrypoint: [/bin/sh, -c]\n    command: sleep 1\n",
      expected: { Command: ["/bin/sh", "-c"], Args: ["sleep", "1"] },
    },
    {
      name: "environment sorted, a variable without value by name only",
      body: "    environment: { B: '2', A: '1', C: null, E: '' }\n",
      expected: { Env: ["A=1", "B=2", "C", "E="] },
    },
    {
      name: "container labels plus the namespace",
      body: "    labels: { tier: front }\n",
      expected: { Labels: { tier: "front", [nsLabel]: "st" } },
    },
    {
      name: "hostname, user, working_dir, stop_signal, isolation",
      body: "    hostname: h1\n    user: '1000'\n    working_dir: /w\n    stop_signal: SIGINT\n    isolation: default\n",
      expected: { Hostname: "h1", User: "1000", Dir: "/w", StopSignal: "SIGINT", Isolation: "default" },
    },
    {
      name: "tty, stdin_open, read_only, init",
      body: "    tty: true\n    stdin_open: true\n    read_only: true\n    init: true\n",
      expected: { TTY: true, OpenStdin: true, ReadOnly: true, Init: true },
    },
    { name: "init: false is sent", body: "    init: false\n", expected: { Init: false } },
    {
      name: "stop_grace_period in nanoseconds",
      body: "    stop_grace_period: 1m30s\n",
      expected: { StopGracePeriod: 90_000_000_000 },
    },
    {
      name: "extra_hosts as 'ip host'",
      body: "    extra_hosts: ['db:10.0.0.2', 'v6=::1']\n",
      expected: { Hosts: ["10.0.0.2 db", "::1 v6"] },
    },
    {
      name: "dns and dns_search",
      body: "    dns: [8.8.8.8]\n    dns_search: [example.com]\n",
      expected: { DNSConfig: { Nameservers: ["8.8.8.8"], Search: ["example.com"] } },
    },
    {
      name: "beyond docker: dns_opt and group_add",
      body: "    dns_opt: [ndots:1]\n    group_add: [audio]\n",
      expected: { DNSConfig: { Options: ["ndots:1"] }, Groups: ["audio"] },
    },
    {
      name: "sysctls",
      body: "    sysctls: { net.core.somaxconn: 1024 }\n",
      expected: { Sysctls: { "net.core.somaxconn": "1024" } },
    },
    {
      name: "capabilities: normalized, sorted, an added one not dropped",
      body: "    cap_add: [sys_time, NET_ADMIN]\n    cap_drop: [MKNOD, CAP_NET_ADMIN]\n",
      expected: { CapabilityAdd: ["CAP_NET_ADMIN", "CAP_SYS_TIME"], CapabilityDrop: ["CAP_MKNOD"] },
    },
    {
      name: "cap_add ALL wins",
      body: "    cap_add: [ALL, NET_ADMIN]\n    cap_drop: [ALL]\n",
      expected: { CapabilityAdd: ["ALL"] },
    },
    {
      name: "ulimits sorted, a single value for both",
      body: "    ulimits: { nproc: 50, nofile: { soft: 100, hard: 200 } }\n",
      expected: {
        Ulimits: [
          { Name: "nofile", Soft: 100, Hard: 200 },
          { Name: "nproc", Soft: 50, Hard: 50 },
        ],
      },
    },
    {
      name: "healthcheck: the test and durations",
      body: "    healthcheck: { test: curl x, interval: 10s, timeout: 2s, retries: 3, start_period: 5s }\n",
      expected: {
        Healthcheck: {
          Test: ["CMD-SHELL", "curl x"],
          Interval: 10_000_000_000,
          Timeout: 2_000_000_000,
          Retries: 3,
          StartPeriod: 5_000_000_000,
        },
      },
    },
    {
      name: "healthcheck: disable",
      body: "    healthcheck: { disable: true }\n",
      expected: { Healthcheck: { Test: ["NONE"] } },
    },
    {
      name: "healthcheck: start_interval is not sent (API 1.41)",
      body: "    healthcheck: { interval: 5s, start_interval: 1s }\n",
      expected: { Healthcheck: { Interval: 5_000_000_000 } },
    },
  ];
  for (const { name, body, expected } of cases) {
    it(name, () => {
      const container = spec(web(body)).TaskTemplate.ContainerSpec;
      expect(container).toMatchObject(expected);
      for (const [key, value] of Object.entries(expected))
        expect(container[key as keyof typeof container]).toEqual(value);
    });
  }

  it("leaves out what is not written (or empty)", () => {
    const container = spec(web("    command: []\n    environment: {}\n    cap_drop: []\n")).TaskTemplate
      .ContainerSpec;
    expect(Object.keys(container).sort()).toEqual(["Image", "Labels", "Privileges"]);
  });

  it("the image as written, also in the service's image label", () => {
    const { services } = convert(web("").replace("busybox:1.36", "127.0.0.1:5000/app"));
    expect(services[0]?.image).toBe("127.0.0.1:5000/app");
    expect(services[0]?.spec.TaskTemplate.ContainerSpec.Image).toBe("127.0.0.1:5000/app");
    expect(services[0]?.spec.Labels?.["com.docker.stack.image"]).toBe("127.0.0.1:5000/app");
  });

  it("service labels are deploy.labels plus the namespace and image", () => {
    expect(spec(web("    labels: { a: b }\n    deploy: { labels: { d: e } }\n")).Labels).toEqual({
      d: "e",
      [nsLabel]: "st",
      "com.docker.stack.image": "busybox:1.36",
    });
  });

  it("logging as the LogDriver", () => {
    expect(
      spec(web("    logging: { driver: json-file, options: { max-size: 1m } }\n")).TaskTemplate.LogDriver,
    ).toEqual({
      Name: "json-file",
      Options: { "max-size": "1m" },
    });
  });

  it("refuses a healthcheck with both test and disable", () => {
    expect(failure(() => spec(web("    healthcheck: { test: [CMD, 'true'], disable: true }\n")))).toBe(
      "service web: test and disable can't be set at the same time",
    );
  });
});

describe("convertStack: deploy", () => {
  it("restart without deploy.restart_policy", () => {
    const policy = (restart: string) => spec(web(`    restart: "${restart}"\n`)).TaskTemplate.RestartPolicy;
    expect(policy("no")).toBeUndefined();
    expect(policy("always")).toEqual({ Condition: "any" });
    expect(policy("unless-stopped")).toEqual({ Condition: "any" });
    expect(policy("on-failure")).toEqual({ Condition: "on-failure", MaxAttempts: 0 });
    expect(policy("on-failure:3")).toEqual({ Condition: "on-failure", MaxAttempts: 3 });
    expect(spec(web("")).TaskTemplate.RestartPolicy).toBeUndefined();
    expect(failure(() => policy("on-failure:x"))).toBe("service web: maximum retry count must be an integer");
  });

  it("deploy.restart_policy wins over restart", () => {
    const body =
      "    restart: always\n    deploy:\n      restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3, window: 1m }\n";
    expect(spec(web(body)).TaskTemplate.RestartPolicy).toEqual({
      Condition: "on-failure",
      Delay: 5_000_000_000,
      MaxAttempts: 3,
      Window: 60_000_000_000,
    });
    expect(spec(web("    deploy: { restart_policy: {} }\n")).TaskTemplate.RestartPolicy).toEqual({});
  });

  it("update_config and rollback_config: parallelism 1 and max_failure_ratio 0 unless written", () => {
    const body = `    deploy:
      update_config: { parallelism: 2, delay: 10s, failure_action: rollback, monitor: 5s, max_failure_ratio: 0.5, order: start-first }
      rollback_config: { delay: 1s }
`;
    const s = spec(web(body));
    expect(s.UpdateConfig).toEqual({
      Parallelism: 2,
      Delay: 10_000_000_000,
      FailureAction: "rollback",
      Monitor: 5_000_000_000,
      MaxFailureRatio: 0.5,
      Order: "start-first",
    });
    expect(s.RollbackConfig).toEqual({ Parallelism: 1, Delay: 1_000_000_000, MaxFailureRatio: 0 });
    expect(spec(web("    deploy: { update_config: { parallelism: 0 } }\n")).UpdateConfig).toEqual({
      Parallelism: 0,
      MaxFailureRatio: 0,
    });
    expect(spec(web("")).UpdateConfig).toBeUndefined();
  });

  it("resources: limits (cpus, memory, pids) and reservations with generic resources", () => {
    const body = `    deploy:
      resources:
        limits: { cpus: "0.5", memory: 64M, pids: 100 }
        reservations:
          cpus: "0.25"
          memory: 32M
          generic_resources: [{ discrete_resource_spec: { kind: gpu, value: 2 } }]
`;
    expect(spec(web(body)).TaskTemplate.Resources).toEqual({
      Limits: { NanoCPUs: 500_000_000, MemoryBytes: 67_108_864, Pids: 100 },
      Reservations: {
        NanoCPUs: 250_000_000,
        MemoryBytes: 33_554_432,
        GenericResources: [{ DiscreteResourceSpec: { Kind: "gpu", Value: 2 } }],
      },
    });
    expect(spec(web("    deploy: { resources: { limits: {} } }\n")).TaskTemplate.Resources).toEqual({
      Limits: {},
    });
  });

  it("modes", () => {
    const mode = (deploy: string) => spec(web(`    deploy: ${deploy}\n`)).Mode;
    expect(mode("{ replicas: 3 }")).toEqual({ Replicated: { Replicas: 3 } });
    expect(mode("{ mode: replicated, replicas: 0 }")).toEqual({ Replicated: { Replicas: 0 } });
    expect(mode("{ mode: global }")).toEqual({ Global: {} });
    expect(spec(web("    scale: 4\n")).Mode).toEqual({ Replicated: { Replicas: 4 } });
    expect(mode("{ mode: replicated-job, replicas: 2 }")).toEqual({
      ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 },
    });
    expect(mode("{ mode: global-job }")).toEqual({ GlobalJob: {} });
    expect(failure(() => mode("{ mode: global, replicas: 2 }"))).toBe(
      "service web: replicas can only be used with replicated mode",
    );
  });

  it("placement: constraints, spread preferences, max_replicas_per_node", () => {
    const body = `    deploy:
      placement:
        constraints: [node.role==manager]
        preferences: [{ spread: node.labels.zone }]
        max_replicas_per_node: 2
`;
    expect(spec(web(body)).TaskTemplate.Placement).toEqual({
      Constraints: ["node.role==manager"],
      Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
      MaxReplicas: 2,
    });
  });

  it("ports sorted by published port, ingress and host mode; endpoint_mode lowercased", () => {
    const body = `    ports: ["8080:80", { target: 81, published: 8081, mode: host }, "90", "9000-9001:9000-9001/udp"]
    deploy: { endpoint_mode: VIP }
`;
    expect(spec(web(body)).EndpointSpec).toEqual({
      Mode: "vip",
      Ports: [
        { Protocol: "tcp", TargetPort: 90, PublishMode: "ingress" },
        { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" },
        { Protocol: "tcp", TargetPort: 81, PublishedPort: 8081, PublishMode: "host" },
        { Protocol: "udp", TargetPort: 9000, PublishedPort: 9000, PublishMode: "ingress" },
        { Protocol: "udp", TargetPort: 9001, PublishedPort: 9001, PublishMode: "ingress" },
      ],
    });
    expect(spec(web("    deploy: { endpoint_mode: dnsrr }\n")).EndpointSpec).toEqual({ Mode: "dnsrr" });
    expect(failure(() => spec(web('    ports: [{ target: 80, published: "8000-8001" }]\n')))).toBe(
      'service web: published port range "8000-8001" needs one target port per published port',
    );
  });
});

describe("convertStack: networks", () => {
  const yaml = `services:
  web:
    image: busybox:1.36
    networks:
      back: { aliases: [b1] }
      ext:
      hostnet:
  other:
    image: busybox:1.36
networks:
  back:
    driver_opts: { com.docker.network.driver.mtu: "1400" }
    internal: true
    attachable: true
    labels: { l: v }
    ipam: { driver: default, config: [{ subnet: 10.99.0.0/24 }] }
  ext: { external: true, name: shared }
  hostnet: { external: true, name: host }
  unused: {}
`;

  it("attachments sorted by name; aliases plus the service's name on user-defined networks", () => {
    expect(spec(yaml, "web").TaskTemplate.Networks).toEqual([
      { Target: "host" },
      { Target: "shared", Aliases: ["web"] },
      { Target: "st_back", Aliases: ["b1", "web"] },
    ]);
    expect(spec(yaml, "other").TaskTemplate.Networks).toEqual([{ Target: "st_default", Aliases: ["other"] }]);
  });

  it("creates the used ones (overlay, options, IPAM), not external or unused ones", () => {
    expect(convert(yaml).networks).toEqual([
      {
        key: "back",
        name: "st_back",
        external: false,
        request: {
          Name: "st_back",
          Driver: "overlay",
          Labels: { l: "v", [nsLabel]: "st" },
          Options: { "com.docker.network.driver.mtu": "1400" },
          Internal: true,
          Attachable: true,
          IPAM: { Driver: "default", Config: [{ Subnet: "10.99.0.0/24" }] },
        },
      },
      {
        key: "default",
        name: "st_default",
        external: false,
        request: { Name: "st_default", Driver: "overlay", Labels: { [nsLabel]: "st" } },
      },
      { key: "ext", name: "shared", external: true },
      { key: "hostnet", name: "host", external: true },
    ]);
  });

  it("beyond docker: enable_ipv6 and the IPAM config's range, gateway and aux addresses", () => {
    const yaml = `${web("")}networks:
  default:
    enable_ipv6: true
    ipam:
      config: [{ subnet: 10.5.0.0/16, ip_range: 10.5.1.0/24, gateway: 10.5.0.1, aux_addresses: { h: 10.5.0.9 } }]
`;
    expect(convert(yaml).networks[0]?.request).toEqual({
      Name: "st_default",
      Driver: "overlay",
      Labels: { [nsLabel]: "st" },
      EnableIPv6: true,
      IPAM: {
        Config: [
          {
            Subnet: "10.5.0.0/16",
            IPRange: "10.5.1.0/24",
            Gateway: "10.5.0.1",
            AuxiliaryAddresses: { h: "10.5.0.9" },
          },
        ],
      },
    });
  });

  it("a declared default network and a written driver", () => {
    const objects = convert(`${web("")}networks:\n  default: { driver: weave, name: mynet }\n`);
    expect(objects.networks[0]?.request).toEqual({
      Name: "mynet",
      Driver: "weave",
      Labels: { [nsLabel]: "st" },
    });
    expect(objects.services[0]?.spec.TaskTemplate.Networks).toEqual([{ Target: "mynet", Aliases: ["web"] }]);
  });
});

describe("convertStack: mounts", () => {
  const yaml = `services:
  web:
    image: busybox:1.36
    volumes:
      - data:/data:nocopy
      - ext:/ext
      - /anon
      - /tmp:/host:ro,rslave
      - ./src:/src
      - { type: tmpfs, target: /t, tmpfs: { size: 1000 } }
      - { type: tmpfs, target: /t2 }
      - { type: tmpfs, target: /t3, tmpfs: { mode: 0700 } }
      - { type: volume, source: named, target: /n, read_only: true }
volumes:
  data: { driver: local, labels: { vl: vv } }
  ext: { external: true }
  named: { name: custom-vol, driver_opts: { type: tmpfs, device: tmpfs } }
`;
  it("volumes stack-named with labels and driver, external ones bare, binds, tmpfs", () => {
    expect(spec(yaml).TaskTemplate.ContainerSpec.Mounts).toEqual([
      {
        Type: "volume",
        Source: "st_data",
        Target: "/data",
        VolumeOptions: {
          NoCopy: true,
          Labels: { vl: "vv", [nsLabel]: "st" },
          DriverConfig: { Name: "local" },
        },
      },
      { Type: "volume", Source: "ext", Target: "/ext", VolumeOptions: {} },
      { Type: "volume", Target: "/anon" },
      {
        Type: "bind",
        Source: "/tmp",
        Target: "/host",
        ReadOnly: true,
        BindOptions: { Propagation: "rslave" },
      },
      { Type: "bind", Source: "/src/demo/src", Target: "/src" },
      { Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 1000 } },
      { Type: "tmpfs", Target: "/t2" },
      { Type: "tmpfs", Target: "/t3", TmpfsOptions: { Mode: 0o700 } },
      {
        Type: "volume",
        Source: "custom-vol",
        Target: "/n",
        ReadOnly: true,
        VolumeOptions: {
          Labels: { [nsLabel]: "st" },
          DriverConfig: { Options: { type: "tmpfs", device: "tmpfs" } },
        },
      },
    ]);
  });
});

describe("convertStack: secrets and configs", () => {
  const yaml = `services:
  web:
    image: busybox:1.36
    secrets: [s1, { source: s2, target: other, uid: "1", gid: "2", mode: 0400 }, ext, token]
    configs: [c1, { source: c1, target: /etc/c1 }, fromenv]
secrets:
  s1: { file: ./s1.txt, labels: { sl: sv } }
  s2: { file: ./s1.txt, name: custom-s2 }
  ext: { external: true }
  token: { environment: TOKEN }
  unused: { file: ./unused }
configs:
  c1: { content: hello, template_driver: golang }
  fromenv: { environment: CONF }
`;
  const contents = { secrets: { s1: "one", s2: "two", token: "tok" }, configs: { fromenv: "conf" } };

  it("references by name with empty IDs, docker's target, uid, gid and mode defaults, sorted by name", () => {
    const container = convert(yaml, contents).services[0]?.spec.TaskTemplate.ContainerSpec;
    expect(container?.Secrets).toEqual([
      { File: { Name: "other", UID: "1", GID: "2", Mode: 0o400 }, SecretID: "", SecretName: "custom-s2" },
      { File: { Name: "ext", UID: "0", GID: "0", Mode: 0o444 }, SecretID: "", SecretName: "ext" },
      { File: { Name: "s1", UID: "0", GID: "0", Mode: 0o444 }, SecretID: "", SecretName: "st_s1" },
      { File: { Name: "token", UID: "0", GID: "0", Mode: 0o444 }, SecretID: "", SecretName: "st_token" },
    ]);
    expect(container?.Configs).toEqual([
      { File: { Name: "c1", UID: "0", GID: "0", Mode: 0o444 }, ConfigID: "", ConfigName: "st_c1" },
      { File: { Name: "/etc/c1", UID: "0", GID: "0", Mode: 0o444 }, ConfigID: "", ConfigName: "st_c1" },
      { File: { Name: "fromenv", UID: "0", GID: "0", Mode: 0o444 }, ConfigID: "", ConfigName: "st_fromenv" },
    ]);
  });

  // The loader keeps only the secrets and configs services use (docker creates every declared one).
  it("specs with labels, base64 data and templating; none for external ones", () => {
    const objects = convert(yaml, contents);
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    expect(objects.secrets).toEqual([
      { key: "ext", name: "ext", external: true },
      {
        key: "s1",
        name: "st_s1",
        external: false,
        spec: { Name: "st_s1", Labels: { sl: "sv", [nsLabel]: "st" }, Data: b64("one") },
      },
      {
        key: "s2",
        name: "custom-s2",
        external: false,
        spec: { Name: "custom-s2", Labels: { [nsLabel]: "st" }, Data: b64("two") },
      },
      {
        key: "token",
        name: "st_token",
        external: false,
        spec: { Name: "st_token", Labels: { [nsLabel]: "st" }, Data: b64("tok") },
      },
    ]);
    expect(objects.configs).toEqual([
      {
        key: "c1",
        name: "st_c1",
        external: false,
        spec: {
          Name: "st_c1",
          Labels: { [nsLabel]: "st" },
          Data: b64("hello"),
          Templating: { Name: "golang" },
        },
      },
      {
        key: "fromenv",
        name: "st_fromenv",
        external: false,
        spec: { Name: "st_fromenv", Labels: { [nsLabel]: "st" }, Data: b64("conf") },
      },
    ]);
  });

  it("the sources of their contents", () => {
    expect(stackContentSources(load(yaml))).toEqual({
      secrets: {
        s1: { file: "/src/demo/s1.txt" },
        s2: { file: "/src/demo/s1.txt" },
        token: { environment: "TOKEN" },
      },
      configs: { c1: { content: "hello" }, fromenv: { environment: "CONF" } },
    });
  });

  it("a secret of a driver: no data, the driver and its options", () => {
    const objects = convert(
      `${web("    secrets: [v]\n")}secrets:\n  v: { driver: vault, driver_opts: { path: a, ttl: 5 } }\n`,
    );
    expect(objects.secrets[0]?.spec).toEqual({
      Name: "st_v",
      Labels: { [nsLabel]: "st" },
      Driver: { Name: "vault", Options: { path: "a", ttl: "5" } },
    });
    expect(
      stackContentSources(load(`${web("    secrets: [v]\n")}secrets:\n  v: { driver: vault }\n`)).secrets,
    ).toEqual({});
  });

  it("refuses a missing content and two references with the same target", () => {
    expect(failure(() => convert(yaml, { ...contents, secrets: {} }))).toBe(
      "secret s1: its content was not read",
    );
    const twice = `${web("    secrets: [a, { source: b, target: a }]\n")}secrets:\n  a: { file: ./a }\n  b: { file: ./b }\n`;
    expect(failure(() => convert(twice, { secrets: { a: "", b: "" } }))).toBe(
      "service web: duplicate secret target for st_b not allowed",
    );
  });

  it("credential_spec: a file or registry in Privileges; a config also as a runtime reference", () => {
    const file = spec(web("    credential_spec: { file: spec.json }\n")).TaskTemplate.ContainerSpec;
    expect(file.Privileges).toEqual({ CredentialSpec: { File: "spec.json" }, SELinuxContext: null });
    const byConfig = convert(
      `${web("    credential_spec: { config: cred }\n    configs: [{ source: cred, target: /c }]\n")}configs:\n  cred: { content: "{}" }\n`,
    ).services[0]?.spec.TaskTemplate.ContainerSpec;
    expect(byConfig?.Privileges).toEqual({ CredentialSpec: { Config: "st_cred" }, SELinuxContext: null });
    expect(byConfig?.Configs).toEqual([
      { File: { Name: "/c", UID: "0", GID: "0", Mode: 0o444 }, ConfigID: "", ConfigName: "st_cred" },
      { Runtime: {}, ConfigID: "", ConfigName: "st_cred" },
    ]);
    expect(failure(() => spec(web("    credential_spec: { file: a, registry: b }\n")))).toBe(
      'service web: invalid credential spec: cannot specify both "File" and "Registry"',
    );
  });
});

describe("convertStack: names when the project is named otherwise than the stack", () => {
  const yaml = `services:
  web:
    image: busybox:1.36
    networks: [back, named]
    volumes: [data:/data]
    secrets: [s]
networks:
  back: {}
  named: { name: demo_named_custom }
volumes:
  data: {}
secrets:
  s: { file: ./s }
`;
  it("unwritten names are the stack's, written ones kept", () => {
    const objects = convert(yaml, { secrets: { s: "x" } }, { projectName: "proj", namespace: "prod" });
    expect(objects.networks.map((n) => n.name)).toEqual(["prod_back", "demo_named_custom"]);
    expect(objects.secrets.map((s) => s.name)).toEqual(["prod_s"]);
    const container = objects.services[0]?.spec.TaskTemplate.ContainerSpec;
    expect(container?.Mounts?.[0]?.Source).toBe("prod_data");
    expect(container?.Secrets?.[0]?.SecretName).toBe("prod_s");
    expect(objects.services[0]?.name).toBe("prod_web");
  });
});

describe("convertStack: warnings and refusals", () => {
  it("docker's unsupported and deprecated options, sorted, once for all services", () => {
    const yaml = `services:
  a:
    image: busybox:1.36
    restart: always
    privileged: true
    expose: ["80"]
  b:
    image: busybox:1.36
    build: .
    network_mode: host
    container_name: bee
    cgroup_parent: p
    shm_size: 64m
    security_opt: [no-new-privileges]
    privileged: false
`;
    expect(convert(yaml).warnings).toEqual([
      "Ignoring unsupported options: build, cgroup_parent, network_mode, privileged, restart, security_opt, shm_size",
      "Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\n" +
        "expose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ]);
  });

  it("beyond docker: current options a swarm service has no field for are in the same warning", () => {
    const yaml = web(
      "    cpus: 0.5\n    pids_limit: 10\n    gpus: all\n    restart: always\n    profiles: [p]\n",
    );
    expect(convert(yaml, {}, {}).warnings).toEqual([]);
    const enabled = convertStack({
      model: load(yaml, { env: { COMPOSE_PROFILES: "p" } }),
      namespace: ns,
      contents: { secrets: {}, configs: {} },
    });
    expect(enabled.warnings).toEqual(["Ignoring unsupported options: cpus, gpus, pids_limit, restart"]);
  });

  it("refuses docker's forbidden options, naming the service", () => {
    const yaml = web("    mem_limit: 64m\n    cpu_shares: 512\n");
    expect(failure(() => convert(yaml))).toBe(
      "Compose file contains unsupported options: service web: cpu_shares: Set resource limits using " +
        "deploy.resources; service web: mem_limit: Set resource limits using deploy.resources",
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  type ContainerSpecContext,
  containerLinks,
  containerSpec,
  dependsOnLabel,
  environment,
  networksByPriority,
  resolveServiceReferences,
  resourceNames,
} from "../../src/project/container-spec.js";
import { loadProject } from "../../src/project/load/index.js";
import type { Service } from "../../src/project/load/types.js";
import { memoryFileSystem } from "../helpers/memfs.js";

const context: ContainerSpecContext = {
  project: "demo",
  service: "web",
  number: 1,
  workingDir: "/src/demo",
  configFiles: ["/src/demo/compose.yaml", "/src/demo/compose.override.yaml"],
  networks: { default: "demo_default", back: "shared-back", front: "demo_front" },
  volumes: { data: "demo_data", cache: "shared-cache" },
  imageId: "sha256:abc",
  configHash: "hash123",
};

const baseLabels = {
  "com.docker.compose.project": "demo",
  "com.docker.compose.service": "web",
  "com.docker.compose.version": "2.26.1",
  "com.docker.compose.project.working_dir": "/src/demo",
  "com.docker.compose.project.config_files": "/src/demo/compose.yaml,/src/demo/compose.override.yaml",
  "com.docker.compose.oneoff": "False",
  "com.docker.compose.image": "sha256:abc",
  "com.docker.compose.config-hash": "hash123",
  "com.docker.compose.container-number": "1",
  "com.docker.compose.depends_on": "",
};

describe("containerSpec", () => {
  it("maps blkio_config like the reference's setBlkio (rates from the model's byte strings)", () => {
    const { create } = containerSpec(
      {
        image: "busybox:1.36",
        blkio_config: {
          weight: 300,
          weight_device: [{ path: "/dev/vda", weight: 400 }],
          device_read_bps: [{ path: "/dev/vda", rate: "1048576" }],
          device_write_iops: [{ path: "/dev/vda", rate: "30" }],
        },
      },
      context,
    );
    expect(create.HostConfig).toMatchObject({
      BlkioWeight: 300,
      BlkioWeightDevice: [{ Path: "/dev/vda", Weight: 400 }],
      BlkioDeviceReadBps: [{ Path: "/dev/vda", Rate: 1048576 }],
      BlkioDeviceWriteIOps: [{ Path: "/dev/vda", Rate: 30 }],
    });
    expect(create.HostConfig).not.toHaveProperty("BlkioDeviceWriteBps");
  });

  it("maps a flask-redis style web service (the long form `config --format json` prints)", () => {
    const web: Service = {
      image: "busybox:1.36",
      command: ["sh", "-c", "sleep 3600"],
      entrypoint: null,
      environment: { ZED: "last", ALPHA: "first", EMPTY: "", UNSET: null },
      expose: ["7000"],
      ports: [
        { mode: "ingress", target: 8080, published: "18080", protocol: "tcp" },
        { mode: "ingress", host_ip: "127.0.0.1", target: 8081, published: "18081", protocol: "udp" },
        { mode: "ingress", target: 9000, protocol: "tcp" },
      ],
      volumes: [
        {
          type: "bind",
          source: "/src/demo/app",
          target: "/app",
          read_only: true,
          bind: { create_host_path: true },
        },
        { type: "volume", source: "data", target: "/data", volume: {} },
        { type: "tmpfs", target: "/scratch" },
      ],
      networks: { front: null, back: null },
      depends_on: {
        worker: { condition: "service_started", restart: true, required: true },
        cache: { condition: "service_healthy", required: true },
      },
      restart: "unless-stopped",
      tty: true,
      stdin_open: true,
      working_dir: "/app",
      labels: { "app.tier": "web" },
    };
    expect(containerSpec(web, context)).toEqual({
      create: {
        name: "demo-web-1",
        Image: "busybox:1.36",
        AttachStdout: true,
        AttachStderr: true,
        Labels: {
          "app.tier": "web",
          ...baseLabels,
          "com.docker.compose.depends_on": "cache:service_healthy:false,worker:service_started:true",
        },
        Cmd: ["sh", "-c", "sleep 3600"],
        WorkingDir: "/app",
        Tty: true,
        OpenStdin: true,
        Env: ["ALPHA=first", "EMPTY=", "UNSET", "ZED=last"],
        ExposedPorts: { "7000": {}, "8080/tcp": {}, "8081/udp": {}, "9000/tcp": {} },
        HostConfig: {
          PortBindings: {
            "8080/tcp": [{ HostIp: "", HostPort: "18080" }],
            "8081/udp": [{ HostIp: "127.0.0.1", HostPort: "18081" }],
            "9000/tcp": [{ HostIp: "", HostPort: "" }],
          },
          RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
          Binds: ["/src/demo/app:/app:ro"],
          Mounts: [
            { Type: "volume", Source: "demo_data", Target: "/data", VolumeOptions: {} },
            { Type: "tmpfs", Target: "/scratch" },
          ],
          // back < front by key: the primary network is the first by priority, then by key.
          NetworkMode: "shared-back",
          ExtraHosts: [],
        },
        NetworkingConfig: { EndpointsConfig: { "shared-back": { Aliases: ["demo-web-1", "web"] } } },
      },
      connect: [{ network: "demo_front", EndpointConfig: { Aliases: ["demo-web-1", "web"] } }],
    });
  });

  it("maps a healthchecked redis with an aliased network and restart always", () => {
    const cache = {
      image: "redis:7-bookworm",
      healthcheck: {
        test: ["CMD", "redis-cli", "ping"],
        interval: "5s",
        timeout: "3s",
        retries: 5,
        start_period: "10s",
      },
      networks: { back: { aliases: ["redis"] } },
      volumes: [{ type: "volume", source: "cache", target: "/data", volume: {} }],
      restart: "always",
    };
    const spec = containerSpec(cache, { ...context, service: "cache", number: 2 });
    expect(spec.create.Healthcheck).toEqual({
      Test: ["CMD", "redis-cli", "ping"],
      Interval: 5_000_000_000,
      Timeout: 3_000_000_000,
      StartPeriod: 10_000_000_000,
      Retries: 5,
    });
    expect(spec.create.HostConfig).toEqual({
      RestartPolicy: { Name: "always", MaximumRetryCount: 0 },
      Mounts: [{ Type: "volume", Source: "shared-cache", Target: "/data", VolumeOptions: {} }],
      NetworkMode: "shared-back",
      ExtraHosts: [],
      PortBindings: {},
    });
    expect(spec.create.NetworkingConfig).toEqual({
      EndpointsConfig: { "shared-back": { Aliases: ["demo-cache-2", "cache", "redis"], IPAMConfig: {} } },
    });
    expect(spec.create.Cmd).toBeUndefined();
    expect(spec.create.Entrypoint).toBeUndefined();
  });

  it("names the built image <project>-<service> and honours container_name", () => {
    const spec = containerSpec({ build: { context: "/src/demo" }, container_name: "fixed" }, context);
    expect(spec.create.name).toBe("fixed");
    expect(spec.create.Image).toBe("demo-web");
  });

  it("maps host options, sizes, durations and limits", () => {
    const box: Service = {
      image: "busybox:1.36",
      hostname: "boxhost",
      domainname: "example.test",
      user: "65534:65534",
      init: true,
      read_only: true,
      privileged: false,
      cap_add: ["NET_ADMIN"],
      cap_drop: ["MKNOD"],
      security_opt: ["no-new-privileges:true", "systempaths=unconfined"],
      group_add: ["100"],
      ulimits: { nproc: 512, nofile: { soft: 1024, hard: 2048 } },
      sysctls: { "net.core.somaxconn": "1024" },
      shm_size: "134217728",
      ipc: "shareable",
      extra_hosts: ["other=10.0.0.2", "somehost=10.0.0.1"],
      dns: ["8.8.8.8"],
      dns_search: ["example.test"],
      dns_opt: ["ndots:2"],
      logging: { driver: "json-file", options: { "max-size": "10m" } },
      mem_limit: "67108864",
      memswap_limit: "134217728",
      mem_reservation: "33554432",
      cpus: 0.1,
      cpu_shares: 512,
      cpuset: "0",
      pids_limit: 100,
      oom_score_adj: 100,
      tmpfs: ["/run:size=1m", "/tmp2"],
      stop_signal: "SIGINT",
      stop_grace_period: "1m30s",
      devices: [
        { source: "/dev/null", target: "/dev/mynull", permissions: "rwm" },
        { source: "/dev/zero", target: "/dev/zero", permissions: "rwm" },
      ],
      network_mode: "host",
      healthcheck: { test: ["CMD-SHELL", "true"], interval: "1m0s", start_period: "500ms" },
    };
    const spec = containerSpec(box, context);
    expect(spec.create).toMatchObject({
      Hostname: "boxhost",
      Domainname: "example.test",
      User: "65534:65534",
      StopSignal: "SIGINT",
      StopTimeout: 90,
      Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 60_000_000_000, StartPeriod: 500_000_000 },
    });
    expect(spec.create.NetworkingConfig).toBeUndefined();
    expect(spec.connect).toEqual([]);
    expect(spec.create.HostConfig).toEqual({
      CapAdd: ["NET_ADMIN"],
      CapDrop: ["MKNOD"],
      IpcMode: "shareable",
      Dns: ["8.8.8.8"],
      DnsSearch: ["example.test"],
      DnsOptions: ["ndots:2"],
      GroupAdd: ["100"],
      CpusetCpus: "0",
      Init: true,
      ReadonlyRootfs: true,
      ShmSize: 134217728,
      Memory: 67108864,
      MemorySwap: 134217728,
      MemoryReservation: 33554432,
      CpuShares: 512,
      OomScoreAdj: 100,
      PidsLimit: 100,
      PortBindings: {},
      // float32(0.1) * 1e9 in float32, truncated, as compose-go computes it.
      NanoCpus: 100000000,
      Tmpfs: { "/run": "size=1m", "/tmp2": "" },
      Ulimits: [
        { Name: "nofile", Soft: 1024, Hard: 2048 },
        { Name: "nproc", Soft: 512, Hard: 512 },
      ],
      Sysctls: { "net.core.somaxconn": "1024" },
      ExtraHosts: ["other:10.0.0.2", "somehost:10.0.0.1"],
      LogConfig: { Type: "json-file", Config: { "max-size": "10m" } },
      SecurityOpt: ["no-new-privileges:true"],
      MaskedPaths: [],
      ReadonlyPaths: [],
      Devices: [
        { PathOnHost: "/dev/null", PathInContainer: "/dev/mynull", CgroupPermissions: "rwm" },
        { PathOnHost: "/dev/zero", PathInContainer: "/dev/zero", CgroupPermissions: "rwm" },
      ],
      NetworkMode: "host",
    });
  });

  it("lets deploy resources and restart_policy win, and maps GPU reservations", () => {
    const spec = containerSpec(
      {
        image: "python:3.11-slim-bookworm",
        mem_limit: "1000",
        restart: "always",
        deploy: {
          resources: {
            limits: { cpus: 0.25, memory: "52428800", pids: 50 },
            reservations: {
              memory: "20971520",
              devices: [{ capabilities: ["gpu"], count: "all", driver: "nvidia" }],
            },
          },
          restart_policy: { condition: "on-failure", max_attempts: 2 },
          placement: {},
        },
        network_mode: "none",
      },
      context,
    );
    expect(spec.create.HostConfig).toEqual({
      Memory: 52428800,
      NanoCpus: 250000000,
      PidsLimit: 50,
      MemoryReservation: 20971520,
      DeviceRequests: [{ Driver: "nvidia", Count: -1, Capabilities: [["gpu"]] }],
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 },
      NetworkMode: "none",
      ExtraHosts: [],
      PortBindings: {},
    });
  });

  it("sends init false as false and leaves Init out without init (a pointer in HostConfig)", () => {
    expect(containerSpec({ init: false }, context).create.HostConfig?.Init).toBe(false);
    expect(containerSpec({ init: true }, context).create.HostConfig?.Init).toBe(true);
    expect(containerSpec({}, context).create.HostConfig).not.toHaveProperty("Init");
  });

  it("sends ExtraHosts as a list, empty when the service has none (inspect shows [] like the reference's)", () => {
    expect(containerSpec({}, context).create.HostConfig?.ExtraHosts).toEqual([]);
    expect(
      containerSpec({ extra_hosts: ["a=10.0.0.1", "b:10.0.0.2"] }, context).create.HostConfig?.ExtraHosts,
    ).toEqual(["a:10.0.0.1", "b:10.0.0.2"]);
  });

  it("passes -1 (unlimited) through for memswap_limit", () => {
    expect(containerSpec({ memswap_limit: "-1" }, context).create.HostConfig?.MemorySwap).toBe(-1);
  });

  it("maps restart strings like getRestartPolicy", () => {
    const policy = (restart: string) => containerSpec({ restart }, context).create.HostConfig?.RestartPolicy;
    expect(policy("no")).toEqual({ Name: "no", MaximumRetryCount: 0 });
    expect(policy("on-failure:3")).toEqual({ Name: "on-failure", MaximumRetryCount: 3 });
    expect(policy("on-failure:x")).toEqual({ Name: "on-failure", MaximumRetryCount: 0 });
  });

  it("sends long-form binds without create_host_path as Mounts, and bind-backed volumes as Binds", () => {
    const spec = containerSpec(
      {
        volumes: [
          { type: "bind", source: "/src/demo/conf", target: "/conf/", read_only: true },
          {
            type: "bind",
            source: "/tmp",
            target: "/t",
            bind: { create_host_path: true, propagation: "rshared" },
          },
          { type: "volume", source: "local", target: "/l", volume: { nocopy: true } },
          { type: "volume", target: "/anon" },
          { type: "tmpfs", target: "/t3", tmpfs: { size: "1048576" } },
        ],
        secrets: [{ source: "token" }],
        configs: [{ source: "conf", target: "etc/app.conf" }],
      },
      {
        ...context,
        volumes: { local: "demo_local" },
        declared: {
          volumes: { local: { name: "demo_local", driver_opts: { o: "bind", device: "/srv" } } },
          secrets: { token: { name: "demo_token", file: "/src/demo/token.txt" } },
          configs: { conf: { name: "demo_conf", file: "/src/demo/app.conf" } },
        },
      },
    );
    expect(spec.create.HostConfig?.Binds).toEqual(["/tmp:/t:rw,rshared", "demo_local:/l:rw,nocopy"]);
    expect(spec.create.HostConfig?.Mounts).toEqual([
      { Type: "bind", Source: "/src/demo/conf", Target: "/conf", ReadOnly: true },
      { Type: "volume", Target: "/anon" },
      { Type: "tmpfs", Target: "/t3", TmpfsOptions: { SizeBytes: 1048576 } },
      { Type: "bind", Source: "/src/demo/token.txt", Target: "/run/secrets/token", ReadOnly: true },
      { Type: "bind", Source: "/src/demo/app.conf", Target: "/etc/app.conf", ReadOnly: true },
    ]);
  });

  it("sets IPAM, links and MAC addresses as the reference does below and from API 1.44", () => {
    const net = {
      image: "busybox:1.36",
      mac_address: "02:42:ac:1d:07:99",
      networks: { back: { ipv4_address: "172.29.7.10", aliases: ["n1"] } },
      links: ["box:boxalias"],
      external_links: ["outside"],
    };
    const ctx = { ...context, service: "net", linkedContainers: { box: ["demo-box-1"] } };
    const links = ["demo-box-1:boxalias", "demo-box-1:box-1", "demo-box-1:demo-box-1", "outside:outside"];
    const old = containerSpec(net, ctx);
    // Below 1.44 the primary network's (empty) mac_address wins over the service's: it is dropped.
    expect(old.create.MacAddress).toBeUndefined();
    expect(old.create.HostConfig?.Links).toEqual(links);
    expect(old.create.NetworkingConfig).toEqual({
      EndpointsConfig: {
        "shared-back": {
          Aliases: ["demo-net-1", "net", "n1"],
          Links: links,
          IPAMConfig: { IPv4Address: "172.29.7.10" },
          IPAddress: "172.29.7.10",
        },
      },
    });
    const modern = containerSpec(
      { ...net, networks: { ...net.networks, front: null } },
      {
        ...ctx,
        apiVersion: "1.44",
      },
    );
    expect(modern.connect).toEqual([]);
    expect(Object.keys(modern.create.NetworkingConfig?.EndpointsConfig ?? {})).toEqual([
      "shared-back",
      "demo_front",
    ]);
    expect(modern.create.NetworkingConfig?.EndpointsConfig["shared-back"]?.MacAddress).toBe(
      "02:42:ac:1d:07:99",
    );
    // Without networks, the service's MAC is the container's.
    expect(
      containerSpec({ mac_address: "02:00:00:00:00:01", network_mode: "host" }, ctx).create.MacAddress,
    ).toBe("02:00:00:00:00:01");
  });

  it("leaves aliases out for run containers, and labels them one-off with --env-file", () => {
    const spec = containerSpec(
      { image: "busybox:1.36", networks: { default: null } },
      { ...context, oneoff: true, envFiles: ["/src/demo/a.env", "/src/demo/.env"] },
    );
    expect(spec.create.NetworkingConfig).toEqual({
      EndpointsConfig: { demo_default: { Aliases: ["demo-web-1"] } },
    });
    expect(spec.create.Labels?.["com.docker.compose.oneoff"]).toBe("True");
    expect(spec.create.Labels?.["com.docker.compose.project.environment_file"]).toBe(
      "/src/demo/a.env,/src/demo/.env",
    );
  });

  it("lets the compose labels win over service labels, and omits the image label when unknown", () => {
    const { imageId: _unknown, ...noImage } = context;
    const labels = containerSpec({ labels: { "com.docker.compose.project": "other", x: "1" } }, noImage)
      .create.Labels;
    expect(labels?.["com.docker.compose.project"]).toBe("demo");
    expect(labels?.x).toBe("1");
    expect(labels && "com.docker.compose.image" in labels).toBe(false);
  });

  it("rejects what the reference rejects", () => {
    expect(() => containerSpec({ healthcheck: { start_interval: "1s" } }, context)).toThrow(
      /Docker Engine v25/,
    );
    expect(() => containerSpec({ security_opt: ["bogus"] }, context)).toThrow(/Invalid security-opt/);
    expect(() =>
      containerSpec({ networks: { back: { mac_address: "a" }, front: { mac_address: "b" } } }, context),
    ).toThrow(/multiple networks/);
  });
});

describe("helpers", () => {
  it("writes the depends_on label as service:condition:restart, sorted", () => {
    expect(
      dependsOnLabel({
        b: { condition: "service_started", required: true },
        a: { condition: "service_healthy", restart: true, required: false },
      }),
    ).toBe("a:service_healthy:true,b:service_started:false");
    expect(dependsOnLabel(undefined)).toBe("");
  });

  it("writes null environment values as bare names", () => {
    expect(environment({ B: "2", A: null, C: "" })).toEqual(["A", "B=2", "C="]);
  });

  it("orders networks by priority, then name", () => {
    expect(networksByPriority({ b: null, a: { priority: 1 }, c: { priority: 10 }, d: null })).toEqual([
      "c",
      "a",
      "b",
      "d",
    ]);
  });

  it("resolves service references to container ids, dropping volumes_from modes", () => {
    const ids: Record<string, string> = { net: "id-net", data: "id-data" };
    expect(
      resolveServiceReferences(
        {
          network_mode: "service:net",
          pid: "service:net",
          ipc: "host",
          volumes_from: ["data:ro", "container:c1:rw"],
        },
        "side",
        (s) => ids[s],
      ),
    ).toEqual({
      network_mode: "container:id-net",
      pid: "container:id-net",
      ipc: "host",
      volumes_from: ["id-data", "c1"],
    });
    expect(() => resolveServiceReferences({ ipc: "service:gone" }, "side", () => undefined)).toThrow(
      "service side: cannot share IPC namespace with service gone: container missing",
    );
  });

  it("links run containers to their own service", () => {
    expect(
      containerLinks({}, { ...context, oneoff: true, linkedContainers: { web: ["demo-web-1"] } }),
    ).toEqual(["demo-web-1:web", "demo-web-1:web-1", "demo-web-1:demo-web-1"]);
  });

  it("reads the real names of networks and volumes", () => {
    expect(
      resourceNames({
        networks: { default: { name: "p_default", ipam: {} } },
        volumes: { v: { name: "x" } },
      }),
    ).toEqual({
      networks: { default: "p_default" },
      volumes: { v: "x" },
    });
  });
});

describe("the loaded model", () => {
  const load = (yaml: string) => {
    const fs = memoryFileSystem("/src/demo", { "/src/demo/compose.yaml": yaml });
    const loaded = loadProject({ options: {}, env: {}, fs, home: "/home/me" });
    if (!loaded.project) throw new Error(JSON.stringify(loaded.problems ?? loaded.failure));
    return loaded.project;
  };

  it("goes from the loader to the create request as it is typed, in the reference's field order", () => {
    const project = load(`
services:
  web:
    image: busybox:1.36
    cap_add: [NET_ADMIN]
    sysctls: { net.core.somaxconn: 1024 }
    labels: { tier: 1 }
    ulimits: { nofile: { soft: 1, hard: 2 }, nproc: 3 }
    devices: ["/dev/null:/dev/n"]
    deploy:
      resources:
        limits: { pids: 5, memory: 64m }
        reservations: { devices: [{ capabilities: [gpu], count: all }] }
    blkio_config: { weight: 300, device_read_bps: [{ path: /dev/sda, rate: 1mb }] }
    ports: ["8080:80"]
    volumes: ["./app:/app", "data:/data:nocopy"]
    secrets: [token]
    networks: { back: { priority: 2, aliases: [b] }, front: }
    restart: on-failure:2
networks: { back: {}, front: {} }
volumes: { data: {} }
secrets: { token: { file: ./token.txt } }
`);
    const { networks, volumes } = resourceNames(project.model);
    const web = project.model.services.web ?? {};
    const spec = containerSpec(web, { ...context, networks, volumes, declared: project.model });
    expect(spec.create.Labels?.tier).toBe("1");
    expect(JSON.stringify(spec.create.HostConfig)).toBe(
      JSON.stringify({
        CapAdd: ["NET_ADMIN"],
        Memory: 67108864,
        PidsLimit: 5,
        DeviceRequests: [{ Count: -1, Capabilities: [["gpu"]] }],
        BlkioWeight: 300,
        BlkioDeviceReadBps: [{ Path: "/dev/sda", Rate: 1048576 }],
        PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] },
        RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 },
        Ulimits: [
          { Name: "nofile", Soft: 1, Hard: 2 },
          { Name: "nproc", Soft: 3, Hard: 3 },
        ],
        Sysctls: { "net.core.somaxconn": "1024" },
        ExtraHosts: [],
        Devices: [{ PathOnHost: "/dev/null", PathInContainer: "/dev/n", CgroupPermissions: "rwm" }],
        Binds: ["/src/demo/app:/app:rw"],
        Mounts: [
          { Type: "volume", Source: "demo_data", Target: "/data", VolumeOptions: { NoCopy: true } },
          { Type: "bind", Source: "/src/demo/token.txt", Target: "/run/secrets/token", ReadOnly: true },
        ],
        NetworkMode: "demo_back",
      }),
    );
  });

  it("keeps values the loader leaves as text (--no-interpolate) as the reference would not send them", () => {
    const spec = containerSpec(
      {
        deploy: {
          resources: { limits: { pids: "5" }, reservations: { devices: [{ count: "2" }] } },
          placement: {},
        },
        blkio_config: { weight: "300" },
        volumes: [{ type: "bind", source: "/a", target: "/a", bind: { create_host_path: "true" } }],
        network_mode: "none",
      },
      context,
    );
    expect(spec.create.HostConfig).toEqual({
      DeviceRequests: [{ Count: 0, Capabilities: [[]] }],
      PortBindings: {},
      ExtraHosts: [],
      Mounts: [{ Type: "bind", Source: "/a", Target: "/a", BindOptions: {} }],
      NetworkMode: "none",
    });
  });
});

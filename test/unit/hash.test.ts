// Every expected hash below was printed by the reference (Debian's docker compose 2.26.1-4) for the service
// written as the loader's long form: `config --hash '*'` for most, the container label after `up -d` for
// the two "as up writes it" cases. Paths are literal strings here; the hash does not read the disk.
import { describe, expect, it } from "vitest";
import {
  compareGoStrings,
  goFloat32,
  goString,
  serviceConfigHash,
  withDefaultPlatform,
} from "../../src/project/hash.js";
import type { Mapping } from "../../src/project/load/document.js";

const base = { command: null, entrypoint: null, image: "busybox:1.36", networks: { default: null } };

const cases: [string, Mapping, string][] = [
  ["a bare image", base, "2e94361de13f4ede1889a18375145f95942baa5a678cb5c631e105c972584a2a"],
  [
    "ports and expose",
    {
      ...base,
      expose: ["3000", "4000"],
      ports: [
        { mode: "ingress", target: 80, published: "8080", protocol: "tcp" },
        { mode: "ingress", host_ip: "127.0.0.1", target: 9000, published: "9000", protocol: "udp" },
        { mode: "ingress", host_ip: "127.0.0.1", target: 9001, published: "9001", protocol: "udp" },
        { mode: "host", target: 443, published: "8443", protocol: "tcp", app_protocol: "https" },
      ],
    },
    "79c0859a6d43c19a339ec3e38706fa8b76d3f966bc5389eb369271fd99a4b37e",
  ],
  [
    "volumes of every type, tmpfs",
    {
      ...base,
      tmpfs: ["/run"],
      volumes: [
        {
          type: "bind",
          source: "/tmp/hx/a/data",
          target: "/data",
          read_only: true,
          bind: { create_host_path: true },
        },
        { type: "volume", source: "cache", target: "/cache", volume: { nocopy: true } },
        { type: "tmpfs", target: "/tmp", tmpfs: { size: "67108864", mode: 1777 } },
        {
          type: "bind",
          source: "/etc/hosts",
          target: "/etc/hosts2",
          bind: { propagation: "rshared", create_host_path: true },
        },
      ],
    },
    "2d9270ff3cf9e296bb6a39e678298eb53bc9379f99e8eea3d4d514459770a32d",
  ],
  [
    "environment: HTML characters, numeric keys, null, non-ASCII and U+2028",
    {
      ...base,
      environment: {
        "9": "nine",
        "10": "ten",
        A: "1",
        B: '<tag> & "quoted" $dollar',
        EMPTY: "",
        NUM: "3",
        UNI: "héllo ☃ 😀 \u2028",
        UNSET: null,
      },
    },
    "fe8c59f26afed399291cfef2a52777a0d894fc3d6e1c025b47eef942f497347e",
  ],
  [
    "control characters and label keys beyond the BMP",
    {
      ...base,
      environment: { BS: "back\\slash", CTRL: "a\bb\fc\u0001d\u007fe", TABS: "x\ty\nz\r" },
      labels: { Z: "upper", z: "last", é: "accent", "\uFFFD": "repl", "😀": "emoji" },
    },
    "76bb62f3be599ba0ae56e18d114b39c7c6c73bf7f00746f05cfab9424f3afb9d",
  ],
  [
    "healthcheck and durations",
    {
      ...base,
      image: "redis:7-bookworm",
      healthcheck: {
        test: ["CMD", "redis-cli", "ping"],
        timeout: "1.5s",
        interval: "1m30s",
        retries: 3,
        start_period: "1h0m0s",
        start_interval: "2s",
      },
      stop_grace_period: "1m30s",
    },
    "cb75054ee52f0c7af1810883e575dd750408689adb4e437ebcf602b59f09719d",
  ],
  [
    "deploy (replicas left out), float32 cpus, sizes, ulimits",
    {
      ...base,
      cpu_percent: 50,
      cpus: 0.5,
      deploy: {
        mode: "replicated",
        replicas: 3,
        labels: { a: "b" },
        update_config: { parallelism: 2, delay: "10s", max_failure_ratio: 0.3, order: "start-first" },
        resources: {
          limits: { cpus: 0.5, memory: "536870912", pids: 100 },
          reservations: {
            cpus: 0.1,
            memory: "67108864",
            devices: [{ capabilities: ["gpu"], driver: "nvidia", count: -1 }],
          },
        },
        restart_policy: { condition: "on-failure", delay: "5s", max_attempts: 3, window: "2m0s" },
        placement: {},
      },
      mem_limit: "536870912",
      shm_size: "134217728",
      ulimits: { nofile: { soft: 20000, hard: 40000 }, nproc: 65535 },
    },
    "a8f13b43153d1392fb9d846bb578390f4b897bf418aa41c0a1b0bd4e9e5f5c1e",
  ],
  [
    "blkio devices (Go field names), float32 0.33, placement",
    {
      ...base,
      blkio_config: {
        weight: 300,
        weight_device: [{ Path: "/dev/sda", Weight: 400 }],
        device_read_bps: [{ Path: "/dev/sda", Rate: "12582912" }],
      },
      cpu_count: 2,
      cpu_percent: 30,
      cpu_shares: 512,
      deploy: {
        update_config: { max_failure_ratio: 0.1 },
        resources: { limits: { cpus: 0.33 } },
        placement: { constraints: ["node.role==manager"], max_replicas_per_node: 2 },
      },
      mem_swappiness: "60",
      oom_score_adj: -500,
    },
    "0af2e006e50f11397a43a9c6fb12cd4505f667dd31fc61255c0f3017da4e3a93",
  ],
  [
    "build, pull_policy and scale left out",
    {
      build: { context: "/tmp/hx/a", dockerfile: "Dockerfile", args: { X: "1" } },
      command: null,
      entrypoint: null,
      networks: { default: null },
      pull_policy: "build",
      scale: 2,
    },
    "8ed9276b9b43971f5e501d66147c519a039b4cf02cb7c2f3b6c3aa25e8d28823",
  ],
  [
    "depends_on and links",
    {
      ...base,
      depends_on: {
        build: { condition: "service_completed_successfully", required: false },
        health: { condition: "service_healthy", restart: true, required: true },
        plain: { condition: "service_started", required: true },
      },
      links: ["plain"],
    },
    "6d29ab0ae559d61ab4d823a84561b22852f335e050995291afce1bf9431cc900",
  ],
  [
    "labels, annotations, container_name; x- extensions left out",
    {
      ...base,
      annotations: { x: "y" },
      container_name: "labelled",
      labels: { "com.example.a": "first <b>", "com.example.z": "last", empty: "" },
      "x-custom": "whatever",
    },
    "c85f58650d0ebcdadec257a57738bbfbd2899230b858ad882f3f15a9bcce05e9",
  ],
  [
    "networks with aliases, extra_hosts, dns, sysctls",
    {
      ...base,
      dns: ["8.8.8.8"],
      extra_hosts: ["other=::1", "somehost=162.242.195.82"],
      networks: {
        back: null,
        front: { priority: 100, aliases: ["web", "www"], ipv4_address: "172.28.0.10" },
      },
      sysctls: { "net.core.somaxconn": "1024" },
    },
    "185e8b91daf69fd5b825713f557f83106ae4c614f7489cd9db210f23d5a78be2",
  ],
  [
    "a command string (split), entrypoint [], flags",
    {
      ...base,
      cap_add: ["NET_ADMIN"],
      command: ["sh", "-c", 'echo "hi there" && sleep 1'],
      entrypoint: [],
      init: true,
      logging: { driver: "json-file", options: { "max-size": "10m" } },
      read_only: true,
      restart: "unless-stopped",
      stdin_open: true,
      tty: true,
      user: "1000:1000",
      working_dir: "/app",
    },
    "5876c51cec2341d02d8c5454091f3e2427ba2518551e11b80c27bcff96c264f0",
  ],
  [
    "command: '' (an empty list)",
    { ...base, command: [] },
    "0da9cc3845a278ea398aceb924f7c7250e3d937d6fc5a2b44e8a9ec07495d54b",
  ],
  [
    "develop (exec is always written), secrets, configs, attach: false",
    {
      ...base,
      attach: false,
      develop: {
        watch: [{ path: "/tmp/hx/c/src", action: "sync", target: "/app", exec: { command: null } }],
      },
      configs: [{ source: "c1" }],
      entrypoint: ["/bin/sh", "-c", "exec foo"],
      hostname: "basehost",
      healthcheck: { disable: true },
      secrets: [{ source: "s1", target: "/run/s1", mode: 288 }],
      stop_signal: "SIGTERM",
    },
    "5ddd9220351b96f74fb3444185f1b76f91779f7bd35c03556cd7db28c9c433b0",
  ],
  [
    "env_file as config --hash sees it: files kept, their variables not merged",
    {
      ...base,
      environment: { OWN: "own" },
      env_file: [
        { path: "/tmp/hx/a/a.env", required: true },
        { path: "/tmp/hx/a/b.env", required: false },
      ],
    },
    "99ebceb2d8e1c9667e3f1b1aad7280f7f60e4086e21fc226d35820a0d644a859",
  ],
  [
    "env_file as up writes the label: variables merged, env_file gone",
    {
      ...base,
      command: ["sleep", "600"],
      environment: { FROMFILE: "a", FROMSHELL: "shellvalue", OWN: "own" },
    },
    "26c4308bef28f209540a765ecfad9548f7563352eb8e88c3aa8ecf909f8d57be",
  ],
  [
    "network_mode and volumes_from as up writes the label: the container's id",
    {
      command: ["sleep", "600"],
      depends_on: { envfile: { condition: "service_started", restart: true, required: true } },
      entrypoint: null,
      image: "busybox:1.36",
      network_mode: "container:0926d4dd338e53a9003e68832a73b3cb79d3da953450b30fba9600ad128254b5",
      volumes_from: ["0926d4dd338e53a9003e68832a73b3cb79d3da953450b30fba9600ad128254b5"],
    },
    "f33ead709915cfff89ec90c74bbe8aafaa813459a9df1eadea5f22212f3a0f8b",
  ],
];

describe("serviceConfigHash is the reference's config hash", () => {
  it.each(cases)("%s", (_title, service, hash) => {
    expect(serviceConfigHash(service)).toBe(hash);
  });

  it("does not depend on the order of keys in the model", () => {
    const [, service, hash] = cases[6] ?? ["", {}, ""];
    const reversed = Object.fromEntries(Object.entries(service).reverse());
    expect(serviceConfigHash(reversed)).toBe(hash);
  });

  it("reads values the loader may leave unconverted as the reference's types do", () => {
    // privileged: false is Go's zero value (omitted); count "all" is DeviceCount -1; an IP loses brackets.
    const loose: Mapping = {
      ...base,
      privileged: false,
      deploy: { resources: { reservations: { devices: [{ capabilities: ["gpu"], count: "all" }] } } },
      extra_hosts: ["other=[::1]"],
    };
    const exact: Mapping = {
      ...base,
      deploy: { resources: { reservations: { devices: [{ capabilities: ["gpu"], count: -1 }] } } },
      extra_hosts: ["other=::1"],
    };
    expect(serviceConfigHash(loose)).toBe(serviceConfigHash(exact));
  });

  it("takes DOCKER_DEFAULT_PLATFORM for services that build without a platform (applyPlatforms)", () => {
    const built = { build: { context: "/x" }, command: null, entrypoint: null, networks: { default: null } };
    const env = { DOCKER_DEFAULT_PLATFORM: "linux/amd64" };
    expect(serviceConfigHash(withDefaultPlatform(built, env))).toBe(
      "bfee7f0c67e9f628e95c8ca303a76db0efbea809fd0f2c2fe32ee5bd3389a873",
    );
    expect(withDefaultPlatform({ ...built, platform: "linux/arm64" }, env).platform).toBe("linux/arm64");
    expect(withDefaultPlatform(base, env)).toBe(base);
  });
});

describe("Go's text forms", () => {
  it("escapes strings like encoding/json in Go 1.24", () => {
    expect(goString('<a href="x">&\u2028\u2029')).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028\\u2029"');
    expect(goString("\b\f\n\r\t\u0001\u001f\u007f")).toBe('"\\b\\f\\n\\r\\t\\u0001\\u001f\u007f"');
    expect(goString("\uD800")).toBe('"\\ufffd"');
  });

  it("writes float32 in its shortest form", () => {
    expect(["0.1", "0.33", "0.5", "1", "1e-7", "0.000001", "1e+21", "16777216"]).toEqual(
      [0.1, 0.33, 0.5, 1, 1e-7, 1e-6, 1e21, 16777217].map(goFloat32),
    );
  });

  it("sorts map keys by UTF-8 bytes", () => {
    expect(["😀", "\uFFFD", "é", "z", "Z", "9", "10"].sort(compareGoStrings)).toEqual([
      "10",
      "9",
      "Z",
      "z",
      "é",
      "\uFFFD",
      "😀",
    ]);
  });
});

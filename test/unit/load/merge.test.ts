// Merge rules, each learnt from the reference (docker compose 2.26 `config`); expected values are literal.
import { describe, expect, it } from "vitest";
import {
  type LongFormField,
  mergeDocuments,
  mergeTagged,
  ruleFor,
  type TaggedDocument,
  tagSet,
} from "../../../src/project/load/merge.js";

/** A small stand-in for the real short-syntax parser: "[ip:]published:target[/proto]" and "src:dst". */
function toLongForm(field: LongFormField, entry: unknown): unknown[] {
  if (typeof entry !== "string") return [entry];
  if (field === "ports") {
    const [spec = "", protocol = "tcp"] = entry.split("/");
    const parts = spec.split(":");
    const target = Number(parts.pop());
    const published = parts.pop();
    const host = parts.pop();
    return [{ target, protocol, ...(published ? { published } : {}), ...(host ? { host_ip: host } : {}) }];
  }
  const [source = "", target = source] = entry.split(":");
  return [{ type: source.startsWith("/") || source.startsWith(".") ? "bind" : "volume", source, target }];
}

function merge(...values: unknown[]): unknown {
  return mergeDocuments(
    values.map((value) => ({ value })),
    { toLongForm },
  );
}

function web(...services: unknown[]): unknown {
  const merged = merge(...services.map((s) => ({ services: { web: s } }))) as {
    services: { web: unknown };
  };
  return merged.services.web;
}

describe("scalars and replaced values", () => {
  it("replaces image, command and entrypoint, whatever their form", () => {
    expect(
      web(
        { image: "a", command: ["a", "b"], entrypoint: "/a" },
        { image: "b", command: "c", entrypoint: ["/b"] },
      ),
    ).toEqual({ image: "b", command: "c", entrypoint: ["/b"] });
  });

  it("replaces with an empty list: command: [] wins", () => {
    expect(web({ command: ["a"] }, { command: [] })).toEqual({ command: [] });
  });

  it("keeps the earlier value when the later one is null", () => {
    expect(web({ labels: { a: "1" }, dns: ["x"] }, { labels: null, dns: null })).toEqual({
      labels: { a: "1" },
      dns: ["x"],
    });
  });

  it("replaces healthcheck.test but merges the rest of healthcheck", () => {
    expect(
      web(
        { healthcheck: { test: ["CMD", "a"], interval: "10s" } },
        { healthcheck: { test: ["CMD", "b"], retries: 3 } },
      ),
    ).toEqual({ healthcheck: { test: ["CMD", "b"], interval: "10s", retries: 3 } });
  });

  it("replaces extension fields, in a service and at the top", () => {
    expect(merge({ "x-a": { a: 1, b: { c: 2 } } }, { "x-a": { b: { d: 3 } } })).toEqual({
      "x-a": { b: { d: 3 } },
    });
    expect(web({ "x-s": { a: 1 } }, { "x-s": { c: 3 } })).toEqual({ "x-s": { c: 3 } });
  });
});

describe("mappings", () => {
  it("merges environment given as a mapping and as a list; bare names are null", () => {
    expect(web({ environment: { A: "1", B: "2" } }, { environment: ["B=3", "C=4", "D"] })).toEqual({
      environment: { A: "1", B: "3", C: "4", D: null },
    });
  });

  it("lets a null environment value replace an empty one", () => {
    expect(web({ environment: ["B="] }, { environment: { B: null } })).toEqual({ environment: { B: null } });
  });

  it("merges labels, annotations, sysctls, storage_opt by key; bare labels are empty strings", () => {
    expect(
      web(
        {
          labels: ["x", "l=1"],
          annotations: { a: "1" },
          sysctls: { "net.a": 1 },
          storage_opt: { size: "1G", a: "b" },
        },
        { labels: { l: "2" }, annotations: ["b=2"], sysctls: ["net.b=2"], storage_opt: { size: "2G" } },
      ),
    ).toEqual({
      labels: { x: "", l: "2" },
      annotations: { a: "1", b: "2" },
      sysctls: { "net.a": 1, "net.b": "2" },
      storage_opt: { size: "2G", a: "b" },
    });
  });

  it("replaces one ulimit whole", () => {
    expect(web({ ulimits: { nofile: { soft: 1, hard: 2 }, nproc: 5 } }, { ulimits: { nofile: 10 } })).toEqual(
      { ulimits: { nofile: 10, nproc: 5 } },
    );
  });

  it("merges build: a string is the context; args and labels by key; tags unique; cache lists appended", () => {
    expect(
      web(
        {
          build: {
            context: ".",
            args: { A1: "x", A2: "y" },
            tags: ["t1"],
            cache_from: ["c"],
            secrets: ["s1"],
          },
        },
        {
          build: {
            dockerfile: "D",
            args: ["A2=z", "A3"],
            tags: ["t1", "t2"],
            cache_from: ["c"],
            secrets: ["s1"],
          },
        },
      ),
    ).toEqual({
      build: {
        context: ".",
        dockerfile: "D",
        args: { A1: "x", A2: "z", A3: null },
        tags: ["t1", "t2"],
        cache_from: ["c", "c"],
        secrets: [{ source: "s1" }, { source: "s1" }],
      },
    });
    expect(web({ build: "." }, { build: { dockerfile: "D" } })).toEqual({
      build: { context: ".", dockerfile: "D" },
    });
  });

  it("merges deploy deeply; placement lists and device reservations are appended", () => {
    expect(
      web(
        {
          deploy: {
            labels: { d1: "a" },
            resources: { limits: { cpus: "1" } },
            placement: { constraints: ["a==1"] },
            restart_policy: { condition: "on-failure", max_attempts: 3 },
          },
        },
        {
          deploy: {
            labels: ["d2=b"],
            resources: { limits: { memory: "1g" } },
            placement: { constraints: ["a==1"] },
            restart_policy: { max_attempts: 5 },
          },
        },
      ),
    ).toEqual({
      deploy: {
        labels: { d1: "a", d2: "b" },
        resources: { limits: { cpus: "1", memory: "1g" } },
        placement: { constraints: ["a==1", "a==1"] },
        restart_policy: { condition: "on-failure", max_attempts: 5 },
      },
    });
  });

  it("merges service networks; a list is a mapping of nulls; aliases unique", () => {
    expect(
      web(
        { networks: { n1: { aliases: ["a1", "x"], ipv4_address: "10.0.0.2" }, n2: null } },
        { networks: ["n3"] },
        { networks: { n1: { aliases: ["x", "a2"], ipv4_address: "10.0.0.3" }, n2: null } },
      ),
    ).toEqual({
      networks: { n1: { aliases: ["a1", "x", "a2"], ipv4_address: "10.0.0.3" }, n2: null, n3: null },
    });
  });

  it("fills list depends_on like the reference, then merges each dependency field by field", () => {
    expect(
      web(
        { depends_on: { db: { condition: "service_healthy", required: false, restart: true } } },
        { depends_on: ["db", "cache"] },
      ),
    ).toEqual({
      depends_on: {
        db: { condition: "service_started", required: true, restart: true },
        cache: { condition: "service_started", required: true },
      },
    });
    expect(
      web(
        { depends_on: { db: { condition: "service_healthy" } } },
        { depends_on: { db: { restart: true } } },
      ),
    ).toEqual({ depends_on: { db: { condition: "service_healthy", restart: true } } });
  });

  it("keeps logging options for the same (or an unset) driver, drops them for another", () => {
    const a = { logging: { driver: "json-file", options: { a: "1" } } };
    expect(web(a, { logging: { options: { b: "2" } } })).toEqual({
      logging: { driver: "json-file", options: { a: "1", b: "2" } },
    });
    expect(web(a, { logging: { driver: "syslog", options: { b: "2" } } })).toEqual({
      logging: { driver: "syslog", options: { b: "2" } },
    });
    expect(web({ logging: { options: { a: "1" } } }, { logging: { driver: "syslog" } })).toEqual({
      logging: { driver: "syslog", options: { a: "1" } },
    });
  });
});

describe("lists", () => {
  it("appends dns, cap_add, expose, tmpfs, profiles … without duplicates, also within one file", () => {
    expect(
      web(
        {
          dns: ["1.1.1.1", "1.1.1.1", "2.2.2.2"],
          cap_add: ["A"],
          dns_search: "a.com",
          tmpfs: "/t",
          profiles: ["p1"],
        },
        {
          dns: ["3.3.3.3", "1.1.1.1"],
          cap_add: ["A", "B"],
          dns_search: "b.com",
          tmpfs: ["/t", "/u"],
          profiles: ["p1"],
        },
      ),
    ).toEqual({
      dns: ["1.1.1.1", "2.2.2.2", "3.3.3.3"],
      cap_add: ["A", "B"],
      dns_search: ["a.com", "b.com"],
      tmpfs: ["/t", "/u"],
      profiles: ["p1"],
    });
  });

  it("appends security_opt, group_add, volumes_from, device_cgroup_rules, keeping duplicates", () => {
    expect(
      web({ volumes_from: ["db"], security_opt: ["a"] }, { volumes_from: ["db"], security_opt: ["b"] }),
    ).toEqual({
      volumes_from: ["db", "db"],
      security_opt: ["a", "b"],
    });
  });

  it("merges extra_hosts as text: a host given twice with two forms stays twice", () => {
    expect(
      web(
        { extra_hosts: ["h1:1.1.1.1", "h2:2.2.2.2"] },
        { extra_hosts: { h2: "2.2.2.2", h1: "1.1.1.1", h3: "3.3.3.3" } },
      ),
      // A mapping's entries come in key order (h2 was written before h1).
    ).toEqual({ extra_hosts: ["h1:1.1.1.1", "h2:2.2.2.2", "h1=1.1.1.1", "h2=2.2.2.2", "h3=3.3.3.3"] });
    expect(web({ extra_hosts: { h: "1.1.1.1" } }, { extra_hosts: ["h=1.1.1.1", "h=2.2.2.2"] })).toEqual({
      extra_hosts: ["h=1.1.1.1", "h=2.2.2.2"],
    });
  });

  it("merges ports by host_ip, published, target and protocol; a later port replaces the earlier whole", () => {
    expect(
      web(
        {
          ports: [
            "8080:80",
            "9090:90/udp",
            "127.0.0.1:7070:70",
            "6000:60",
            "6000:60",
            { target: 81, name: "n" },
          ],
        },
        {
          ports: [
            { target: 80, published: "8080", app_protocol: "http" },
            "9090:90",
            "7070:70",
            { target: 81 },
          ],
        },
      ),
    ).toEqual({
      ports: [
        { target: 80, published: "8080", app_protocol: "http" },
        { target: 90, published: "9090", protocol: "udp" },
        { target: 70, published: "7070", protocol: "tcp", host_ip: "127.0.0.1" },
        { target: 60, published: "6000", protocol: "tcp" },
        { target: 81 },
        { target: 90, published: "9090", protocol: "tcp" },
        { target: 70, published: "7070", protocol: "tcp" },
      ],
    });
  });

  it("merges volumes and devices by target, the later entry replacing the earlier whole", () => {
    expect(
      web(
        {
          volumes: [
            "./data:/data",
            { type: "volume", source: "v1", target: "/v1", read_only: true },
            "/b:/x",
          ],
        },
        { volumes: [{ type: "bind", source: "./other", target: "/data" }, "v2:/v1", "/c:/x"] },
      ),
    ).toEqual({
      volumes: [
        { type: "bind", source: "./other", target: "/data" },
        { type: "volume", source: "v2", target: "/v1" },
        { type: "bind", source: "/c", target: "/x" },
      ],
    });
  });

  it("merges secrets by target (default /run/secrets/<source>) and configs by target (default /<source>)", () => {
    expect(
      web(
        { secrets: ["s1", { source: "s2", target: "/x" }, { source: "s3", target: "/t", mode: 0o400 }] },
        { secrets: [{ source: "s1", target: "/run/secrets/s1" }, "s2", { source: "s4", target: "/t" }] },
      ),
    ).toEqual({
      secrets: [
        { source: "s1", target: "/run/secrets/s1" },
        { source: "s2", target: "/x" },
        { source: "s4", target: "/t" },
        { source: "s2" },
      ],
    });
    expect(
      web(
        { configs: ["c1", { source: "c2", target: "/c2" }] },
        { configs: [{ source: "c1", target: "/c1" }, "c2"] },
      ),
    ).toEqual({ configs: [{ source: "c1", target: "/c1" }, { source: "c2" }] });
  });

  it("merges env_file by path; a later entry without `required` is required", () => {
    expect(
      web(
        { env_file: ["a.env", { path: "b.env", required: false }] },
        { env_file: [{ path: "b.env" }, "c.env"] },
      ),
    ).toEqual({
      env_file: [
        { path: "a.env", required: true },
        { path: "b.env", required: true },
        { path: "c.env", required: true },
      ],
    });
  });

  it("keeps short ports as written without a long-form converter, collapsing exact duplicates", () => {
    const docs: TaggedDocument[] = [
      { value: { ports: ["80:80", "80:80"] } },
      { value: { ports: ["81:81"] } },
    ];
    expect(
      mergeTagged(mergeTagged(undefined, docs[0]?.value, ["services", "w"]), docs[1]?.value, [
        "services",
        "w",
      ]),
    ).toEqual({ ports: ["80:80", "81:81"] });
  });
});

describe("top-level resources", () => {
  it("merges networks, volumes, secrets deeply; ipam.config is replaced; name is replaced", () => {
    expect(
      merge(
        {
          name: "first",
          networks: {
            n1: {
              driver: "bridge",
              labels: ["a=1"],
              ipam: { config: [{ subnet: "10.0.0.0/24", gateway: "10.0.0.1" }], options: { a: "1" } },
            },
            n2: {},
          },
          volumes: { v1: { driver_opts: { type: "nfs", o: "addr=1" } } },
          secrets: { s1: { file: "./s", labels: { a: "1" } } },
        },
        {
          name: "second",
          networks: {
            n1: { labels: { b: "2" }, ipam: { config: [{ subnet: "10.0.1.0/24" }], options: { b: "2" } } },
            n2: { external: true },
          },
          volumes: { v1: { driver_opts: { o: "addr=2" } } },
          secrets: { s1: { name: "sx" } },
        },
      ),
    ).toEqual({
      name: "second",
      networks: {
        n1: {
          driver: "bridge",
          labels: { a: "1", b: "2" },
          ipam: { config: [{ subnet: "10.0.1.0/24" }], options: { a: "1", b: "2" } },
        },
        n2: { external: true },
      },
      volumes: { v1: { driver_opts: { type: "nfs", o: "addr=2" } } },
      secrets: { s1: { file: "./s", labels: { a: "1" }, name: "sx" } },
    });
  });
});

describe("!reset and !override", () => {
  const base = {
    services: {
      web: {
        image: "a",
        command: ["x"],
        environment: { A: "1", B: "2" },
        ports: ["80:80"],
        cap_add: ["A"],
        networks: { n1: { aliases: ["a1"] } },
      },
      gone: { image: "g" },
    },
    networks: { n1: {}, n2: {} },
    "x-a": 1,
  };

  it("removes reset keys whatever their value: a field, a service, a resource, a map entry", () => {
    const doc: TaggedDocument = {
      value: {
        services: { web: { command: null, ports: ["9:9"], environment: { A: null } }, gone: null },
        networks: { n1: null },
        "x-a": null,
      },
      resets: [
        ["services", "web", "command"],
        ["services", "web", "ports"],
        ["services", "web", "environment", "A"],
        ["services", "gone"],
        ["networks", "n1"],
        ["x-a"],
      ],
    };
    expect(mergeDocuments([{ value: base }, doc], { toLongForm })).toEqual({
      services: {
        web: { image: "a", environment: { B: "2" }, cap_add: ["A"], networks: { n1: { aliases: ["a1"] } } },
      },
      networks: { n2: {} },
    });
  });

  it("replaces overridden values instead of merging, still converting them", () => {
    const doc: TaggedDocument = {
      value: {
        services: {
          web: { environment: ["C=3"], cap_add: ["B", "B"], ports: ["82:82"], networks: { n2: {} } },
        },
      },
      overrides: [
        ["services", "web", "environment"],
        ["services", "web", "cap_add"],
        ["services", "web", "ports"],
        ["services", "web", "networks"],
      ],
    };
    const merged = mergeDocuments([{ value: base }, doc], { toLongForm }) as { services: { web: unknown } };
    expect(merged.services.web).toEqual({
      image: "a",
      command: ["x"],
      environment: { C: "3" },
      ports: [{ target: 82, published: "82", protocol: "tcp" }],
      cap_add: ["B"],
      networks: { n2: {} },
    });
  });

  it("acts in the first file too, and a later file adds to a reset or overridden value", () => {
    const docs: TaggedDocument[] = [
      {
        value: { services: { web: { labels: { x: "1" }, cap_drop: ["X"] } } },
        resets: [["services", "web", "labels"]],
      },
      {
        value: { services: { web: { dns: ["9.9.9.9"], environment: { C: "3" } } } },
        resets: [["services", "web", "dns"]],
        overrides: [["services", "web", "environment"]],
      },
      { value: { services: { web: { dns: ["2.2.2.2"], environment: { D: "4" }, cap_drop: ["Y"] } } } },
    ];
    expect(
      mergeDocuments([
        { value: { services: { web: { dns: ["1.1.1.1"], environment: { A: "1" } } } } },
        ...docs,
      ]),
    ).toEqual({
      services: { web: { dns: ["2.2.2.2"], environment: { C: "3", D: "4" }, cap_drop: ["X", "Y"] } },
    });
  });

  it("replaces a whole service with !override", () => {
    const docs: TaggedDocument[] = [
      { value: { services: { db: { image: "db", environment: { A: "1" } } } } },
      { value: { services: { db: { image: "db2" } } }, overrides: [["services", "db"]] },
    ];
    expect(mergeDocuments(docs)).toEqual({ services: { db: { image: "db2" } } });
  });
});

describe("the rule table", () => {
  it("finds rules by path pattern, with mappings merged and extensions replaced by default", () => {
    expect(ruleFor(["services", "web", "environment"]).strategy).toBe("merge-map");
    expect(ruleFor(["services", "web", "ports"]).strategy).toBe("merge-by-key");
    expect(ruleFor(["services", "web", "networks", "n1", "aliases"]).strategy).toBe("append-unique");
    expect(ruleFor(["services", "web", "x-anything"]).strategy).toBe("replace");
    expect(ruleFor(["services", "web"]).strategy).toBe("deep");
  });

  it("builds tag sets from paths with numbers", () => {
    expect(tagSet({ resets: [["a", 0]] }).resets.size).toBe(1);
  });
});

describe("a later null", () => {
  it("clears command, entrypoint and healthcheck.test, and changes nothing elsewhere", () => {
    const merged = mergeDocuments([
      {
        value: {
          services: { a: { command: ["x"], entrypoint: "e", user: "u", healthcheck: { test: "t" } } },
        },
      },
      {
        value: {
          services: { a: { command: null, entrypoint: null, user: null, healthcheck: { test: null } } },
        },
      },
    ]) as { services: Record<string, Record<string, unknown>> };
    expect(merged.services.a).toEqual({
      command: null,
      entrypoint: null,
      user: "u",
      healthcheck: { test: null },
    });
  });
});

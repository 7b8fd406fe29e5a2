import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isMapping, type Mapping } from "../../../src/project/load/canonical.js";
import { diskFileSystem } from "../../../src/project/load/disk.js";
import { type LoadOptions, loadProject } from "../../../src/project/load/index.js";
import * as types from "../../../src/project/load/types.js";
import { memoryFileSystem } from "../../helpers/memfs.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const schema = JSON.parse(readFileSync(path.join(root, "src/schema/compose.schema.json"), "utf8")) as Mapping;

/** The schema node at a `/`-separated path from the root, `$ref`s followed. */
function schemaAt(pointer: string): Mapping {
  const follow = (node: unknown): Mapping => {
    if (!isMapping(node)) throw new Error(`no schema node at ${pointer}`);
    return typeof node.$ref === "string" ? schemaAt(node.$ref.replace(/^#\/?/, "")) : node;
  };
  let node = follow(schema);
  for (const part of pointer.split("/").filter((p) => p !== "")) node = follow(node[part]);
  return node;
}

interface Listed {
  keys: readonly string[];
  /** Where the schema describes the type. */
  at: string[];
  /** Keys the schema has that the loaded model never holds. */
  dropped?: string[];
}

const deploy = "definitions/deploy/properties";
const reservations = `${deploy}/resources/properties/reservations`;
const volumeItem = "definitions/service_volumes/items";
const ipam = "definitions/network/properties/ipam";
const LISTS: Record<string, Listed> = {
  // `version` is ignored, `include` is resolved into the project.
  compose: { keys: types.composeKeys, at: [""], dropped: ["version", "include"] },
  // `extends` is resolved, label files are merged into `labels`.
  service: { keys: types.serviceKeys, at: ["definitions/service"], dropped: ["extends", "label_file"] },
  build: { keys: types.buildKeys, at: ["definitions/build"] },
  healthcheck: { keys: types.healthcheckKeys, at: ["definitions/healthcheck"] },
  deploy: { keys: types.deployKeys, at: ["definitions/deploy"] },
  deployResources: { keys: types.deployResourcesKeys, at: [`${deploy}/resources`] },
  resourceLimits: { keys: types.resourceLimitsKeys, at: [`${deploy}/resources/properties/limits`] },
  resourceReservations: { keys: types.resourceReservationsKeys, at: [reservations] },
  genericResource: {
    keys: types.genericResourceKeys,
    at: [`${reservations}/properties/generic_resources/items`],
  },
  discreteResourceSpec: {
    keys: types.discreteResourceSpecKeys,
    at: [`${reservations}/properties/generic_resources/items/properties/discrete_resource_spec`],
  },
  deviceRequest: {
    keys: types.deviceRequestKeys,
    at: ["definitions/device_request", "definitions/service/properties/gpus/items"],
  },
  restartPolicy: { keys: types.restartPolicyKeys, at: [`${deploy}/restart_policy`] },
  updateConfig: { keys: types.updateConfigKeys, at: ["definitions/update_config"] },
  placement: { keys: types.placementKeys, at: [`${deploy}/placement`] },
  placementPreference: {
    keys: types.placementPreferenceKeys,
    at: [`${deploy}/placement/properties/preferences/items`],
  },
  servicePort: { keys: types.servicePortKeys, at: ["definitions/service/properties/ports/items"] },
  serviceVolume: { keys: types.serviceVolumeKeys, at: [volumeItem] },
  volumeBind: { keys: types.volumeBindKeys, at: [`${volumeItem}/properties/bind`] },
  volumeVolume: { keys: types.volumeVolumeKeys, at: [`${volumeItem}/properties/volume`] },
  volumeTmpfs: { keys: types.volumeTmpfsKeys, at: [`${volumeItem}/properties/tmpfs`] },
  serviceNetwork: {
    keys: types.serviceNetworkKeys,
    at: ["definitions/service_networks/patternProperties/^[a-zA-Z0-9._-]+$"],
  },
  dependsOn: {
    keys: types.dependsOnKeys,
    at: ["definitions/depends_on/patternProperties/^[a-zA-Z0-9._-]+$"],
  },
  logging: { keys: types.loggingKeys, at: ["definitions/service/properties/logging"] },
  ulimit: { keys: types.ulimitKeys, at: ["definitions/ulimits/patternProperties/^[a-z]+$"] },
  develop: { keys: types.developKeys, at: ["definitions/develop"] },
  watchRule: { keys: types.watchRuleKeys, at: ["definitions/develop/properties/watch/items"] },
  hook: { keys: types.hookKeys, at: ["definitions/hook"] },
  fileReference: { keys: types.fileReferenceKeys, at: ["definitions/file_references/items"] },
  blkio: { keys: types.blkioKeys, at: ["definitions/service/properties/blkio_config"] },
  throttleDevice: { keys: types.throttleDeviceKeys, at: ["definitions/blkio_rates/items"] },
  weightDevice: { keys: types.weightDeviceKeys, at: ["definitions/blkio_weights/items"] },
  envFile: { keys: types.envFileKeys, at: ["definitions/env_file/items"] },
  serviceDevice: { keys: types.serviceDeviceKeys, at: ["definitions/service/properties/devices/items"] },
  credentialSpec: { keys: types.credentialSpecKeys, at: ["definitions/service/properties/credential_spec"] },
  network: { keys: types.networkKeys, at: ["definitions/network"] },
  // The reference's model has no ipam options: the loader drops them.
  ipam: { keys: types.ipamKeys, at: [ipam], dropped: ["options"] },
  ipamConfig: { keys: types.ipamConfigKeys, at: [`${ipam}/properties/config/items`] },
  volume: { keys: types.volumeKeys, at: ["definitions/volume"] },
  secret: { keys: types.secretKeys, at: ["definitions/secret"] },
  config: { keys: types.configKeys, at: ["definitions/config"] },
};

/** Schema objects with properties that are no type of the model: they are gone or reshaped after load. */
const NOT_IN_MODEL = [
  // `external: {name: x}` becomes `external: true` (and `name: x`).
  "definitions/external",
  "definitions/external_open",
  // Resolved by the loader.
  "definitions/include",
  "definitions/service/properties/extends",
];

/** Every schema node that has `properties`, by its path (without following `$ref`s). */
function objectsOf(node: unknown, at: string, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const [i, item] of node.entries()) objectsOf(item, `${at}/${i}`, out);
  if (!isMapping(node)) return out;
  if (isMapping(node.properties)) out.push(at);
  for (const [key, child] of Object.entries(node)) objectsOf(child, at === "" ? key : `${at}/${key}`, out);
  return out;
}

describe("the types of the loaded model and the schema", () => {
  it.each(Object.entries(LISTS))("%s: the key list is the schema's properties", (_name, listed) => {
    for (const at of listed.at) {
      const properties = schemaAt(at).properties;
      expect(isMapping(properties), at).toBe(true);
      const fromSchema = Object.keys(properties as Mapping).filter(
        (k) => !(listed.dropped ?? []).includes(k),
      );
      expect([...listed.keys].sort(), at).toEqual(fromSchema.sort());
    }
  });

  it("has a type for every object of the schema", () => {
    const listed = new Set(Object.values(LISTS).flatMap((l) => l.at));
    const missing = objectsOf(schema, "").filter((at) => !listed.has(at) && !NOT_IN_MODEL.includes(at));
    expect(missing).toEqual([]);
  });

  it("lists each dropped key in the schema", () => {
    for (const listed of Object.values(LISTS)) {
      for (const at of listed.at) {
        const properties = Object.keys(schemaAt(at).properties as Mapping);
        for (const key of listed.dropped ?? []) expect(properties, at).toContain(key);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// the keys of loaded models

interface Shape {
  name: keyof typeof LISTS;
  /** Fields of a nested type: one object, a list of them, or a mapping of names to them. */
  nested?: Record<string, { object: Shape } | { list: Shape } | { values: Shape }>;
}

const hook: Shape = { name: "hook" };
const fileReference: Shape = { name: "fileReference" };
const ulimit: Shape = { name: "ulimit" };
const deviceRequest: Shape = { name: "deviceRequest" };
const updateConfig: Shape = { name: "updateConfig" };
const throttle: Shape = { name: "throttleDevice" };
const service: Shape = {
  name: "service",
  nested: {
    blkio_config: {
      object: {
        name: "blkio",
        nested: {
          device_read_bps: { list: throttle },
          device_read_iops: { list: throttle },
          device_write_bps: { list: throttle },
          device_write_iops: { list: throttle },
          weight_device: { list: { name: "weightDevice" } },
        },
      },
    },
    build: {
      object: { name: "build", nested: { secrets: { list: fileReference }, ulimits: { values: ulimit } } },
    },
    configs: { list: fileReference },
    credential_spec: { object: { name: "credentialSpec" } },
    depends_on: { values: { name: "dependsOn" } },
    deploy: {
      object: {
        name: "deploy",
        nested: {
          resources: {
            object: {
              name: "deployResources",
              nested: {
                limits: { object: { name: "resourceLimits" } },
                reservations: {
                  object: {
                    name: "resourceReservations",
                    nested: {
                      devices: { list: deviceRequest },
                      generic_resources: {
                        list: {
                          name: "genericResource",
                          nested: { discrete_resource_spec: { object: { name: "discreteResourceSpec" } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          restart_policy: { object: { name: "restartPolicy" } },
          update_config: { object: updateConfig },
          rollback_config: { object: updateConfig },
          placement: {
            object: { name: "placement", nested: { preferences: { list: { name: "placementPreference" } } } },
          },
        },
      },
    },
    develop: {
      object: {
        name: "develop",
        nested: { watch: { list: { name: "watchRule", nested: { exec: { object: hook } } } } },
      },
    },
    devices: { list: { name: "serviceDevice" } },
    env_file: { list: { name: "envFile" } },
    gpus: { list: deviceRequest },
    healthcheck: { object: { name: "healthcheck" } },
    logging: { object: { name: "logging" } },
    networks: { values: { name: "serviceNetwork" } },
    ports: { list: { name: "servicePort" } },
    post_start: { list: hook },
    pre_stop: { list: hook },
    secrets: { list: fileReference },
    ulimits: { values: ulimit },
    volumes: {
      list: {
        name: "serviceVolume",
        nested: {
          bind: { object: { name: "volumeBind" } },
          volume: { object: { name: "volumeVolume" } },
          tmpfs: { object: { name: "volumeTmpfs" } },
        },
      },
    },
  },
};
const compose: Shape = {
  name: "compose",
  nested: {
    services: { values: service },
    networks: {
      values: {
        name: "network",
        nested: { ipam: { object: { name: "ipam", nested: { config: { list: { name: "ipamConfig" } } } } } },
      },
    },
    volumes: { values: { name: "volume" } },
    secrets: { values: { name: "secret" } },
    configs: { values: { name: "config" } },
  },
};

interface Walk {
  /** The file whose model is walked. */
  file: string;
  /** Keys no list names: "file: path.in.model". */
  unlisted: Set<string>;
  /** The types met. */
  seen: Set<string>;
}

/** Checks every key of `value` (x-… aside) against its type's list, and the nested types' keys below it. */
function walk(value: unknown, shape: Shape, at: string, out: Walk): void {
  // null service networks, single ulimits, null deploy and the like hold no keys.
  if (!isMapping(value)) return;
  out.seen.add(shape.name);
  const keys: readonly string[] = LISTS[shape.name]?.keys ?? [];
  for (const [key, field] of Object.entries(value)) {
    if (key.startsWith("x-")) continue;
    if (!keys.includes(key)) out.unlisted.add(`${out.file}: ${at}${key}`);
    const nested = shape.nested?.[key];
    if (!nested) continue;
    if ("object" in nested) walk(field, nested.object, `${at}${key}.`, out);
    else if ("list" in nested) {
      const items = Array.isArray(field) ? field : [];
      for (const [i, item] of items.entries()) walk(item, nested.list, `${at}${key}[${i}].`, out);
    } else if (isMapping(field)) {
      for (const [name, item] of Object.entries(field))
        walk(item, nested.values, `${at}${key}.${name}.`, out);
    }
  }
}

function composeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) return composeFiles(file);
    return /\.ya?ml$/.test(entry) ? [file] : [];
  });
}

/** Every key a rare nested type has, so that the walk meets each type at least once. */
const EVERYTHING = `
services:
  a:
    image: busybox
    attach: false
    blkio_config:
      weight: 300
      weight_device: [{path: /dev/sda, weight: 400}]
      device_read_bps: [{path: /dev/sda, rate: 1mb}]
      device_read_iops: [{path: /dev/sda, rate: 100}]
      device_write_bps: [{path: /dev/sda, rate: 1mb}]
      device_write_iops: [{path: /dev/sda, rate: 100}]
    build:
      context: .
      secrets: [s]
      ulimits: {nofile: {soft: 10, hard: 20}}
    credential_spec: {config: c}
    depends_on:
      b: {condition: service_healthy, restart: true}
    deploy:
      mode: replicated
      replicas: 2
      placement: {max_replicas_per_node: 3, preferences: [{spread: node.labels.zone}], constraints: [a==b]}
      resources:
        limits: {cpus: "0.5", memory: 50m, pids: 5}
        reservations:
          cpus: "0.25"
          memory: 10m
          generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]
          devices: [{capabilities: [gpu], count: 2, driver: nvidia}, {capabilities: [gpu], device_ids: ["0"], options: {a: b}}]
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 1m}
      update_config: {parallelism: 2, delay: 1s, order: start-first, failure_action: pause, monitor: 5s}
      rollback_config: {parallelism: 1, max_failure_ratio: 0.5}
    develop:
      watch: [{path: ., action: sync+exec, target: /app, ignore: [x], exec: {command: ls, user: root}}]
    devices: ["/dev/null:/dev/n:rw"]
    env_file: [{path: ./a.env, required: false}]
    gpus: all
    healthcheck: {test: "true", interval: 10s, retries: 3, start_period: 1s, start_interval: 1s, timeout: 2s}
    logging: {driver: json-file, options: {max-size: 10m}}
    networks:
      n: {aliases: [x], ipv4_address: 10.5.0.9, priority: 5, gw_priority: 1, driver_opts: {a: b}}
    ports: ["127.0.0.1:8080:80/udp", {target: 81, published: 8081, name: web, app_protocol: http}]
    post_start: [{command: ls, privileged: true, working_dir: /, environment: {A: "1"}}]
    pre_stop: [{command: ls}]
    secrets: [{source: s, target: /s, uid: "1", gid: "1", mode: 0o440}]
    configs: [c]
    ulimits: {nproc: 5, nofile: {soft: 10, hard: 20}}
    volumes:
      - type: tmpfs
        target: /t
        tmpfs: {size: 1m, mode: 0o1777}
      - ./data:/data:ro,z,rshared
      - type: volume
        source: v
        target: /v
        volume: {nocopy: true, subpath: sub}
  b:
    image: busybox
networks:
  n:
    driver: bridge
    driver_opts: {a: b}
    labels: [l=1]
    attachable: true
    ipam: {driver: default, config: [{subnet: 10.5.0.0/16, gateway: 10.5.0.1, ip_range: 10.5.0.0/24, aux_addresses: {h: 10.5.0.2}}]}
volumes:
  v: {driver: local, driver_opts: {type: tmpfs}, labels: {a: b}}
secrets:
  s: {file: ./s.txt}
configs:
  c: {content: hi}
`;

const loadMemory = (options: LoadOptions) =>
  loadProject({
    options,
    env: {},
    fs: memoryFileSystem("/p", { "/p/compose.yaml": EVERYTHING, "/p/a.env": "A=1\n", "/p/s.txt": "s" }),
    home: "/home/me",
  });

describe("the keys of loaded models", () => {
  it("are all listed, in the examples, the fixtures and a document with every nested type", () => {
    const out: Walk = { file: "", unlisted: new Set(), seen: new Set() };
    const variants: LoadOptions[] = [{}, { mergeEnvFiles: false }, { normalize: false }];
    let loaded = 0;
    const files = [
      ...composeFiles(path.join(root, "examples")),
      ...composeFiles(path.join(root, "test/fixtures")),
    ];
    for (const file of files) {
      for (const options of variants) {
        const result = loadProject({
          options: { ...options, files: [file] },
          env: {},
          fs: diskFileSystem(path.dirname(file)),
          home: "/home/me",
        });
        // Fixtures of bad documents do not load: only the models the loader returns are typed.
        if (!result.project) continue;
        loaded++;
        out.file = path.relative(root, file);
        walk(result.project.model, compose, "", out);
      }
    }
    for (const options of variants) {
      const result = loadMemory(options);
      expect(result.problems).toEqual([]);
      expect(result.failure).toBeUndefined();
      out.file = "EVERYTHING";
      walk(result.project?.model, compose, "", out);
    }
    // Most fixtures are good documents: a loader that failed them all would check nothing here.
    expect(loaded).toBeGreaterThan(files.length);
    expect([...out.unlisted]).toEqual([]);
    expect([...out.seen].sort()).toEqual(Object.keys(LISTS).sort());
  });
});

describe("typedModel", () => {
  it("gives the loaded model its type, unchanged", () => {
    const result = loadMemory({});
    expect(result.problems).toEqual([]);
    const model = result.project?.model ?? {};
    const typed = types.typedModel(model);
    expect(typed).toBe(model);
    const a = typed.services.a;
    expect(a?.ports?.map((p) => [p.host_ip, p.target, p.published, p.protocol])).toEqual([
      ["127.0.0.1", 80, "8080", "udp"],
      [undefined, 81, "8081", "tcp"],
    ]);
    expect(a?.depends_on?.b).toEqual({ condition: "service_healthy", restart: true, required: true });
    expect(a?.deploy?.resources.limits?.cpus).toBe(0.5);
    expect(a?.environment).toEqual({ A: "1" });
    expect(a?.networks?.n?.aliases).toEqual(["x"]);
    expect(typed.services.b?.networks).toEqual({ default: null });
    expect(typed.networks?.n?.ipam.config?.[0]?.subnet).toBe("10.5.0.0/16");
    expect(typed.secrets?.s?.file).toBe("/p/s.txt");
  });
});

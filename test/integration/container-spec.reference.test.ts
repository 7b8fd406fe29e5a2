// Differential test of src/project/container-spec.ts: the reference docker compose brings each fixture
// project up, the engine's inspect of every container is compared with what containerSpec produces for
// the same service, field by field (only the fields containerSpec sets; what the engine or the image fills
// in itself is taken out first).
import { execFile } from "node:child_process";
import { homedir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ContainerSpec,
  containerSpec,
  resolveServiceReferences,
  resourceNames,
} from "../../src/project/container-spec.js";
import { label } from "../../src/project/labels.js";
import { diskFileSystem } from "../../src/project/load/disk.js";
import { isMapping, type Mapping } from "../../src/project/load/document.js";
import { loadProject } from "../../src/project/load/index.js";
import { referenceBinary, referenceSkipNote, repoRoot } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const exec = promisify(execFile);
const fixtures = path.join(repoRoot, "test/fixtures/container-spec");

type Inspect = {
  Id: string;
  Name: string;
  Image: string;
  Config: Mapping & { Labels: Record<string, string>; Env: string[] | null };
  HostConfig: Mapping;
  NetworkSettings: { Networks: Record<string, Mapping> };
};

async function docker(args: string[]): Promise<string> {
  return (await exec("docker", args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function reference(dir: string, project: string, args: string[]): Promise<void> {
  if (!referenceBinary) throw new Error("no reference binary");
  await exec(referenceBinary, ["-p", project, ...args], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
}

async function inspectProject(project: string): Promise<Inspect[]> {
  const ids = (await docker(["ps", "-aq", "--filter", `label=${label.project}=${project}`])).split(/\s+/);
  const present = ids.filter(Boolean);
  return present.length === 0 ? [] : (JSON.parse(await docker(["inspect", ...present])) as Inspect[]);
}

async function imageConfig(image: string): Promise<Mapping> {
  const [inspected] = JSON.parse(await docker(["image", "inspect", image])) as { Config: Mapping }[];
  return inspected?.Config ?? {};
}

/** Sorted copies of the lists the reference builds from Go maps (their order varies between runs). */
function normaliseHost(host: Mapping): Mapping {
  const out: Mapping = { ...host };
  const byKey = (key: string) => (a: unknown, b: unknown) =>
    String((a as Mapping)[key]).localeCompare(String((b as Mapping)[key]));
  if (Array.isArray(out.Mounts)) out.Mounts = [...out.Mounts].sort(byKey("Target"));
  if (Array.isArray(out.Ulimits)) out.Ulimits = [...out.Ulimits].sort(byKey("Name"));
  for (const key of ["ExtraHosts", "Binds"]) if (Array.isArray(out[key])) out[key] = [...out[key]].sort();
  return out;
}

function sortedDependsOn(labels: Record<string, string>): Record<string, string> {
  const value = labels[label.dependsOn];
  if (value === undefined) return labels;
  return { ...labels, [label.dependsOn]: value.split(",").sort().join(",") };
}

async function checkContainer(c: Inspect, spec: ContainerSpec): Promise<void> {
  const { create, connect } = spec;
  const image = await imageConfig(c.Image);
  const where = `container ${c.Name}`;
  expect(c.Name.slice(1), where).toBe(create.name);
  expect(c.Config.Image, where).toBe(create.Image);

  // Config fields the spec sets, as the engine stored them.
  const configFields = [
    "Cmd",
    "Entrypoint",
    "WorkingDir",
    "User",
    "Hostname",
    "Domainname",
    "StopSignal",
    "StopTimeout",
    "Healthcheck",
  ] as const;
  for (const field of configFields) {
    if (create[field] !== undefined) expect(c.Config[field], `${where} ${field}`).toEqual(create[field]);
  }
  expect(c.Config.Tty, `${where} Tty`).toBe(create.Tty ?? false);
  expect(c.Config.OpenStdin, `${where} OpenStdin`).toBe(create.OpenStdin ?? false);
  expect(c.Config.MacAddress ?? undefined, `${where} MacAddress`).toEqual(create.MacAddress);

  // Env and ExposedPorts: the engine adds the image's; labels: the image's too.
  const imageEnv = new Set(Array.isArray(image.Env) ? (image.Env as string[]) : []);
  const env = (c.Config.Env ?? []).filter((e) => !imageEnv.has(e) || create.Env?.includes(e)).sort();
  expect(env, `${where} Env`).toEqual([...(create.Env ?? [])].sort());
  const imagePorts = isMapping(image.ExposedPorts) ? image.ExposedPorts : {};
  const ports = Object.keys(isMapping(c.Config.ExposedPorts) ? c.Config.ExposedPorts : {});
  const ownPorts = Object.keys(create.ExposedPorts ?? {});
  expect(
    ports.filter((p) => !(p in imagePorts) || ownPorts.includes(p)).sort(),
    `${where} ExposedPorts`,
  ).toEqual(ownPorts.sort());
  const imageLabels = isMapping(image.Labels) ? image.Labels : {};
  const labels = Object.fromEntries(Object.entries(c.Config.Labels).filter(([k]) => !(k in imageLabels)));
  expect(sortedDependsOn(labels), `${where} Labels`).toEqual(sortedDependsOn(create.Labels ?? {}));

  // HostConfig: every field the spec sets. Links are sent in HostConfig too (as the reference does), but on
  // a user-defined network the engine keeps them on the endpoint only (compared below).
  const { Links: _links, ...host } = create.HostConfig ?? {};
  const inspected = Object.fromEntries(Object.keys(host).map((k) => [k, c.HostConfig[k]]));
  expect(normaliseHost(inspected), `${where} HostConfig`).toEqual(normaliseHost(host));
  // Sent for every container, `{}` without ports: inspect then shows `{}` as for the reference's, not null.
  expect(create.HostConfig?.PortBindings, `${where} PortBindings`).toEqual(c.HostConfig.PortBindings);
  if (host.RestartPolicy === undefined) {
    expect((c.HostConfig.RestartPolicy as Mapping).Name, `${where} RestartPolicy`).toMatch(/^(no)?$/);
  }

  // Networks: the primary endpoint at create plus the connected ones; the engine appends the short id
  // (and the hostname) to the aliases.
  const endpoints = { ...(create.NetworkingConfig?.EndpointsConfig ?? {}) };
  for (const { network, EndpointConfig } of connect) endpoints[network] = EndpointConfig;
  const networks = c.NetworkSettings.Networks;
  if (create.NetworkingConfig)
    expect(Object.keys(networks).sort(), where).toEqual(Object.keys(endpoints).sort());
  for (const [network, endpoint] of Object.entries(endpoints)) {
    const actual = networks[network] ?? {};
    const aliases = Array.isArray(actual.Aliases) ? actual.Aliases : [];
    expect(aliases.slice(0, endpoint.Aliases?.length ?? 0), `${where} ${network} Aliases`).toEqual(
      endpoint.Aliases,
    );
    expect(actual.IPAMConfig ?? undefined, `${where} ${network} IPAMConfig`).toEqual(endpoint.IPAMConfig);
    expect(actual.Links ?? undefined, `${where} ${network} Links`).toEqual(endpoint.Links);
    if (endpoint.IPAddress)
      expect(actual.IPAddress, `${where} ${network} IPAddress`).toBe(endpoint.IPAddress);
  }
}

describe.skipIf(!referenceBinary)(
  `container create requests equal the reference's${referenceSkipNote}`,
  () => {
    const projects: { dir: string; project: string }[] = [];

    afterAll(async () => {
      for (const { dir, project } of projects) await reference(dir, project, ["down", "-v"]).catch(() => {});
    });

    it.each(["web-data", "misc"])("fixture %s", async (fixture) => {
      const dir = path.join(fixtures, fixture);
      const project = uniqueProjectName("spec");
      projects.push({ dir, project });
      try {
        await reference(dir, project, ["up", "-d"]);
        const containers = await inspectProject(project);
        expect(containers.length).toBeGreaterThan(0);

        const loaded = loadProject({
          options: { projectName: project },
          env: process.env,
          fs: diskFileSystem(dir),
          home: homedir(),
        });
        expect(loaded.problems).toEqual([]);
        const model = loaded.project?.model ?? { name: project, services: {} };
        const services = isMapping(model.services) ? model.services : {};
        const { networks, volumes } = resourceNames(model);
        const apiVersion = (await docker(["version", "--format", "{{.Server.APIVersion}}"])).trim();
        const byService = (name: string) =>
          containers
            .filter((c) => c.Config.Labels[label.service] === name)
            .sort((a, b) => a.Name.localeCompare(b.Name));

        for (const c of containers) {
          const serviceName = c.Config.Labels[label.service] ?? "";
          const raw = services[serviceName];
          if (!isMapping(raw)) throw new Error(`no service ${serviceName} in the model`);
          const service = resolveServiceReferences(raw, serviceName, (s) => byService(s)[0]?.Id);
          const linked: Record<string, string[]> = {};
          for (const name of Object.keys(services))
            linked[name] = byService(name).map((x) => x.Name.slice(1));
          const spec = containerSpec(service, {
            project,
            service: serviceName,
            number: Number(c.Config.Labels[label.containerNumber]),
            workingDir: loaded.project?.workingDir ?? dir,
            configFiles: loaded.project?.configFiles ?? [],
            networks,
            volumes,
            declared: {
              ...(isMapping(model.volumes) ? { volumes: model.volumes } : {}),
              ...(isMapping(model.secrets) ? { secrets: model.secrets } : {}),
              ...(isMapping(model.configs) ? { configs: model.configs } : {}),
            },
            imageId: c.Image,
            configHash: c.Config.Labels[label.configHash] ?? "",
            apiVersion,
            linkedContainers: linked,
          });
          await checkContainer(c, spec);
        }
      } finally {
        await reference(dir, project, ["down", "-v"]).catch(() => {});
      }
    });
  },
);

// The pure mapping of a loaded model to the swarm objects of `tcompose stack deploy`: the network create
// requests, secret and config specs and service specs that the docker CLI 20.10's `docker stack deploy` sends
// for the same file (cli/compose/convert/{compose,service,volume}.go, cli/command/stack/swarm/
// deploy_composefile.go), and its loader's warnings about the options swarm ignores
// (cli/compose/loader.GetUnsupportedProperties / GetDeprecatedProperties). Beyond docker: secrets from an
// environment variable, configs from `content` or an environment variable, and the job modes.
import type { NetworkCreateRequest, ServiceSpec, SwarmDataSpec } from "../engine/types.js";
import { stackLabel, stackScopedName } from "../labels.js";
import type { ComposeModel, Config, Network, Secret, Service, Volume } from "../load/types.js";
import { convertService, type ServiceContext, StackConvertError } from "./convert-service.js";

export { StackConvertError };

export interface StackInput {
  /** project.model of loadProject. */
  model: ComposeModel;
  /** The stack name. */
  namespace: string;
  /** Contents of the file- and environment-based secrets/configs, by top-level key (read by the caller). */
  contents: { secrets: Record<string, Buffer>; configs: Record<string, Buffer> };
}

export interface StackNetwork {
  key: string;
  name: string;
  external: boolean;
  /** The create request (not for an external network). */
  request?: NetworkCreateRequest;
}

export interface StackData {
  key: string;
  name: string;
  external: boolean;
  /** The create spec (not for an external secret or config). */
  spec?: SwarmDataSpec;
}

export interface StackService {
  key: string;
  /** `<stack>_<key>`. */
  name: string;
  /** The image as written. */
  image: string;
  spec: ServiceSpec;
}

export interface StackObjects {
  /** The networks the services use (declared or not), by key. */
  networks: StackNetwork[];
  /** Every declared secret and config, by key. */
  secrets: StackData[];
  configs: StackData[];
  /** By key. */
  services: StackService[];
  /**
   * docker stack deploy's warnings, same text (e.g. "Ignoring unsupported options: build"); docker prints
   * each on stderr followed by an empty line.
   */
  warnings: string[];
}

export type ContentSource = { file?: string; environment?: string; content?: string };

/** The properties docker stack deploy ignores with "Ignoring unsupported options:" (types.UnsupportedProperties). */
const unsupportedProperties = [
  "build",
  "cgroupns_mode",
  "cgroup_parent",
  "devices",
  "domainname",
  "external_links",
  "ipc",
  "links",
  "mac_address",
  "network_mode",
  "pid",
  "privileged",
  "restart",
  "security_opt",
  "shm_size",
  "userns_mode",
];

/**
 * Beyond docker, whose 3.x schema refuses them: options of the current spec a swarm service has no field for,
 * reported in the same warning instead of ignored silently.
 */
const unmappedProperties = [
  "annotations",
  "attach",
  "blkio_config",
  "cgroup",
  "cpu_count",
  "cpu_percent",
  "cpu_period",
  "cpu_rt_period",
  "cpu_rt_runtime",
  "cpus",
  "develop",
  "device_cgroup_rules",
  "gpus",
  "mem_reservation",
  "mem_swappiness",
  "oom_kill_disable",
  "oom_score_adj",
  "pids_limit",
  "platform",
  "post_start",
  "pre_stop",
  "pull_policy",
  "runtime",
  "storage_opt",
  "uts",
];

/** The properties it ignores with "Ignoring deprecated options:" (types.DeprecatedProperties). */
const deprecatedProperties: Record<string, string> = {
  container_name: "Setting the container name is not supported.",
  expose:
    "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
};

/** The properties it refuses (types.ForbiddenProperties; `extends` and `volume_driver` do not reach the model). */
const forbiddenProperties: Record<string, string> = {
  volumes_from:
    "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.",
  cpu_quota: "Set resource limits using deploy.resources",
  cpu_shares: "Set resource limits using deploy.resources",
  cpuset: "Set resource limits using deploy.resources",
  mem_limit: "Set resource limits using deploy.resources",
  memswap_limit: "Set resource limits using deploy.resources",
};

const sortedKeys = (record: Record<string, unknown> | undefined): string[] =>
  Object.keys(record ?? {}).sort();

const isSet = (service: Service, key: string): boolean =>
  (service as Record<string, unknown>)[key] !== undefined;

/** docker stack deploy's loader warnings for the services' options swarm ignores. */
export function stackWarnings(model: ComposeModel): string[] {
  const services = Object.values(model.services);
  const warnings: string[] = [];
  const unsupported = [...unsupportedProperties, ...unmappedProperties]
    .filter((p) => services.some((s) => isSet(s, p)))
    .sort();
  if (unsupported.length > 0) warnings.push(`Ignoring unsupported options: ${unsupported.join(", ")}`);
  const deprecated = Object.keys(deprecatedProperties)
    .filter((p) => services.some((s) => isSet(s, p)))
    .map((p) => `${p}: ${deprecatedProperties[p]}`)
    .sort();
  if (deprecated.length > 0) warnings.push(`Ignoring deprecated options:\n\n${deprecated.join("\n\n")}`);
  return warnings;
}

function checkForbidden(model: ComposeModel): void {
  const found: string[] = [];
  for (const key of sortedKeys(model.services)) {
    const service = model.services[key] as Service;
    for (const property of Object.keys(forbiddenProperties).sort()) {
      if (isSet(service, property))
        found.push(`service ${key}: ${property}: ${forbiddenProperties[property]}`);
    }
  }
  if (found.length > 0) {
    throw new StackConvertError(`Compose file contains unsupported options: ${found.join("; ")}`);
  }
}

/**
 * The swarm name of a top-level resource: its `name:` if written, else `<stack>_<key>` (an external one's
 * name is its key unless written). The loader fills `<project>_<key>` in when no name is written, which is
 * taken for not written, so a stack named otherwise than the project gets docker's names.
 */
export function resourceName(
  model: ComposeModel,
  namespace: string,
  key: string,
  resource: { name?: string; external?: boolean } | undefined,
): string {
  const name = resource?.name;
  if (resource?.external) return name ?? key;
  if (name === undefined || name === stackScopedName(model.name, key)) return stackScopedName(namespace, key);
  return name;
}

function withNamespace(
  labels: Record<string, string> | undefined,
  namespace: string,
): Record<string, string> {
  return { ...labels, [stackLabel.namespace]: namespace };
}

/** The networks the services are attached to: `default` for one that names none. */
function usedNetworks(model: ComposeModel): string[] {
  const used = new Set<string>();
  for (const service of Object.values(model.services)) {
    const keys = Object.keys(service.networks ?? {});
    if (keys.length === 0) used.add("default");
    for (const key of keys) used.add(key);
  }
  return [...used].sort();
}

function convertNetwork(model: ComposeModel, namespace: string, key: string): StackNetwork {
  const network: Network | undefined = model.networks?.[key];
  const name = resourceName(model, namespace, key, network);
  if (network?.external) return { key, name, external: true };
  // Without CheckDuplicate, as docker's: a local network of the name on the manager does not stop it.
  const request: NetworkCreateRequest = {
    Name: name,
    Driver: network?.driver || "overlay",
    Labels: withNamespace(network?.labels, namespace),
  };
  if (network?.driver_opts) request.Options = { ...network.driver_opts };
  if (network?.internal) request.Internal = true;
  if (network?.attachable) request.Attachable = true;
  // Beyond docker, whose 3.x schema refuses them: enable_ipv6, and an IPAM config's ip_range, gateway and
  // aux_addresses (docker passes the driver and the subnets).
  if (network?.enable_ipv6) request.EnableIPv6 = true;
  const ipam = network?.ipam;
  if (ipam && (ipam.driver || (ipam.config?.length ?? 0) > 0)) {
    request.IPAM = {};
    if (ipam.driver) request.IPAM.Driver = ipam.driver;
    if (ipam.config?.length) {
      request.IPAM.Config = ipam.config.map((c) => {
        const config: NonNullable<NonNullable<NetworkCreateRequest["IPAM"]>["Config"]>[number] = {
          Subnet: c.subnet ?? "",
        };
        if (c.ip_range) config.IPRange = c.ip_range;
        if (c.gateway) config.Gateway = c.gateway;
        if (c.aux_addresses) config.AuxiliaryAddresses = { ...c.aux_addresses };
        return config;
      });
    }
  }
  return { key, name, external: false, request };
}

/** Which top-level secrets/configs need contents read, and from where (file path or environment variable). */
export function stackContentSources(model: ComposeModel): {
  secrets: Record<string, ContentSource>;
  configs: Record<string, ContentSource>;
} {
  const secrets: Record<string, ContentSource> = {};
  for (const key of sortedKeys(model.secrets)) {
    const secret = model.secrets?.[key] as Secret;
    if (secret.external || secret.driver) continue;
    secrets[key] = source(secret);
  }
  const configs: Record<string, ContentSource> = {};
  for (const key of sortedKeys(model.configs)) {
    const config = model.configs?.[key] as Config;
    if (config.external) continue;
    configs[key] = source(config);
  }
  return { secrets, configs };
}

function source(resource: { file?: string; environment?: string; content?: string }): ContentSource {
  if (resource.file !== undefined) return { file: resource.file };
  if (resource.environment !== undefined) return { environment: resource.environment };
  if (resource.content !== undefined) return { content: resource.content };
  return {};
}

function convertData(
  kind: "secret" | "config",
  model: ComposeModel,
  namespace: string,
  key: string,
  resource: Secret | Config,
  contents: Record<string, Buffer>,
): StackData {
  const name = resourceName(model, namespace, key, resource);
  if (resource.external) return { key, name, external: true };
  const spec: SwarmDataSpec = { Name: name, Labels: withNamespace(resource.labels, namespace) };
  const driver = kind === "secret" ? (resource as Secret).driver : undefined;
  if (driver) {
    // A driver's secret has no data (docker sends an empty one).
    const options = (resource as Secret).driver_opts;
    spec.Driver = { Name: driver };
    if (options) {
      spec.Driver.Options = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)]));
    }
  } else {
    let data = contents[key];
    if (data === undefined && "content" in resource && resource.content !== undefined) {
      data = Buffer.from(resource.content);
    }
    if (data === undefined) throw new StackConvertError(`${kind} ${key}: its content was not read`);
    spec.Data = data.toString("base64");
  }
  if (resource.template_driver) spec.Templating = { Name: resource.template_driver };
  return { key, name, external: false, spec };
}

export function convertStack(input: StackInput): StackObjects {
  const { model, namespace, contents } = input;
  checkForbidden(model);
  const warnings = stackWarnings(model);

  const networks = usedNetworks(model).map((key) => convertNetwork(model, namespace, key));
  const secrets = sortedKeys(model.secrets).map((key) =>
    convertData("secret", model, namespace, key, model.secrets?.[key] as Secret, contents.secrets),
  );
  const configs = sortedKeys(model.configs).map((key) =>
    convertData("config", model, namespace, key, model.configs?.[key] as Config, contents.configs),
  );

  const names = (record: Record<string, { name?: string; external?: boolean }> | undefined) =>
    Object.fromEntries(
      Object.entries(record ?? {}).map(([key, r]) => [key, resourceName(model, namespace, key, r)]),
    );
  const context: ServiceContext = {
    namespace,
    networkNames: { default: stackScopedName(namespace, "default"), ...names(model.networks) },
    secretNames: names(model.secrets),
    configNames: names(model.configs),
    volumes: Object.fromEntries(
      Object.entries(model.volumes ?? {}).map(([key, v]: [string, Volume]) => [
        key,
        { name: resourceName(model, namespace, key, v), volume: v },
      ]),
    ),
  };
  const services = sortedKeys(model.services).map((key) => {
    const spec = convertService(context, key, model.services[key] as Service);
    return { key, name: spec.Name, image: spec.TaskTemplate.ContainerSpec.Image, spec };
  });
  return { networks, secrets, configs, services, warnings };
}

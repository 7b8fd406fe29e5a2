// Networks: create, inspect, list, connect, disconnect, remove.
import type Docker from "dockerode";
import { type EngineCore, labelFilters, orMissing } from "./core.js";
import type { LabelFilter, NetworkCreateRequest, NetworkDetails, NetworkSummary } from "./types.js";

export async function createNetwork(core: EngineCore, request: NetworkCreateRequest): Promise<string> {
  const network = await core.send<{ Id: string }>(
    `network ${request.Name}`,
    "POST",
    "/networks/create",
    {},
    request,
    async (docker) => ({
      Id: (await docker.createNetwork(request)).id,
    }),
  );
  return network.Id;
}

export async function removeNetwork(core: EngineCore, idOrName: string): Promise<void> {
  await core.send(
    `network ${idOrName}`,
    "DELETE",
    `/networks/${encodeURIComponent(idOrName)}`,
    {},
    undefined,
    (docker) => docker.getNetwork(idOrName).remove(),
  );
}

async function listByFilters(core: EngineCore, filters: string): Promise<NetworkSummary[]> {
  const networks = await core.read<Docker.NetworkInspectInfo[]>(
    "networks",
    "/networks",
    { filters },
    (docker) => docker.listNetworks({ filters }),
  );
  return networks.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, labels: n.Labels ?? {} }));
}

export async function listNetworks(core: EngineCore, filter: LabelFilter): Promise<NetworkSummary[]> {
  return listByFilters(core, labelFilters(filter));
}

export async function listNetworksByName(core: EngineCore, name: string): Promise<NetworkSummary[]> {
  return listByFilters(core, JSON.stringify({ name: [name] }));
}

export async function inspectNetwork(
  core: EngineCore,
  idOrName: string,
): Promise<NetworkDetails | undefined> {
  const n = await orMissing<Docker.NetworkInspectInfo>(() =>
    core.read(`network ${idOrName}`, `/networks/${encodeURIComponent(idOrName)}`, {}, (docker) =>
      docker.getNetwork(idOrName).inspect(),
    ),
  );
  if (!n) return undefined;
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    labels: n.Labels ?? {},
    containers: Object.keys(n.Containers ?? {}),
    ...(n.Created ? { created: n.Created } : {}),
    ...(n.Scope ? { scope: n.Scope } : {}),
  };
}

export async function connectNetwork(
  core: EngineCore,
  network: string,
  container: string,
  endpoint?: Record<string, unknown>,
): Promise<void> {
  const body = { Container: container, ...(endpoint ? { EndpointConfig: endpoint } : {}) };
  await core.send(
    `network ${network}`,
    "POST",
    `/networks/${encodeURIComponent(network)}/connect`,
    {},
    body,
    (docker) => docker.getNetwork(network).connect(body),
  );
}

export async function disconnectNetwork(
  core: EngineCore,
  network: string,
  container: string,
  force = false,
): Promise<void> {
  const body = { Container: container, Force: force };
  await core.send(
    `network ${network}`,
    "POST",
    `/networks/${encodeURIComponent(network)}/disconnect`,
    {},
    body,
    (docker) => docker.getNetwork(network).disconnect(body),
  );
}

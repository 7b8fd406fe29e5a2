// The Engine interface (types.ts) over the Docker Engine API, loaded lazily by index.ts so commands that
// never talk to the engine do not pay for it at start-up. Each method is one call of a per-resource module
// (containers.ts, container-io.ts, images.ts, networks.ts, volumes.ts, system.ts, swarm.ts), on the connection and
// plumbing of core.ts, the only module that loads dockerode.
import type { Duplex } from "node:stream";
import * as io from "./container-io.js";
import * as containers from "./containers.js";
import { EngineCore } from "./core.js";
import type { Endpoint } from "./endpoint.js";
import * as images from "./images.js";
import * as networks from "./networks.js";
import type { Credentials } from "./registry-auth.js";
import * as swarm from "./swarm.js";
import type {
  ServiceLogOptions,
  ServiceSpec,
  ServiceUpdateOptions,
  ServiceWriteOptions,
  SwarmDataSpec,
  SwarmFilter,
} from "./swarm-types.js";
import * as system from "./system.js";
import type {
  BuildRequest,
  ContainerCreateRequest,
  ContainerStatsSample,
  Engine,
  EngineEvent,
  EventFilter,
  ExecRequest,
  JsonMessage,
  LabelFilter,
  LogData,
  LogOptions,
  NetworkCreateRequest,
  OutputStream,
  VolumeCreateRequest,
} from "./types.js";
import * as volumes from "./volumes.js";

export { buildQuery } from "./images.js";

export class DockerEngine implements Engine {
  readonly endpoint: string;

  private constructor(private readonly core: EngineCore) {
    this.endpoint = core.endpoint;
  }

  /** Connects and negotiates the API version (the engine's own, so older engines work). */
  static async connect(endpoint: Endpoint, credentials: Credentials): Promise<DockerEngine> {
    return new DockerEngine(await EngineCore.connect(endpoint, credentials));
  }

  /** The API version negotiated at connect (the engine's own, so older engines work): `v1.41` → 1.41. */
  get apiVersion(): string {
    return this.core.apiVersion;
  }

  // system.ts

  version() {
    return system.version(this.core);
  }

  subscribeEvents(
    filter: EventFilter,
    onEvent: (event: EngineEvent) => void,
    onError?: (error: Error) => void,
  ) {
    return system.subscribeEvents(this.core, filter, onEvent, onError);
  }

  openSession(headers: Record<string, string | string[]>): Promise<Duplex> {
    return system.openSession(this.core, headers);
  }

  // containers.ts

  createContainer(request: ContainerCreateRequest) {
    return containers.createContainer(this.core, request);
  }

  startContainer(id: string) {
    return containers.startContainer(this.core, id);
  }

  stopContainer(id: string, timeoutSeconds?: number) {
    return containers.stopContainer(this.core, id, timeoutSeconds);
  }

  restartContainer(id: string, timeoutSeconds?: number) {
    return containers.restartContainer(this.core, id, timeoutSeconds);
  }

  killContainer(id: string, signal?: string) {
    return containers.killContainer(this.core, id, signal);
  }

  pauseContainer(id: string) {
    return containers.pauseContainer(this.core, id);
  }

  unpauseContainer(id: string) {
    return containers.unpauseContainer(this.core, id);
  }

  renameContainer(id: string, name: string) {
    return containers.renameContainer(this.core, id, name);
  }

  waitContainer(id: string, condition?: "not-running" | "next-exit" | "removed") {
    return containers.waitContainer(this.core, id, condition);
  }

  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }) {
    return containers.removeContainer(this.core, id, options);
  }

  inspectContainer(id: string) {
    return containers.inspectContainer(this.core, id);
  }

  listContainers(filter: LabelFilter, options?: { all?: boolean }) {
    return containers.listContainers(this.core, filter, options);
  }

  topContainer(id: string, psArgs?: string) {
    return containers.topContainer(this.core, id, psArgs);
  }

  containerStats(id: string, options: { stream: boolean }, onSample: (sample: ContainerStatsSample) => void) {
    return containers.containerStats(this.core, id, options, onSample);
  }

  // container-io.ts

  demux(stream: NodeJS.ReadableStream, onData: (stream: OutputStream, chunk: Buffer) => void): void {
    io.demux(stream, onData);
  }

  containerLogs(id: string, options: LogOptions, onData: LogData) {
    return io.containerLogs(this.core, id, options, onData);
  }

  attachContainer(id: string, options: { stdin: boolean; logs?: boolean; detachKeys?: string }) {
    return io.attachContainer(this.core, id, options);
  }

  resizeContainer(id: string, rows: number, columns: number) {
    return io.resizeContainer(this.core, id, rows, columns);
  }

  putArchive(
    id: string,
    path: string,
    tar: Buffer | NodeJS.ReadableStream,
    options?: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean },
  ) {
    return io.putArchive(this.core, id, path, tar, options);
  }

  statPath(id: string, path: string) {
    return io.statPath(this.core, id, path);
  }

  getArchive(id: string, path: string) {
    return io.getArchive(this.core, id, path);
  }

  createExec(container: string, request: ExecRequest) {
    return io.createExec(this.core, container, request);
  }

  startExec(exec: string, options: { tty: boolean; stdin: boolean; detach?: boolean }) {
    return io.startExec(this.core, exec, options);
  }

  inspectExec(exec: string) {
    return io.inspectExec(this.core, exec);
  }

  resizeExec(exec: string, rows: number, columns: number) {
    return io.resizeExec(this.core, exec, rows, columns);
  }

  // images.ts

  inspectImage(ref: string) {
    return images.inspectImage(this.core, ref);
  }

  hasImage(ref: string) {
    return images.hasImage(this.core, ref);
  }

  distributionDigest(ref: string) {
    return images.distributionDigest(this.core, ref);
  }

  distributionInspect(ref: string, registryAuth?: string) {
    return images.distributionInspect(this.core, ref, registryAuth);
  }

  listImages(filter?: LabelFilter) {
    return images.listImages(this.core, filter);
  }

  pullImage(ref: string) {
    return images.pullImage(this.core, ref);
  }

  pullImageWithProgress(ref: string, onMessage: (m: JsonMessage) => void, platform?: string) {
    return images.pullImageWithProgress(this.core, ref, onMessage, platform);
  }

  removeImage(ref: string, options?: { force?: boolean }) {
    return images.removeImage(this.core, ref, options);
  }

  tagImage(source: string, repo: string, tag: string) {
    return images.tagImage(this.core, source, repo, tag);
  }

  pushImage(ref: string, onMessage: (m: JsonMessage) => void) {
    return images.pushImage(this.core, ref, onMessage);
  }

  buildImage(request: BuildRequest, onMessage: (m: JsonMessage) => void) {
    return images.buildImage(this.core, request, onMessage);
  }

  // networks.ts

  createNetwork(request: NetworkCreateRequest) {
    return networks.createNetwork(this.core, request);
  }

  removeNetwork(idOrName: string) {
    return networks.removeNetwork(this.core, idOrName);
  }

  listNetworks(filter: LabelFilter) {
    return networks.listNetworks(this.core, filter);
  }

  listNetworksByName(name: string) {
    return networks.listNetworksByName(this.core, name);
  }

  inspectNetwork(idOrName: string) {
    return networks.inspectNetwork(this.core, idOrName);
  }

  connectNetwork(network: string, container: string, endpoint?: Record<string, unknown>) {
    return networks.connectNetwork(this.core, network, container, endpoint);
  }

  disconnectNetwork(network: string, container: string, force?: boolean) {
    return networks.disconnectNetwork(this.core, network, container, force);
  }

  // volumes.ts

  createVolume(request: VolumeCreateRequest) {
    return volumes.createVolume(this.core, request);
  }

  inspectVolume(name: string) {
    return volumes.inspectVolume(this.core, name);
  }

  listVolumes(filter: LabelFilter) {
    return volumes.listVolumes(this.core, filter);
  }

  removeVolume(name: string, force?: boolean) {
    return volumes.removeVolume(this.core, name, force);
  }

  // swarm.ts

  swarmState() {
    return swarm.swarmState(this.core);
  }

  listServices(filter?: SwarmFilter, options?: { status?: boolean }) {
    return swarm.listServices(this.core, filter, options);
  }

  inspectService(idOrName: string) {
    return swarm.inspectService(this.core, idOrName);
  }

  createService(spec: ServiceSpec, options?: ServiceWriteOptions) {
    return swarm.createService(this.core, spec, options);
  }

  updateService(id: string, version: number, spec: ServiceSpec, options?: ServiceUpdateOptions) {
    return swarm.updateService(this.core, id, version, spec, options);
  }

  removeService(idOrName: string) {
    return swarm.removeService(this.core, idOrName);
  }

  listTasks(filter?: SwarmFilter) {
    return swarm.listTasks(this.core, filter);
  }

  listNodes(filter?: SwarmFilter) {
    return swarm.listNodes(this.core, filter);
  }

  listSecrets(filter?: SwarmFilter) {
    return swarm.listData(this.core, "secret", filter);
  }

  createSecret(spec: SwarmDataSpec) {
    return swarm.createData(this.core, "secret", spec);
  }

  updateSecret(id: string, version: number, spec: SwarmDataSpec) {
    return swarm.updateData(this.core, "secret", id, version, spec);
  }

  removeSecret(idOrName: string) {
    return swarm.removeData(this.core, "secret", idOrName);
  }

  listConfigs(filter?: SwarmFilter) {
    return swarm.listData(this.core, "config", filter);
  }

  createConfig(spec: SwarmDataSpec) {
    return swarm.createData(this.core, "config", spec);
  }

  updateConfig(id: string, version: number, spec: SwarmDataSpec) {
    return swarm.updateData(this.core, "config", id, version, spec);
  }

  removeConfig(idOrName: string) {
    return swarm.removeData(this.core, "config", idOrName);
  }

  serviceLogs(
    id: string,
    options: ServiceLogOptions,
    onChunk: (stream: OutputStream, chunk: Buffer) => void,
  ) {
    return swarm.serviceLogs(this.core, id, options, onChunk);
  }
}

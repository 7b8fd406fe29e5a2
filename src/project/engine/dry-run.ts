// --dry-run: an Engine that reads the real engine but changes nothing. Every request that would create,
// change or remove something resolves as if the engine had done it (new objects get ids starting with
// `dryRunIdPrefix`), so the same code paths run and report the same progress as a real run, like the
// reference's dry-run client. Containers it pretends to create look running and healthy.
import { Duplex } from "node:stream";
import type { ContainerDetails, Engine } from "./types.js";
import { engineWrites as writes } from "./writes.js";

export const dryRunIdPrefix = "dryrun";

const outcomes: Record<string, (...args: unknown[]) => unknown> = {
  createNetwork: () => fakeId(),
  createContainer: () => fakeId(),
  buildImage: () => `sha256:${fakeId()}`,
  // A build's session on a connection to nowhere: what it writes is dropped, nothing ever arrives.
  openSession: () =>
    new Duplex({
      read() {},
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  removeVolume: () => "removed",
  removeImage: () => "removed",
  createService: () => ({ id: fakeId(), warnings: [] }),
  updateService: () => ({ warnings: [] }),
  removeService: () => "removed",
  createSecret: () => fakeId(),
  removeSecret: () => "removed",
  createConfig: () => fakeId(),
  removeConfig: () => "removed",
};

let counter = 0;
function fakeId(): string {
  counter++;
  return `${dryRunIdPrefix}${counter.toString(16).padStart(58, "0")}`;
}

export function isDryRunId(id: string): boolean {
  return id.startsWith(dryRunIdPrefix);
}

function pretendContainer(id: string): ContainerDetails {
  return {
    id,
    name: id.slice(0, 12),
    image: "",
    imageId: "",
    created: new Date().toISOString(),
    labels: {},
    state: { status: "running", running: true, exitCode: 0, health: "healthy" },
    networks: [],
    ports: {},
    mounts: [],
    tty: false,
    hasHealthcheck: true,
    raw: {},
  };
}

export function dryRunEngine(real: Engine): Engine {
  return new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || typeof value !== "function") return value;
      if (writes.has(property)) {
        const outcome = outcomes[property];
        return async (...args: unknown[]) => (outcome ? outcome(...args) : undefined);
      }
      if (property === "inspectContainer" || property === "waitContainer") {
        return async (id: string, ...rest: unknown[]) => {
          if (isDryRunId(id)) return property === "waitContainer" ? 0 : pretendContainer(id);
          return (value as (...a: unknown[]) => unknown).call(target, id, ...rest);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

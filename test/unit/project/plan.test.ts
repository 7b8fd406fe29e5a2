// The plan as plain strings: what `up` would do to the engine, and why, for a loaded project and a
// snapshot of the engine. The snapshot is made the way `up` would have left the engine for some version
// of the file (the same desired containers, labels and create requests), then changed like a user would.
import { describe, expect, it } from "vitest";
import type {
  ContainerDetails,
  ContainerSummary,
  ImageDetails,
  NetworkSummary,
} from "../../../src/project/engine/types.js";
import { levels } from "../../../src/project/graph.js";
import { label } from "../../../src/project/labels.js";
import { loadProject, type Project } from "../../../src/project/load/index.js";
import { desiredService, desiredSpec, projectGraph } from "../../../src/project/plan/desired.js";
import {
  DownError,
  type DownObserved,
  type DownOptions,
  labelledNetworks,
  planDown,
} from "../../../src/project/plan/down.js";
import {
  graphFromLabels,
  planKill,
  planPause,
  planRemoveStopped,
  planRestart,
  planStop,
} from "../../../src/project/plan/lifecycle.js";
import type { Observed } from "../../../src/project/plan/observed.js";
import {
  changes,
  type Plan,
  PlanError,
  type PlanOptions,
  planEvents,
  planImages,
  planStart,
  planUp,
  renderPlan,
} from "../../../src/project/plan/plan.js";
import { memoryFileSystem } from "../../helpers/memfs.js";

function load(yaml: string, env: Record<string, string> = {}): Project {
  const r = loadProject({
    options: {},
    env,
    fs: memoryFileSystem("/p", { "/p/compose.yaml": yaml }),
    home: "/home/me",
  });
  if (!r.project) throw new Error(JSON.stringify(r.problems ?? r.failure));
  return r.project;
}

const imageEnv = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
const defaultImages: Record<string, string> = {
  "busybox:1.36": "sha256:b0000000000000000000000000000000000000000000000000000000000000b1",
  "busybox:1.35": "sha256:b0000000000000000000000000000000000000000000000000000000000000b2",
  "redis:7-bookworm": "sha256:r0000000000000000000000000000000000000000000000000000000000000r1",
};

interface World {
  /** The file `up` last ran with (its containers are on the engine). */
  was?: string;
  /** Images on the engine: reference → id. */
  images?: Record<string, string>;
  /** Changes to the containers `up` left. */
  edit?: (containers: ContainerSummary[], details: Map<string, ContainerDetails>) => void;
  /** Networks and volumes that exist (default: those of `was`, as compose made them). */
  networks?: Observed["networks"];
  volumes?: Observed["volumes"];
}

/** The engine as `up` would have left it for the file `world.was`, for planning `project`. */
function observedFor(project: Project, world: World): Observed {
  const images = world.images ?? defaultImages;
  const imageMap = new Map<string, ImageDetails | undefined>();
  const imageDetails = (ref: string): ImageDetails | undefined =>
    images[ref]
      ? {
          id: images[ref],
          repoTags: [ref],
          repoDigests: [],
          volumes: [],
          labels: {},
          env: imageEnv,
          created: "",
          size: 0,
        }
      : undefined;
  for (const name of Object.keys(project.model.services as object)) {
    const service = (project.model.services as Record<string, Record<string, unknown>>)[name] ?? {};
    const ref = typeof service.image === "string" ? service.image : `${project.name}-${name}`;
    imageMap.set(ref, imageDetails(ref));
  }
  const containers: ContainerSummary[] = [];
  const details = new Map<string, ContainerDetails>();
  const before = world.was === undefined ? undefined : load(world.was);
  const resources = (p: Project | undefined, section: "networks" | "volumes") =>
    Object.entries((p?.model[section] ?? {}) as Record<string, Record<string, unknown>>).map(([key, v]) => ({
      key,
      name: String(v.name ?? key),
      external: v.external === true,
      ...(p === before
        ? {
            found: {
              id: String(v.name ?? key),
              labels: { [label.project]: "p", [label.network]: key, [label.volume]: key },
            },
          }
        : {}),
    }));
  if (before) {
    const ids = new Map<string, string[]>();
    const networkNames = Object.fromEntries(resources(before, "networks").map((n) => [n.key, n.name]));
    for (const name of levels(projectGraph(before)).flat()) {
      const desired = desiredService(before, name, (s) => ids.get(s)?.[0]);
      const linked: Record<string, string[]> = {};
      for (const [s, list] of ids) linked[s] = list.map((id) => id.replace(/^id-/, ""));
      for (let n = 1; n <= desired.scale; n++) {
        const imageId = images[desired.image];
        const spec = desiredSpec(desired, n, {
          project: before,
          networks: networkNames,
          ...(imageId ? { imageId } : {}),
          apiVersion: "1.41",
          linkedContainers: linked,
        });
        const id = `id-${spec.create.name}`;
        ids.set(name, [...(ids.get(name) ?? []), id]);
        const endpoints = [
          ...Object.keys(spec.create.NetworkingConfig?.EndpointsConfig ?? {}),
          ...spec.connect.map((c) => c.network),
        ];
        containers.push({
          id,
          names: [spec.create.name],
          image: spec.create.Image,
          imageId: imageId ?? "",
          command: "",
          created: n,
          state: "running",
          status: "Up",
          labels: spec.create.Labels ?? {},
          ports: [],
          networks: Object.fromEntries(endpoints.map((e) => [e, "10.0.0.2"])),
        });
        const { HostConfig, NetworkingConfig: _n, name: _name, ...config } = spec.create;
        details.set(id, {
          id,
          name: `/${spec.create.name}`,
          image: spec.create.Image,
          imageId: imageId ?? "",
          created: "",
          labels: spec.create.Labels ?? {},
          state: { status: "running", running: true, exitCode: 0 },
          networks: endpoints,
          ports: {},
          mounts: [],
          tty: false,
          hasHealthcheck: false,
          raw: {
            Config: { ...config, Env: [...imageEnv, ...(config.Env ?? [])] },
            HostConfig: { RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, ...HostConfig },
            NetworkSettings: { Networks: Object.fromEntries(endpoints.map((e) => [e, {}])) },
          },
        } as ContainerDetails);
      }
    }
  }
  world.edit?.(containers, details);
  const present = (list: ReturnType<typeof resources>) =>
    list.map((r) =>
      before &&
      resources(before, "networks")
        .concat(resources(before, "volumes"))
        .some((b) => b.name === r.name && b.found)
        ? {
            ...r,
            found: {
              id: r.name,
              labels: { [label.project]: "p", [label.network]: r.key, [label.volume]: r.key },
            },
          }
        : r,
    );
  return {
    containers,
    details,
    networks: world.networks ?? present(resources(project, "networks")),
    volumes: world.volumes ?? present(resources(project, "volumes")),
    images: imageMap,
  };
}

function plan(yaml: string, world: World = {}, options: Partial<PlanOptions> = {}): Plan {
  const project = load(yaml);
  return planUp({
    project,
    observed: observedFor(project, world),
    options: { targets: Object.keys(project.model.services as object), start: true, ...options },
    apiVersion: "1.41",
  });
}
const lines = (yaml: string, world: World = {}, options: Partial<PlanOptions> = {}) =>
  renderPlan(plan(yaml, world, options));

const two = `services:
  web:
    image: busybox:1.36
    environment:
      DB_HOST: db
    depends_on:
      db:
        condition: service_healthy
  db:
    image: redis:7-bookworm
    healthcheck:
      test: ["CMD", "true"]
    volumes: [data:/data]
volumes:
  data: {}
`;
const twoChanged = two.replace("DB_HOST: db", "DB_HOST: db2");
const one = "services:\n  web:\n    image: busybox:1.36\n";

describe("planUp: what up would do, and why", () => {
  it("a fresh project: networks and volumes first, then every container, then the starts in dependency order", () => {
    expect(lines(two)).toEqual([
      "#1 p_default create network (no network)",
      "#2 p_data create volume (no volume)",
      "#3 db-1 create (no container) after #1 #2",
      "#4 web-1 create (no container) after #1 #2",
      "#5 db-1 start (new container) after #3 #4",
      "#6 db wait healthy (web depends on db (service_healthy)) after #5",
      "#7 web-1 start (new container) after #3 #4 #5 #6",
    ]);
  });

  it("create: the same containers, none started", () => {
    expect(lines(two, {}, { start: false })).toEqual([
      "#1 p_default create network (no network)",
      "#2 p_data create volume (no volume)",
      "#3 db-1 create (no container) after #1 #2",
      "#4 web-1 create (no container) after #1 #2",
    ]);
  });

  it("nothing changed: no action, every container unchanged", () => {
    const p = plan(two, { was: two });
    expect(renderPlan(p)).toEqual(["#1 db wait healthy (web depends on db (service_healthy))"]);
    expect(changes(p)).toBe(false);
    expect(p.unchanged).toEqual([
      { name: "p-db-1", state: "running" },
      { name: "p-web-1", state: "running" },
    ]);
  });

  it("one environment value changed: that service, that key", () => {
    expect(lines(twoChanged, { was: two }, { start: false })).toEqual([
      "#1 web-1 recreate (config hash changed: environment.DB_HOST)",
    ]);
  });

  it("an environment value added and one removed are named; the image's own variables are not", () => {
    const was = "services:\n  web:\n    image: busybox:1.36\n    environment:\n      OLD: x\n";
    const now = "services:\n  web:\n    image: busybox:1.36\n    environment:\n      NEW: y\n";
    expect(lines(now, { was }, { start: false })).toEqual([
      "#1 web-1 recreate (config hash changed: environment.NEW, environment.OLD)",
    ]);
  });

  it("the image reference changed", () => {
    expect(lines(one.replace("1.36", "1.35"), { was: one }, { start: false })).toEqual([
      "#1 web-1 recreate (config hash changed: image)",
    ]);
  });

  it("ports, labels and the command changed", () => {
    const now = `${one}    command: [sleep, "9"]\n    ports: ["8080:80"]\n    labels:\n      tier: front\n`;
    expect(lines(now, { was: one }, { start: false })).toEqual([
      "#1 web-1 recreate (config hash changed: command, expose, labels.tier, ports)",
    ]);
  });

  it("ports and a restart policy removed are named too", () => {
    const was = `${one}    restart: always\n    ports: ["8080:80"]\n`;
    expect(lines(one, { was }, { start: false })).toEqual([
      "#1 web-1 recreate (config hash changed: ports, restart)",
    ]);
  });

  it("a recreated dependency recreates its dependants, naming it", () => {
    const was = two;
    const now = two.replace('test: ["CMD", "true"]', 'test: ["CMD", "false"]');
    expect(lines(now, { was }, { start: false })).toEqual([
      "#1 db-1 recreate (config hash changed: healthcheck)",
      "#2 web-1 recreate (dependency db recreated)",
    ]);
  });

  it("a container running an older image id than the one the tag now names", () => {
    const images = {
      ...defaultImages,
      "busybox:1.36": "sha256:c0ffee000000000000000000000000000000000000000000000000000000c0",
    };
    const project = load(one);
    const observed = observedFor(project, { was: one });
    const p = planUp({
      project,
      observed: {
        ...observed,
        images: new Map([
          [
            "busybox:1.36",
            { ...(observed.images.get("busybox:1.36") as ImageDetails), id: images["busybox:1.36"] },
          ],
        ]),
      },
      options: { targets: ["web"] },
      apiVersion: "1.41",
    });
    expect(renderPlan(p)).toEqual(["#1 web-1 recreate (image changed (b00000000000 → c0ffee000000))"]);
  });

  it("a service to build whose image is missing is built, then created", () => {
    const yaml = "services:\n  app:\n    build: .\n";
    expect(lines(yaml, {}, { start: false })).toEqual([
      "#1 p-app build (image missing)",
      "#2 p_default create network (no network)",
      "#3 app-1 create (no container) after #1 #2",
    ]);
  });

  it("--build rebuilds an image that is there; its containers are recreated if the image changes", () => {
    const yaml = "services:\n  app:\n    build: .\n";
    const images = {
      ...defaultImages,
      "p-app": "sha256:a0000000000000000000000000000000000000000000000000000000000000a1",
    };
    expect(lines(yaml, { was: yaml, images }, { start: false, build: true })).toEqual([
      "#1 p-app build (--build)",
      "#2 app-1 recreate (image to be built (recreated if it changes)) after #1",
    ]);
    expect(lines(yaml, { was: yaml, images }, { start: false, build: false })).toEqual([]);
  });

  it("an image to pull that a service can build: built only if the pull fails, after every pull", () => {
    const yaml =
      "services:\n  web:\n    image: app:1\n  builder:\n    image: app:1\n    build: .\n  db:\n    image: redis:7-bookworm\n";
    const images = { "redis:7-bookworm": defaultImages["redis:7-bookworm"] ?? "" };
    const p = plan(yaml, { images }, { start: false });
    expect(renderPlan(p).slice(0, 2)).toEqual([
      "#1 app:1 pull (image missing)",
      "#2 app:1 build (if the pull fails) after #1",
    ]);
    // Every container of the image waits for both; the dry run does not claim the build will happen.
    expect(renderPlan(p).slice(3)).toEqual([
      "#4 web-1 create (no container) after #1 #2 #3",
      "#5 builder-1 create (no container) after #1 #2 #3",
      "#6 db-1 create (no container) after #3",
    ]);
    expect(planEvents(p).some((e) => e.id.startsWith("Image"))).toBe(false);
    // The images alone: what up makes before planning the containers.
    const project = load(yaml);
    const images1 = planImages({
      project,
      observed: observedFor(project, { images }),
      options: { targets: ["web", "builder", "db"] },
      apiVersion: "1.41",
    });
    expect(renderPlan(images1)).toEqual([
      "#1 app:1 pull (image missing)",
      "#2 app:1 build (if the pull fails) after #1",
    ]);
  });

  it("pull_policy: always pulls, --pull always too; a missing image is pulled", () => {
    expect(lines(`${one}    pull_policy: always\n`, { was: one }, { start: false })[0]).toBe(
      "#1 busybox:1.36 pull (pull_policy: always)",
    );
    expect(lines(one, { was: one }, { start: false, pull: "always" })[0]).toBe(
      "#1 busybox:1.36 pull (--pull always)",
    );
    expect(lines(one, { images: {} }, { start: false })).toEqual([
      "#1 busybox:1.36 pull (image missing)",
      "#2 p_default create network (no network)",
      "#3 web-1 create (no container) after #1 #2",
    ]);
    expect(lines(`${one}    pull_policy: never\n`, { was: one }, { start: false })).toEqual([]);
  });

  it("scale up adds the next numbers; scale down removes the highest", () => {
    expect(lines(one, { was: one }, { start: false, scale: { web: 3 } })).toEqual([
      "#1 web-2 create (scale 1 → 3)",
      "#2 web-3 create (scale 1 → 3)",
    ]);
    const three = `${one}    scale: 3\n`;
    expect(lines(three.replace("scale: 3", "scale: 1"), { was: three }, { start: false })).toEqual([
      "#1 web-2 remove (scale 3 → 1)",
      "#2 web-3 remove (scale 3 → 1)",
    ]);
  });

  it("scale 0 removes every container and starts none", () => {
    expect(lines(`${one}    scale: 0\n`, { was: one })).toEqual(["#1 web-1 remove (scale 1 → 0)"]);
  });

  it("orphans: a warning, or removed with --remove-orphans", () => {
    const was = `${one}  old:\n    image: busybox:1.36\n`;
    const p = plan(one, { was }, { start: false });
    expect(renderPlan(p)).toEqual([]);
    expect(p.warnings).toEqual([
      "Found orphan containers ([p-old-1]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.",
    ]);
    expect(lines(one, { was }, { start: false, removeOrphans: true })).toEqual([
      "#1 old-1 remove (orphan (service old is not in the file))",
    ]);
    expect(plan(one, { was }, { start: false, ignoreOrphans: true }).warnings).toEqual([]);
  });

  it("a service in an inactive profile is not an orphan", () => {
    const yaml = `${one}  tools:\n    image: busybox:1.36\n    profiles: [debug]\n`;
    const p = plan(yaml, { was: `${one}  tools:\n    image: busybox:1.36\n` }, { start: false });
    expect(renderPlan(p)).toEqual([]);
    expect(p.warnings).toEqual([]);
  });

  it("--no-deps: only the named service", () => {
    expect(lines(twoChanged, { was: two }, { targets: ["web"], named: ["web"] })).toEqual([
      "#1 web-1 recreate (config hash changed: environment.DB_HOST)",
      "#2 web-1 start (recreated) after #1",
    ]);
  });

  it("--force-recreate recreates the named services, --always-recreate-deps their dependencies", () => {
    expect(lines(two, { was: two }, { start: false, named: ["web"], recreate: "force" })).toEqual([
      "#1 web-1 recreate (--force-recreate)",
    ]);
    expect(
      lines(
        two,
        { was: two },
        { start: false, named: ["web"], recreate: "force", recreateDependencies: "force" },
      ),
    ).toEqual(["#1 db-1 recreate (--force-recreate)", "#2 web-1 recreate (--force-recreate)"]);
  });

  it("--no-recreate keeps a changed container", () => {
    const p = plan(
      twoChanged,
      { was: two },
      { start: false, recreate: "never", recreateDependencies: "never" },
    );
    expect(renderPlan(p)).toEqual([]);
    expect(changes(p)).toBe(false);
  });

  it("a stopped container is started, a running one left alone", () => {
    const edit = (cs: ContainerSummary[]) => {
      const web = cs.find((c) => c.names[0] === "p-web-1");
      if (web) web.state = "exited";
    };
    expect(lines(two, { was: two, edit })).toEqual([
      "#1 db wait healthy (web depends on db (service_healthy))",
      "#2 web-1 start (not running (exited)) after #1",
    ]);
  });

  it("network_mode service: the dependant is made after, and recreated with, the service it shares", () => {
    const yaml =
      "services:\n  db:\n    image: redis:7-bookworm\n  web:\n    image: busybox:1.36\n    network_mode: service:db\n";
    expect(lines(yaml, {}, { start: false })).toEqual([
      "#1 p_default create network (no network)",
      "#2 db-1 create (no container) after #1",
      "#3 web-1 create (no container) after #1 #2",
    ]);
    const changed = yaml.replace("redis:7-bookworm\n", "redis:7-bookworm\n    environment: [X=1]\n");
    expect(lines(changed, { was: yaml }, { start: false })).toEqual([
      "#1 db-1 recreate (config hash changed: environment.X)",
      "#2 web-1 recreate (dependency db recreated) after #1",
    ]);
  });

  it("volumes_from: made after the service it takes volumes from", () => {
    const yaml =
      "services:\n  data:\n    image: busybox:1.36\n    volumes: [/data]\n  app:\n    image: busybox:1.36\n    volumes_from: [data]\n";
    expect(lines(yaml, {}, { start: false })).toEqual([
      "#1 p_default create network (no network)",
      "#2 data-1 create (no container) after #1",
      "#3 app-1 create (no container) after #1 #2",
    ]);
    expect(lines(yaml, { was: yaml }, { start: false })).toEqual([]);
  });

  it("a container the reference created, with the same labels, is unchanged", () => {
    const edit = (cs: ContainerSummary[]) => {
      for (const c of cs) c.labels = { ...c.labels, [label.version]: "2.26.1" };
    };
    expect(lines(one, { was: one, edit }, { start: false })).toEqual([]);
  });

  it("a container with another config hash (made from another file by any tool) is recreated", () => {
    const edit = (cs: ContainerSummary[]) => {
      for (const c of cs) c.labels = { ...c.labels, [label.configHash]: "0".repeat(64) };
    };
    expect(lines(one, { was: one, edit }, { start: false })).toEqual([
      "#1 web-1 recreate (config hash changed)",
    ]);
  });

  it("one-off (run) containers are neither orphans nor recreated", () => {
    const edit = (cs: ContainerSummary[]) => {
      const web = cs[0] as ContainerSummary;
      cs.push({
        ...web,
        id: "id-oneoff",
        names: ["p-web-run-0123456789ab"],
        labels: { ...web.labels, [label.oneoff]: "True", [label.configHash]: "x" },
      });
    };
    const p = plan(one, { was: one, edit }, { start: false });
    expect(renderPlan(p)).toEqual([]);
    expect(p.warnings).toEqual([]);
  });

  it("an interrupted recreate: its replacement takes the final name", () => {
    const edit = (cs: ContainerSummary[]) => {
      const web = cs[0] as ContainerSummary;
      web.names = ["0123456789ab_p-web-1"];
    };
    expect(lines(one, { was: one, edit }, { start: false })).toEqual([
      "#1 web-1 rename (an interrupted recreate left it as 0123456789ab_p-web-1)",
    ]);
  });

  it("a never-started container missing a network is recreated (a half-made create)", () => {
    const yaml = `${one}    networks: [front, back]\nnetworks:\n  front: {}\n  back: {}\n`;
    const edit = (cs: ContainerSummary[]) => {
      const web = cs[0] as ContainerSummary;
      web.state = "created";
      web.networks = { p_back: "" };
    };
    expect(lines(yaml, { was: yaml, edit }, { start: false })).toEqual([
      "#1 web-1 recreate (half-made (an interrupted create left a network unconnected))",
    ]);
  });

  it("a missing external network or volume fails before anything is done", () => {
    expect(() => plan(`${one}    networks: [ext]\nnetworks:\n  ext:\n    external: true\n`)).toThrow(
      new PlanError("network ext declared as external, but could not be found"),
    );
    expect(() =>
      plan(`${one}    volumes:\n      - data:/v\nvolumes:\n  data:\n    external: true\n`),
    ).toThrow(new PlanError('external volume "data" not found'));
  });

  it("a network that exists but was not made by compose: a warning, no create", () => {
    const p = plan(
      one,
      {
        networks: [{ key: "default", name: "p_default", external: false, found: { id: "n1", labels: {} } }],
      },
      { start: false },
    );
    expect(renderPlan(p)).toEqual(["#1 web-1 create (no container)"]);
    expect(p.warnings).toEqual([
      "a network with name p_default exists but was not created by compose.\nSet `external: true` to use an existing network",
    ]);
  });

  it("container_name: the one container keeps its fixed name through a recreate", () => {
    const was = `${one}    container_name: fixed\n`;
    expect(lines(was.replace("1.36", "1.35"), { was }, { start: false })).toEqual([
      "#1 fixed recreate (config hash changed: image)",
    ]);
  });

  it("service_completed_successfully waits for the dependency to exit", () => {
    const yaml =
      "services:\n  init:\n    image: busybox:1.36\n  web:\n    image: busybox:1.36\n    depends_on:\n      init:\n        condition: service_completed_successfully\n";
    expect(lines(yaml, { was: yaml })).toEqual([
      "#1 init wait completed (web depends on init (service_completed_successfully))",
    ]);
  });

  it("--wait: every container awaited after its start", () => {
    expect(lines(one, {}, { wait: true })).toEqual([
      "#1 p_default create network (no network)",
      "#2 web-1 create (no container) after #1",
      "#3 web-1 start (new container) after #2",
      "#4 web-1 wait running (--wait) after #3",
    ]);
  });

  it("several services: each created after the resources, starts after every creation", () => {
    const yaml =
      "services:\n  a:\n    image: busybox:1.36\n  b:\n    image: busybox:1.36\n    depends_on: [a]\n";
    expect(lines(yaml)).toEqual([
      "#1 p_default create network (no network)",
      "#2 a-1 create (no container) after #1",
      "#3 b-1 create (no container) after #1",
      "#4 a-1 start (new container) after #2 #3",
      "#5 b-1 start (new container) after #2 #3 #4",
    ]);
  });
});

describe("run: the one-off container after its dependencies", () => {
  const oneOff = { service: "web", name: "p-web-run-0123456789ab" };

  it("its dependencies made, started and ready, then the one-off container created and started", () => {
    expect(lines(two, {}, { targets: ["db"], oneOff })).toEqual([
      "#1 p_default create network (no network)",
      "#2 p_data create volume (no volume)",
      "#3 db-1 create (no container) after #1 #2",
      "#4 db-1 start (new container) after #3",
      "#5 db wait healthy (web depends on db (service_healthy)) after #4",
      "#6 web-run-0123456789ab create one-off (run web) after #1 #2 #3 #4 #5",
      "#7 web-run-0123456789ab start one-off (run web) after #6",
    ]);
  });

  it("running dependencies are only awaited; the service's own containers are left alone", () => {
    expect(lines(twoChanged, { was: two }, { targets: ["db"], oneOff })).toEqual([
      "#1 db wait healthy (web depends on db (service_healthy))",
      "#2 web-run-0123456789ab create one-off (run web) after #1",
      "#3 web-run-0123456789ab start one-off (run web) after #2",
    ]);
  });

  it("--no-deps: no dependency, no wait; the service's missing image pulled first", () => {
    expect(lines(two, { images: {} }, { targets: [], start: false, oneOff })).toEqual([
      "#1 busybox:1.36 pull (image missing)",
      "#2 p_default create network (no network)",
      "#3 p_data create volume (no volume)",
      "#4 web-run-0123456789ab create one-off (run web) after #1 #2 #3",
      "#5 web-run-0123456789ab start one-off (run web) after #4",
    ]);
  });
});

describe("planDown: what down would remove, in what order", () => {
  const down = (yaml: string, world: World, options: DownOptions = {}, withProject = true) => {
    const project = load(yaml);
    const observed = observedFor(project, world);
    return renderPlan(
      planDown({
        name: "p",
        ...(withProject ? { project } : {}),
        observed: {
          containers: observed.containers,
          networks: observed.networks.map((n) => ({
            ...n,
            found: n.found !== undefined,
            ids: n.found ? [n.found.id] : [],
          })),
          volumes: options.volumes ? observed.volumes : [],
        },
        options,
      }),
    );
  };

  it("dependants first, then the networks", () => {
    expect(down(two, { was: two })).toEqual([
      "#1 web-1 remove (down)",
      "#2 db-1 remove (down) after #1",
      "#3 p_default remove network (down) after #1 #2",
    ]);
  });

  it("-v: the named volumes too; --rmi local: the images built, one after another", () => {
    const yaml = two.replace(
      "volumes:\n  data",
      "  app:\n    build: .\n  worker:\n    build: .\nvolumes:\n  data",
    );
    expect(down(yaml, { was: yaml }, { volumes: true, images: "local" })).toEqual([
      "#1 web-1 remove (down)",
      "#2 db-1 remove (down) after #1",
      "#3 app-1 remove (down)",
      "#4 worker-1 remove (down)",
      "#5 p_default remove network (down) after #1 #2 #3 #4",
      "#6 p_data remove volume (down -v) after #1 #2 #3 #4",
      "#7 p-app:latest remove image (--rmi local) after #1 #2 #3 #4",
      "#8 p-worker:latest remove image (--rmi local) after #1 #2 #3 #4 #7",
    ]);
  });

  it("down SERVICE: only its containers; orphans only with --remove-orphans; one-offs of gone services always", () => {
    expect(down(two, { was: two }, { services: ["web"] })).toEqual(["#1 web-1 remove (down)"]);
    const was = `${one}  old:\n    image: busybox:1.36\n`;
    const edit = (cs: ContainerSummary[]) => {
      const old = cs.find((c) => c.names[0] === "p-old-1") as ContainerSummary;
      cs.push({
        ...old,
        id: "id-run",
        names: ["p-old-run-0123456789ab"],
        labels: { ...old.labels, [label.oneoff]: "True" },
      });
    };
    expect(down(one, { was, edit })).toEqual([
      "#1 web-1 remove (down)",
      "#2 old-run-0123456789ab remove (one-off container of old, not in the file) after #1",
      "#3 p_default remove network (down) after #1 #2",
    ]);
    expect(down(one, { was, edit }, { removeOrphans: true })).toEqual([
      "#1 web-1 remove (down)",
      "#2 old-1 remove (orphan (service old is not in the file)) after #1",
      "#3 old-run-0123456789ab remove (one-off container of old, not in the file) after #1",
      "#4 p_default remove network (down) after #1 #2 #3",
    ]);
  });

  it("without the files (-p NAME): the services the containers name, no order between them", () => {
    expect(down(two, { was: two }, {}, false)).toEqual([
      "#1 db-1 remove (down)",
      "#2 web-1 remove (down)",
      "#3 p_default remove network (down) after #1 #2",
    ]);
  });

  it("an unknown service is refused", () => {
    expect(() => down(two, { was: two }, { services: ["nope"] })).toThrow(
      new DownError("no such service: nope"),
    );
  });

  it("a network's removal carries the ids observed, every one of a duplicated name: apply lists nothing again", () => {
    const project = load(two);
    const network = { key: "default", name: "p_default", external: false };
    const plan = (networks: DownObserved["networks"], withProject = true) =>
      planDown({
        name: "p",
        ...(withProject ? { project } : {}),
        observed: { containers: [], networks, volumes: [] },
        options: {},
      }).actions.map((a) => [a.kind, a.resource, a.key, a.ids]);
    expect(plan([{ ...network, found: true, ids: ["n1", "n2"] }])).toEqual([
      ["remove network", "p_default", "default", ["n1", "n2"]],
    ]);
    // Labelled for the key under another name only: removed by name as before, with no id to remove.
    expect(plan([{ ...network, found: true, ids: [] }])).toEqual([
      ["remove network", "p_default", "default", []],
    ]);
    expect(plan([{ ...network, found: false, ids: [] }])).toEqual([]);
    // Without the files: the networks labelled for the project, one removal per key and name.
    const summary = (id: string, name: string, key: string): NetworkSummary => ({
      id,
      name,
      driver: "bridge",
      labels: { [label.project]: "p", [label.network]: key },
    });
    const labelled = labelledNetworks([
      summary("n1", "p_default", "default"),
      summary("n2", "p_back", "back"),
      summary("n3", "p_default", "default"),
    ]);
    expect(plan(labelled, false)).toEqual([
      ["remove network", "p_default", "default", ["n1", "n3"]],
      ["remove network", "p_back", "back", ["n2"]],
    ]);
  });
});

describe("the day-2 plans: stop, restart, kill, rm, start", () => {
  const three = `services:
  db:
    image: redis:7-bookworm
  web:
    image: busybox:1.36
    depends_on:
      db:
        condition: service_healthy
        restart: true
  worker:
    image: busybox:1.36
    depends_on: [web]
`;
  const world = () => {
    const project = load(three);
    return {
      project,
      graph: projectGraph(project),
      containers: observedFor(project, { was: three }).containers,
    };
  };

  it("stop: dependants first, only the services named, ordered through the others", () => {
    const { graph, containers } = world();
    expect(renderPlan(planStop("p", graph, containers, ["db", "web", "worker"]))).toEqual([
      "#1 worker-1 stop (stop)",
      "#2 web-1 stop (stop) after #1",
      "#3 db-1 stop (stop) after #1 #2",
    ]);
    expect(renderPlan(planStop("p", graph, containers, ["db", "worker"]))).toEqual([
      "#1 worker-1 stop (stop)",
      "#2 db-1 stop (stop) after #1",
    ]);
  });

  it("restart: dependencies first, over the graph given", () => {
    const { graph, containers } = world();
    expect(renderPlan(planRestart("p", graph, containers, ["db", "web", "worker"]))).toEqual([
      "#1 db-1 restart (restart)",
      "#2 web-1 restart (restart) after #1",
      "#3 worker-1 restart (restart) after #2",
    ]);
  });

  it("kill and rm: all at once", () => {
    const { containers } = world();
    expect(renderPlan(planKill("p", containers.slice(0, 2), "SIGTERM"))).toEqual([
      "#1 db-1 kill (kill -s SIGTERM)",
      "#2 web-1 kill (kill -s SIGTERM)",
    ]);
    const rm = planRemoveStopped("p", containers.slice(0, 1), { volumes: true });
    expect(renderPlan(rm)).toEqual(["#1 db-1 remove (rm (stopped))"]);
    expect(rm.actions[0]).toMatchObject({ force: true, engineForce: false, volumes: true });
  });

  it("start: the containers not running, in dependency order, with the waits on readiness", () => {
    const { project, containers } = world();
    const byService = new Map<string, ContainerSummary[]>();
    for (const c of containers) {
      const service = c.labels[label.service] ?? "";
      byService.set(service, [
        ...(byService.get(service) ?? []),
        { ...c, state: service === "db" ? "running" : "exited" },
      ]);
    }
    const start = (services: string[], containers: Map<string, ContainerSummary[]>) =>
      renderPlan(planStart({ project: "p", graph: projectGraph(project), services, containers }));
    expect(start(["db", "web", "worker"], byService)).toEqual([
      "#1 db wait healthy (web depends on db (service_healthy))",
      "#2 web-1 start (not running (exited)) after #1",
      "#3 worker-1 start (not running (exited)) after #2",
    ]);
    // A service without containers is skipped, its waits kept (the reference's start.go, 2.26.1) ...
    expect(start(["db", "web", "worker"], new Map([...byService].filter(([s]) => s !== "web")))).toEqual([
      "#1 db wait healthy (web depends on db (service_healthy))",
      "#2 worker-1 start (not running (exited))",
    ]);
    // ... unless the project has none: then the first service to start fails.
    expect(() => start(["web", "worker"], new Map())).toThrow('service "web" has no container to start');
    // Without files and without containers, there is no project.
    expect(() =>
      planStart({ project: "p", graph: graphFromLabels([]), services: [], containers: new Map() }),
    ).toThrow('no container found for project "p": not found');
  });
});

describe("pause and unpause", () => {
  it("every running container given, at once, in the reference's one word", () => {
    const project = load(one);
    const containers = observedFor(project, { was: one }).containers;
    const paused = planPause("p", containers, false);
    expect(renderPlan(paused)).toEqual(["#1 web-1 pause (pause)"]);
    expect(planEvents(paused).map((e) => `${e.id} ${e.text} ${e.status}`)).toEqual([
      "Container p-web-1 Paused done",
    ]);
    expect(renderPlan(planPause("p", containers, true))).toEqual(["#1 web-1 unpause (unpause)"]);
  });
});

import { describe, expect, it } from "vitest";
import {
  displayImage,
  serviceContext,
  serviceFormat,
  serviceKind,
  servicePorts,
  serviceReplicas,
  stackContext,
  stackFormat,
  stackKind,
  taskContext,
  taskError,
  taskFormat,
  taskKind,
  templateProblem,
  writeList,
} from "../../../src/cli/render/stack.js";
import type { SwarmPortConfig, SwarmService, SwarmTask } from "../../../src/project/engine/swarm-types.js";
import {
  groupStacks,
  nameTasks,
  naturalLess,
  nodeNames,
  parseFilterArg,
  stackFilter,
} from "../../../src/project/stack/read.js";

const ns = "com.docker.stack.namespace";

function service(
  id: string,
  name: string,
  extra: Partial<SwarmService> & { mode?: NonNullable<SwarmService["Spec"]["Mode"]> } = {},
): SwarmService {
  const { mode = { Replicated: { Replicas: 1 } }, ...rest } = extra;
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: "2026-12-07T10:00:00Z",
    UpdatedAt: "2026-12-07T10:00:00Z",
    Spec: {
      Name: name,
      Labels: { [ns]: name.split("_")[0] ?? "" },
      TaskTemplate: { ContainerSpec: { Image: "busybox:1.36@sha256:abc" } },
      Mode: mode,
    },
    ...rest,
  };
}

function task(
  id: string,
  serviceId: string,
  extra: { slot?: number; node?: string; created?: string; state?: string; err?: string } = {},
): SwarmTask {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: extra.created ?? "2026-12-07T10:00:00.000000001Z",
    UpdatedAt: "2026-12-07T10:00:00Z",
    Spec: { ContainerSpec: { Image: "busybox:1.36@sha256:abc" } },
    ServiceID: serviceId,
    ...(extra.slot !== undefined ? { Slot: extra.slot } : {}),
    ...(extra.node !== undefined ? { NodeID: extra.node } : {}),
    Status: {
      Timestamp: "2026-12-07T10:00:00Z",
      State: extra.state ?? "running",
      ...(extra.err ? { Err: extra.err } : {}),
    },
    DesiredState: "running",
  };
}

describe("stack filters (docker's FilterOpt and getStackFilterFromOpt)", () => {
  it("lowercases and trims the key, trims the value, ignores an empty flag and refuses one without '='", () => {
    expect(parseFilterArg(" Desired-State = running ")).toEqual(["desired-state", "running"]);
    expect(parseFilterArg("name=a=b")).toEqual(["name", "a=b"]);
    expect(parseFilterArg("")).toBeUndefined();
    expect(() => parseFilterArg("foo")).toThrow("bad format of filter (expected name=value)");
  });
  it("adds the namespace label to the user's filters, labels merged, values deduplicated", () => {
    expect(
      stackFilter("app", [
        ["name", "app_web"],
        ["name", "app_web"],
        ["node", "n1"],
        ["label", "tier=front"],
        ["label", "k"],
      ]),
    ).toEqual({
      name: ["app_web"],
      node: ["n1"],
      label: { tier: "front", k: true, [ns]: "app" },
    });
  });
});

describe("natural order (fvbommel/sortorder)", () => {
  it("compares digit runs as numbers, fewer leading zeros first, digits before other bytes", () => {
    const sorted = ["web.10", "web.2", "web.1", "web.02", "web", "web_x", "web.a"].sort((a, b) =>
      naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0,
    );
    expect(sorted).toEqual(["web", "web.1", "web.2", "web.02", "web.10", "web.a", "web_x"]);
    expect(naturalLess("a1", "a1")).toBe(false);
    expect(naturalLess("a9b", "a10")).toBe(true);
    expect(naturalLess("1", "a")).toBe(true);
  });
});

describe("stack ls", () => {
  it("counts services per namespace, sorted by name in natural order", () => {
    const stacks = groupStacks([service("1", "st10_a"), service("2", "st2_a"), service("3", "st2_b")]);
    expect(stacks.map((s) => [s.Name, s.Services])).toEqual([
      ["st2", 2],
      ["st10", 1],
    ]);
  });
  it("refuses a service without the label, as the CLI does", () => {
    const bare = service("xyz", "bare");
    bare.Spec.Labels = {};
    expect(() => groupStacks([bare])).toThrow(`cannot get label ${ns} for service xyz`);
  });
  it("prints docker's table, and a template per row", () => {
    const rows = groupStacks([service("1", "app_a"), service("2", "app_b")]).map(stackContext);
    expect(writeList(stackFormat(""), rows, stackKind)).toBe(
      "NAME      SERVICES   ORCHESTRATOR\napp       2          Swarm\n",
    );
    expect(writeList(stackFormat("{{json .}}"), rows, stackKind)).toBe(
      '{"Name":"app","Namespace":"","Orchestrator":"Swarm","Services":"2"}\n',
    );
    // 20.10 has no `json` format key: the text is a template without actions.
    expect(writeList(stackFormat("json"), rows, stackKind)).toBe("json\n");
    expect(writeList(stackFormat("table"), [], stackKind)).toBe("NAME      SERVICES   ORCHESTRATOR\n");
  });
});

describe("stack ps: task names and order (task.Print)", () => {
  const services = new Map([
    ["svcweb", "app_web"],
    ["svcagent", "app_agent"],
  ]);
  const nodes = nodeNames([
    { ID: "n1", Description: { Hostname: "host1" } },
    { ID: "n2", Description: { Hostname: "host2" }, Spec: { Name: "named2" } as never },
  ]);
  const tasks = [
    task("t-web10", "svcweb", { slot: 10, node: "n1" }),
    task("t-web1-old", "svcweb", { slot: 1, node: "n1", created: "2026-12-07T09:00:00Z" }),
    task("t-web1-new", "svcweb", { slot: 1, node: "n2", created: "2026-12-07T09:00:00.5Z" }),
    task("t-web2", "svcweb", { slot: 2, node: "n2" }),
    task("t-agent", "svcagent", { node: "n1" }),
    task("t-pending", "svcweb", { slot: 3 }),
    task("t-orphan", "svcgone", { slot: 1, node: "n9" }),
  ];

  it("names tasks service.slot (global: service.nodeID), natural order, the newest of a slot first, older indented", () => {
    const named = nameTasks(tasks, services, nodes, { resolve: true, table: true });
    expect(named.map((t) => [t.task.ID, t.name, t.node])).toEqual([
      ["t-agent", "app_agent.n1", "host1"],
      ["t-web1-new", "app_web.1", "named2"],
      ["t-web1-old", " \\_ app_web.1", "host1"],
      ["t-web2", "app_web.2", "named2"],
      ["t-pending", "app_web.3", ""],
      ["t-web10", "app_web.10", "host1"],
      ["t-orphan", "svcgone.1", "n9"],
    ]);
  });
  it("does not indent outside tables, and shows IDs with --no-resolve", () => {
    const named = nameTasks(tasks.slice(1, 3), services, nodes, { resolve: false, table: false });
    expect(named.map((t) => [t.name, t.node])).toEqual([
      ["svcweb.1", "n2"],
      ["svcweb.1", "n1"],
    ]);
  });
  it("prints the default table with the CLI's cells", () => {
    const now = Date.parse("2026-12-07T10:00:05Z");
    const named = nameTasks(
      [
        task("abcdefghijklmnopqrstuvwxy", "svcweb", {
          slot: 1,
          node: "n1",
          state: "failed",
          err: "task: non-zero exit (1): a long reason",
        }),
      ],
      services,
      nodes,
      { resolve: true, table: true },
    );
    const ported = named.map((t) => ({
      ...t,
      task: {
        ...t.task,
        Status: {
          ...t.task.Status,
          PortStatus: {
            Ports: [{ Protocol: "tcp", TargetPort: 80, PublishedPort: 8080 } as SwarmPortConfig],
          },
        },
      },
    }));
    const table = writeList(
      taskFormat("", false),
      ported.map((t) => taskContext(t, true, now)),
      taskKind,
    );
    expect(table).toBe(
      "ID             NAME        IMAGE          NODE      DESIRED STATE   CURRENT STATE          ERROR                              PORTS\n" +
        'abcdefghijkl   app_web.1   busybox:1.36   host1     Running         Failed 5 seconds ago   "task: non-zero exit (1): a lo…"   *:8080->80/tcp\n',
    );
    const full = taskContext(ported[0] as never, false, now);
    expect(full.ID).toBe("abcdefghijklmnopqrstuvwxy");
    expect(full.Image).toBe("busybox:1.36@sha256:abc");
    expect(full.Error).toBe('"task: non-zero exit (1): a long reason"');
    expect(writeList(taskFormat("", true), [full], taskKind)).toBe("abcdefghijklmnopqrstuvwxy\n");
    expect(writeList(taskFormat("{{json .}}", false), [full], taskKind)).toBe(
      '{"CurrentState":"Failed 5 seconds ago","DesiredState":"Running","Error":"\\"task: non-zero exit (1): a long reason\\"",' +
        '"ID":"abcdefghijklmnopqrstuvwxy","Image":"busybox:1.36@sha256:abc","Name":"app_web.1","Node":"host1","Ports":"*:8080-\\u003e80/tcp"}\n',
    );
    // A value's own json is not HTML-escaped (the Encoder's SetEscapeHTML(false)); a context's is.
    expect(writeList("{{json .Ports}}", [full], taskKind)).toBe('"*:8080->80/tcp"\n');
  });
  it("cuts errors at 29 bytes and quotes them", () => {
    expect(taskError("", true)).toBe("");
    expect(taskError("x".repeat(30), true)).toBe(`"${"x".repeat(30)}"`);
    expect(taskError("x".repeat(31), true)).toBe(`"${"x".repeat(29)}…"`);
  });
});

describe("stack services (service.ListFormatWrite)", () => {
  const port = (p: Partial<SwarmPortConfig>): SwarmPortConfig => ({
    Protocol: "tcp",
    PublishMode: "ingress",
    ...p,
  });

  it("shows running/desired, jobs' completions and max replicas per node", () => {
    const status = { RunningTasks: 2, DesiredTasks: 3, CompletedTasks: 1 };
    expect(serviceReplicas(service("a", "s_a", { ServiceStatus: status }))).toBe("2/3");
    expect(serviceReplicas(service("a", "s_a", { ServiceStatus: status, mode: { Global: {} } }))).toBe("2/3");
    expect(
      serviceReplicas(
        service("a", "s_a", { ServiceStatus: status, mode: { ReplicatedJob: { TotalCompletions: 5 } } }),
      ),
    ).toBe("2/3 (1/5 completed)");
    expect(serviceReplicas(service("a", "s_a", { ServiceStatus: status, mode: { GlobalJob: {} } }))).toBe(
      "2/3 (1/4 completed)",
    );
    const capped = service("a", "s_a", { ServiceStatus: status });
    capped.Spec.TaskTemplate.Placement = { MaxReplicas: 2 };
    expect(serviceReplicas(capped)).toBe("2/3 (max 2 per node)");
    expect(serviceReplicas(service("a", "s_a"))).toBe("0/0");
  });
  it("groups consecutive ingress ports, leaves host-mode ones out", () => {
    const ports = (list: SwarmPortConfig[]) =>
      servicePorts(service("a", "s_a", { Endpoint: { Ports: list } }));
    expect(
      ports([
        port({ PublishedPort: 81, TargetPort: 81 }),
        port({ PublishedPort: 80, TargetPort: 80 }),
        port({ PublishedPort: 90, TargetPort: 80 }),
        port({ PublishedPort: 91, TargetPort: 80 }),
        port({ PublishedPort: 53, TargetPort: 53, Protocol: "udp" }),
        port({ PublishedPort: 9000, TargetPort: 9000, PublishMode: "host" }),
      ]),
    ).toBe("*:80-81->80-81/tcp, *:90-91->80/tcp, *:53->53/udp");
    expect(
      ports([
        port({ PublishedPort: 80, TargetPort: 80 }),
        port({ PublishedPort: 81, TargetPort: 81 }),
        port({ PublishedPort: 82, TargetPort: 80 }),
      ]),
    ).toBe("*:80-81->80-81/tcp, *:82->80/tcp");
    expect(ports([])).toBe("");
  });
  it("shows images by their familiar name and tag, without digest", () => {
    expect(displayImage("busybox:1.36@sha256:abc")).toBe("busybox:1.36");
    expect(displayImage("docker.io/library/redis:7")).toBe("redis:7");
    expect(displayImage("127.0.0.1:5000/app:1")).toBe("127.0.0.1:5000/app:1");
    expect(displayImage("busybox@sha256:abc")).toBe("busybox@sha256:abc");
    expect(displayImage("docker.io/library/busybox")).toBe("docker.io/library/busybox");
  });
  it("prints the table, quiet IDs and templates", () => {
    const rows = [
      service("0123456789abcdefghijklmno", "app_web", {
        ServiceStatus: { RunningTasks: 2, DesiredTasks: 2 },
        Endpoint: { Ports: [port({ PublishedPort: 8080, TargetPort: 80 })] },
      }),
      service("zyx", "app_agent", {
        mode: { Global: {} },
        ServiceStatus: { RunningTasks: 3, DesiredTasks: 3 },
      }),
    ].map(serviceContext);
    expect(writeList(serviceFormat("", false), rows, serviceKind)).toBe(
      "ID             NAME        MODE         REPLICAS   IMAGE          PORTS\n" +
        "0123456789ab   app_web     replicated   2/2        busybox:1.36   *:8080->80/tcp\n" +
        "zyx            app_agent   global       3/3        busybox:1.36   \n",
    );
    expect(writeList(serviceFormat("table", true), rows, serviceKind)).toBe("0123456789ab\nzyx\n");
    expect(writeList(serviceFormat("table {{.Name}}\\t{{upper .Mode}}", false), rows, serviceKind)).toBe(
      "NAME        MODE\napp_web     REPLICATED\napp_agent   GLOBAL\n",
    );
    expect(writeList(serviceFormat("raw", true), rows, serviceKind)).toBe("id: 0123456789ab\nid: zyx\n");
  });
});

describe("20.10's template functions", () => {
  const row = serviceContext(
    service("abc", "app_web", { ServiceStatus: { RunningTasks: 1, DesiredTasks: 1 } }),
  );
  it("printf pads, pad leaves empty text alone, truncate cuts bytes, and the header keeps only printf and pad", () => {
    const format =
      'table {{.Name | printf "%-10s"}}|{{pad .Ports 1 1}}|{{pad .Mode 1 1}}|{{truncate .Name 3}}';
    expect(writeList(format, [row], serviceKind)).toBe(
      "NAME      | PORTS | MODE |NAME\napp_web   || replicated |app\n",
    );
  });
});

describe("template errors as Go's text/template reports them", () => {
  it("reports an unknown field with its position and the context's Go type, only when a row is printed", () => {
    expect(templateProblem("{{.Foo}}", taskKind)?.message).toBe(
      'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *task.taskContext',
    );
    expect(templateProblem("{{.ID}}\n  {{ .Name.X }}", taskKind)?.message).toBe(
      'template: :2:10: executing "" at <.Name.X>: can\'t evaluate field X in type string',
    );
    expect(() => writeList("table {{.Foo}}", [], stackKind)).not.toThrow();
    const row = stackContext({ Name: "a", Services: 1, Orchestrator: "Swarm", Namespace: "" });
    expect(() => writeList("table {{.Foo}}", [row], stackKind)).toThrow(
      'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.stackContext',
    );
  });
  it("reports an unclosed action and an unknown function when parsing, even without rows", () => {
    expect(() => writeList("{{.ID}} {{.Replicas", [], serviceKind)).toThrow(
      "template parsing error: template: :1: unclosed action",
    );
    expect(() => writeList("{{nope .ID}}", [], serviceKind)).toThrow(
      'template parsing error: template: :1: function "nope" not defined',
    );
    expect(templateProblem('{{.ID | printf "%s"}}', serviceKind)).toBeUndefined();
  });
});

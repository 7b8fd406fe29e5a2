import { describe, expect, it } from "vitest";
import type { ServiceSpec, SwarmDataObject, SwarmService } from "../../../src/project/engine/types.js";
import type { StackObjects } from "../../../src/project/stack/convert.js";
import {
  contentDigest,
  contentDigestLabel,
  planDeploy,
  type StackObserved,
  specChanges,
  unusedVersions,
  versionedName,
} from "../../../src/project/stack/deploy-plan.js";

const ns = { "com.docker.stack.namespace": "app" };
const b64 = (text: string) => Buffer.from(text).toString("base64");

function spec(name: string, extra: Partial<ServiceSpec["TaskTemplate"]["ContainerSpec"]> = {}): ServiceSpec {
  return {
    Name: name,
    Labels: { ...ns, "com.docker.stack.image": "busybox:1.36" },
    TaskTemplate: { ContainerSpec: { Image: "busybox:1.36", Labels: ns, ...extra } },
    Mode: { Replicated: { Replicas: 1 } },
  };
}

function objects(partial: Partial<StackObjects> = {}): StackObjects {
  return { networks: [], secrets: [], configs: [], services: [], warnings: [], ...partial };
}

function observed(partial: Partial<StackObserved> = {}): StackObserved {
  return {
    services: [],
    networks: [],
    secrets: [],
    configs: [],
    externalNetworks: {},
    networkNames: {},
    externalSecrets: {},
    externalConfigs: {},
    ...partial,
  };
}

function service(s: ServiceSpec, id: string, previous?: ServiceSpec): SwarmService {
  return {
    ID: id,
    Version: { Index: 7 },
    CreatedAt: "",
    UpdatedAt: "",
    Spec: s,
    ...(previous ? { PreviousSpec: previous } : {}),
  };
}

function secret(name: string, id: string, labels: Record<string, string> = ns): SwarmDataObject {
  return {
    ID: id,
    Version: { Index: 3 },
    CreatedAt: "",
    UpdatedAt: "",
    Spec: { Name: name, Labels: labels },
  };
}

const withSecret = (name: string) =>
  spec("app_web", {
    Secrets: [{ File: { Name: "pw", UID: "0", GID: "0", Mode: 292 }, SecretName: name, SecretID: "" }],
  });

describe("planDeploy", () => {
  it("creates what is missing in docker's order: networks, secrets, configs, then services in the given order", () => {
    const plan = planDeploy(
      objects({
        networks: [
          {
            key: "default",
            name: "app_default",
            external: false,
            request: { Name: "app_default", Labels: ns },
          },
        ],
        secrets: [
          {
            key: "pw",
            name: "app_pw",
            external: false,
            spec: { Name: "app_pw", Labels: ns, Data: b64("s3") },
          },
        ],
        configs: [
          {
            key: "conf",
            name: "app_conf",
            external: false,
            spec: { Name: "app_conf", Labels: ns, Data: b64("c") },
          },
        ],
        services: [
          { key: "web", name: "app_web", image: "busybox:1.36", spec: spec("app_web") },
          { key: "db", name: "app_db", image: "busybox:1.36", spec: spec("app_db") },
        ],
      }),
      observed(),
      { prune: false, order: ["db", "web"] },
    );
    expect(plan.errors).toEqual([]);
    expect(plan.steps.map((s) => `${s.kind} ${s.name} (${s.cause})`)).toEqual([
      "create-network app_default (missing)",
      "create-secret app_pw (missing)",
      "create-config app_conf (missing)",
      "create-service app_db (missing)",
      "create-service app_web (missing)",
    ]);
    const network = plan.steps[0];
    expect(network?.kind === "create-network" && network.request.Driver).toBe("overlay");
    const created = plan.steps[1];
    expect(created?.kind === "create-secret" && created.spec.Labels).toEqual({
      ...ns,
      [contentDigestLabel]: contentDigest(b64("s3")),
    });
  });

  it("updates existing services with their ForceUpdate kept and names the changed fields", () => {
    const current = { ...spec("app_web"), TaskTemplate: { ...spec("app_web").TaskTemplate, ForceUpdate: 2 } };
    const wanted = spec("app_web", { Env: ["A=1"] });
    const plan = planDeploy(
      objects({ services: [{ key: "web", name: "app_web", image: "busybox:1.36", spec: wanted }] }),
      observed({ services: [service(current, "s1")] }),
      { prune: false, order: ["web"] },
    );
    const step = plan.steps[0];
    expect(step?.kind).toBe("update-service");
    if (step?.kind !== "update-service") return;
    expect(step.id).toBe("s1");
    expect(step.version).toBe(7);
    expect(step.spec.TaskTemplate.ForceUpdate).toBe(2);
    expect(step.changes).toEqual(["TaskTemplate.ContainerSpec.Env"]);
    expect(step.cause).toBe("changed: TaskTemplate.ContainerSpec.Env");
  });

  it("reads the engine's stored spec as sent: networks by ID, Isolation, Runtime and endpoint mode defaults", () => {
    const sent = {
      ...spec("app_web"),
      TaskTemplate: { ...spec("app_web").TaskTemplate, Networks: [{ Target: "app_default" }] },
    };
    const stored = {
      ...sent,
      TaskTemplate: {
        ...sent.TaskTemplate,
        ContainerSpec: { ...sent.TaskTemplate.ContainerSpec, Isolation: "default" },
        Networks: [{ Target: "n0x" }],
        Runtime: "container",
      },
      EndpointSpec: { Mode: "vip" as const },
    };
    const plan = planDeploy(
      objects({ services: [{ key: "web", name: "app_web", image: "busybox:1.36", spec: sent }] }),
      observed({ services: [service(stored, "s1")], networkNames: { n0x: "app_default" } }),
      { prune: false, order: ["web"] },
    );
    expect(plan.steps.map((s) => s.cause)).toEqual(["unchanged"]);
  });

  it("prunes services no longer in the file only with --prune", () => {
    const old = service(spec("app_old"), "s9");
    const plain = planDeploy(objects(), observed({ services: [old] }), { prune: false, order: [] });
    expect(plain.steps).toEqual([]);
    const pruned = planDeploy(objects(), observed({ services: [old] }), { prune: true, order: [] });
    expect(pruned.steps).toEqual([
      { kind: "remove-service", name: "app_old", id: "s9", cause: "not in the compose file" },
    ]);
  });

  it("refuses missing or local external networks with docker's messages, and missing external secrets", () => {
    const plan = planDeploy(
      objects({
        networks: [
          { key: "a", name: "gone", external: true },
          { key: "b", name: "local", external: true },
          { key: "c", name: "host", external: true },
        ],
        secrets: [{ key: "s", name: "outside", external: true }],
      }),
      observed({
        externalNetworks: { gone: undefined, local: "local", host: undefined },
        externalSecrets: {},
      }),
      { prune: false, order: [] },
    );
    expect(plan.errors).toEqual([
      'network "gone" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed',
      'network "local" is declared as external, but it is not in the right scope: "local" instead of "swarm"',
      "secret not found: outside",
    ]);
  });

  it("gives a secret whose content changed a versioned name and points the services at it", () => {
    const oldDigest = contentDigest(b64("old"));
    const newDigest = contentDigest(b64("new"));
    const plan = planDeploy(
      objects({
        secrets: [
          {
            key: "pw",
            name: "app_pw",
            external: false,
            spec: { Name: "app_pw", Labels: ns, Data: b64("new") },
          },
        ],
        services: [{ key: "web", name: "app_web", image: "busybox:1.36", spec: withSecret("app_pw") }],
      }),
      observed({
        secrets: [secret("app_pw", "x1", { ...ns, [contentDigestLabel]: oldDigest })],
        services: [service(withSecret("app_pw"), "s1")],
      }),
      { prune: false, order: ["web"] },
    );
    const name = versionedName("app_pw", newDigest);
    expect(name).toMatch(/^app_pw-[0-9a-f]{12}$/);
    expect(plan.secretNames).toEqual({ pw: name });
    expect(plan.steps.map((s) => `${s.kind} ${s.name}`)).toEqual([
      `create-secret ${name}`,
      "update-service app_web",
    ]);
    const update = plan.steps[1];
    expect(
      update?.kind === "update-service" && update.spec.TaskTemplate.ContainerSpec.Secrets?.[0]?.SecretName,
    ).toBe(name);
    expect(update?.kind === "update-service" && update.changes).toEqual([
      "TaskTemplate.ContainerSpec.Secrets[0].SecretName",
    ]);
  });

  it("keeps a secret with the same content, and only updates labels that changed", () => {
    const digest = contentDigest(b64("same"));
    const wanted = {
      key: "pw",
      name: "app_pw",
      external: false,
      spec: { Name: "app_pw", Labels: ns, Data: b64("same") },
    };
    const same = planDeploy(
      objects({ secrets: [wanted] }),
      observed({ secrets: [secret("app_pw", "x1", { ...ns, [contentDigestLabel]: digest })] }),
      { prune: false, order: [] },
    );
    expect(same.steps).toEqual([]);
    expect(same.secretNames).toEqual({ pw: "app_pw" });
    const relabel = planDeploy(
      objects({ secrets: [{ ...wanted, spec: { ...wanted.spec, Labels: { ...ns, team: "a" } } }] }),
      observed({ secrets: [secret("app_pw", "x1", { ...ns, [contentDigestLabel]: digest })] }),
      { prune: false, order: [] },
    );
    expect(relabel.steps.map((s) => `${s.kind} ${s.name} (${s.cause})`)).toEqual([
      "update-secret app_pw (labels changed)",
    ]);
  });
});

describe("specChanges", () => {
  it("takes Go's zero values as absent and compares lists by entry", () => {
    expect(specChanges({ A: { B: null, C: [] }, D: 0, E: "" }, {})).toEqual([]);
    expect(specChanges({ A: [1, 2] }, { A: [1, 3] })).toEqual(["A[1]"]);
    expect(specChanges({ A: [1, 2] }, { A: [1] })).toEqual(["A"]);
    expect(
      specChanges({ A: { SecretID: "x", SecretName: "n" } }, { A: { SecretID: "y", SecretName: "n" } }),
    ).toEqual([]);
  });
});

describe("unusedVersions", () => {
  it("lists versions of wanted secrets that neither a spec nor a previous spec uses", () => {
    const wanted = [{ key: "pw", name: "app_pw", external: false }];
    const v1 = "app_pw";
    const v2 = "app_pw-0123456789ab";
    const v3 = "app_pw-ba9876543210";
    const unrelated = "app_pw-extra";
    const services = [service(withSecret(v3), "s1", withSecret(v2))];
    const found = unusedVersions(
      wanted,
      [secret(v1, "1"), secret(v2, "2"), secret(v3, "3"), secret(unrelated, "4")],
      services,
      "secret",
    );
    expect(found.map((s) => s.Spec.Name)).toEqual([v1]);
  });
});

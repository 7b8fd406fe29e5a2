import { describe, expect, it } from "vitest";
import { invalidStackName, removalOrder } from "../../../src/project/stack/remove.js";

const data = (ID: string, Name: string) => ({ ID, Spec: { Name } });
const service = (ID: string, Name: string) => ({
  ID,
  Spec: { Name, TaskTemplate: { ContainerSpec: { Image: "x" } } },
});

describe("stack rm", () => {
  it("removes services by name, then secrets, configs and networks in the engine's order", () => {
    const order = removalOrder({
      services: [service("s2", "st_web"), service("s1", "st_db"), service("s3", "st_api")],
      secrets: [data("k2", "st_token"), data("k1", "st_key")],
      configs: [data("c1", "st_conf")],
      networks: [
        { id: "n2", name: "st_default" },
        { id: "n1", name: "st_back" },
      ],
    });
    expect(order.map((o) => `${o.kind} ${o.name} ${o.id}`)).toEqual([
      "service st_api s3",
      "service st_db s1",
      "service st_web s2",
      "secret st_token k2",
      "secret st_key k1",
      "config st_conf c1",
      "network st_default n2",
      "network st_back n1",
    ]);
    expect(removalOrder({ services: [], secrets: [], configs: [], networks: [] })).toEqual([]);
  });

  it("refuses a name that is only blanks and quotes, quoted as docker's %q does", () => {
    expect(invalidStackName("web")).toBeUndefined();
    expect(invalidStackName(" 'a' ")).toBeUndefined();
    expect(invalidStackName("")).toBe('invalid stack name: ""');
    expect(invalidStackName(" \"'\t")).toBe('invalid stack name: " \\"\'\\t"');
  });
});

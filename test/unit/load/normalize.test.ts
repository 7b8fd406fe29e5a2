import { describe, expect, it } from "vitest";
import { canonicalizeProject } from "../../../src/project/load/canonical.js";
import { expandHome, normalizeProject, resolvePath } from "../../../src/project/load/normalize.js";

const ctx = {
  projectName: "proj",
  workingDir: "/src/app",
  home: "/home/me",
  environment: { FROM_ENV: "hello" },
};

function normalize(project: Record<string, unknown>): Record<string, unknown> {
  const canonical = canonicalizeProject(project);
  expect(canonical.diagnostics).toEqual([]);
  return normalizeProject(canonical.value, ctx).value;
}

function service(project: Record<string, unknown>, name: string): Record<string, unknown> {
  return (normalize(project).services as Record<string, Record<string, unknown>>)[name] ?? {};
}

describe("paths", () => {
  it("expands ~ under home (also ~name, like the reference) and resolves relative paths", () => {
    expect(expandHome("~", "/h")).toBe("/h");
    expect(expandHome("~/x", "/h")).toBe("/h/x");
    expect(expandHome("~other/x", "/h")).toBe("/h/other/x");
    expect(resolvePath("./data", ctx)).toBe("/src/app/data");
    expect(resolvePath("../up", ctx)).toBe("/src/up");
    expect(resolvePath(".", ctx)).toBe("/src/app");
    expect(resolvePath("/abs", ctx)).toBe("/abs");
    expect(resolvePath("C:\\data", ctx)).toBe("C:\\data");
  });

  it("resolves bind sources, build contexts, env files and secret files", () => {
    const project = normalize({
      services: {
        web: {
          build: { context: "./app", additional_contexts: { a: "./x", b: "docker-image://y" } },
          volumes: ["./data:/data", "~/x:/x", "vol:/v"],
          env_file: "a.env",
          secrets: ["s"],
        },
        git: { build: "https://github.com/docker/compose.git#main" },
        inline: { build: { dockerfile_inline: "FROM x" } },
      },
      volumes: { vol: null },
      secrets: { s: { file: "./s.txt" } },
    });
    const services = project.services as Record<string, Record<string, unknown>>;
    expect(services.web?.build).toEqual({
      context: "/src/app/app",
      dockerfile: "Dockerfile",
      additional_contexts: { a: "/src/app/x", b: "docker-image://y" },
    });
    expect(services.git?.build).toEqual({
      context: "https://github.com/docker/compose.git#main",
      dockerfile: "Dockerfile",
    });
    expect(services.inline?.build).toEqual({ context: "/src/app", dockerfile_inline: "FROM x" });
    expect(services.web?.volumes).toEqual([
      { type: "bind", source: "/src/app/data", target: "/data", bind: { create_host_path: true } },
      { type: "bind", source: "/home/me/x", target: "/x", bind: { create_host_path: true } },
      { type: "volume", source: "vol", target: "/v", volume: {} },
    ]);
    expect(services.web?.env_file).toEqual([{ path: "/src/app/a.env", required: true }]);
    expect(project.secrets).toEqual({ s: { name: "proj_s", file: "/src/app/s.txt" } });
    expect(project.volumes).toEqual({ vol: { name: "proj_vol" } });
  });
});

describe("networks", () => {
  it("attaches services without networks or network_mode to `default`, and declares it", () => {
    const project = normalize({
      services: { a: {}, b: { networks: {} }, c: { network_mode: "host" }, d: { networks: ["front"] } },
      networks: { front: null },
    });
    const services = project.services as Record<string, Record<string, unknown>>;
    expect(services.a?.networks).toEqual({ default: null });
    expect(services.b?.networks).toEqual({ default: null });
    expect(services.c?.networks).toBeUndefined();
    expect(services.d?.networks).toEqual({ front: null });
    expect(project.networks).toEqual({
      default: { name: "proj_default", ipam: {} },
      front: { name: "proj_front", ipam: {} },
    });
  });

  it("names resources: <project>_<key>, name: as given, external by key; unused ones are left out", () => {
    const project = normalize({
      services: { a: { networks: ["ext", "named"], volumes: ["ev:/e", "nv:/n"] } },
      networks: { ext: { external: true }, named: { name: "custom" }, unused: null },
      volumes: { ev: { external: true }, nv: { name: "nn" }, unused: null },
    });
    expect(project.networks).toEqual({
      ext: { name: "ext", external: true, ipam: {} },
      named: { name: "custom", ipam: {} },
    });
    expect(project.volumes).toEqual({ ev: { name: "ev", external: true }, nv: { name: "nn" } });
  });

  it("neither defaults nor prints a name written empty (an unset variable), normalized or not", () => {
    const written = {
      services: { a: { networks: ["ext", "plain"], volumes: ["ev:/e", "pv:/p"], secrets: ["s"] } },
      networks: { ext: { external: true, name: "" }, plain: { name: "" } },
      volumes: { ev: { external: true, name: "" }, pv: { name: "" } },
      secrets: { s: { file: "./s", name: "" } },
    };
    const project = normalize(written);
    expect(project.networks).toEqual({ ext: { external: true, ipam: {} }, plain: { ipam: {} } });
    expect(project.volumes).toEqual({ ev: { external: true }, pv: {} });
    expect(project.secrets).toEqual({ s: { file: "/src/app/s" } });
    const raw = normalizeProject(canonicalizeProject(written).value, { ...ctx, projectLevel: false }).value;
    expect(raw.networks).toEqual({ ext: { external: true, ipam: {} }, plain: { ipam: {} } });
    expect(raw.volumes).toEqual({ ev: { external: true }, pv: {} });
  });
});

describe("dependencies and environment", () => {
  it("adds implicit dependencies from network_mode, links and volumes_from", () => {
    expect(
      service(
        {
          services: {
            x: {
              network_mode: "service:net",
              links: ["db:database"],
              volumes_from: ["data:ro", "container:c"],
            },
            net: {},
            db: {},
            data: {},
          },
        },
        "x",
      ).depends_on,
    ).toEqual({
      net: { condition: "service_started", restart: true, required: true },
      db: { condition: "service_started", restart: true, required: true },
      data: { condition: "service_started", required: true },
    });
  });

  it("resolves KEY-only environment entries and null build args from the given environment", () => {
    const web = service(
      {
        services: { web: { environment: ["FROM_ENV", "NOT_SET"], build: { args: ["FROM_ENV", "NOT_SET"] } } },
      },
      "web",
    );
    expect(web.environment).toEqual({ FROM_ENV: "hello", NOT_SET: null });
    expect(web.build).toEqual({ context: "/src/app", dockerfile: "Dockerfile", args: { FROM_ENV: "hello" } });
  });
});

describe("--no-normalize (projectLevel false), as 2.26.1 prints it", () => {
  const raw = (project: Record<string, unknown>) => {
    const canonical = canonicalizeProject(project);
    return normalizeProject(canonical.value, { ...ctx, projectLevel: false }).value;
  };

  it("resolves paths (secret and config files too) and environment entries, nothing else", () => {
    const project = raw({
      services: {
        web: {
          build: { context: "ctx", args: ["FROM_ENV", "NOT_SET"] },
          environment: ["FROM_ENV"],
          pull_policy: "if_not_present",
          secrets: ["s"],
        },
      },
      secrets: { s: { file: "./s.txt" } },
    });
    const web = (project.services as Record<string, Record<string, unknown>>).web ?? {};
    expect(web.build).toEqual({ context: "/src/app/ctx", args: { FROM_ENV: null, NOT_SET: null } });
    expect(web.environment).toEqual({ FROM_ENV: "hello" });
    expect(web.pull_policy).toBe("if_not_present");
    expect(project.secrets).toEqual({ s: { file: "/src/app/s.txt" } });
    expect(project.networks).toBeUndefined();
  });

  it("normalized, the same project gets the dockerfile, resolved args and the pull_policy alias", () => {
    const web = service(
      {
        services: {
          web: { build: { context: "ctx", args: ["FROM_ENV", "NOT_SET"] }, pull_policy: "if_not_present" },
        },
      },
      "web",
    );
    expect(web.build).toEqual({
      context: "/src/app/ctx",
      dockerfile: "Dockerfile",
      args: { FROM_ENV: "hello" },
    });
    expect(web.pull_policy).toBe("missing");
  });
});

describe("namespaces shared with a service", () => {
  it("make ipc, pid, uts and cgroup service: references dependencies, like network_mode", () => {
    const web = service(
      {
        services: {
          web: { image: "x", ipc: "service:a", pid: "service:b" },
          a: { image: "x" },
          b: { image: "x" },
        },
      },
      "web",
    );
    expect(web.depends_on).toEqual({
      a: { condition: "service_started", restart: true, required: true },
      b: { condition: "service_started", restart: true, required: true },
    });
  });
});

import { describe, expect, it } from "vitest";
import type { Service } from "../../../src/project/load/types.js";
import {
  batchActions,
  ephemeralName,
  initialMapping,
  mappingFor,
  ruleIgnores,
  syncMessage,
  watcherIgnores,
  watchRules,
} from "../../../src/project/watch/rules.js";

function first<T>(list: readonly T[]): T {
  const [head] = list;
  if (head === undefined) throw new Error("empty");
  return head;
}

const inputs = (ignores: Record<string, string> = {}, missing: string[] = []) => ({
  dockerignore: (dir: string) => ignores[dir],
  exists: (path: string) => !missing.includes(path),
});

const web: Service = {
  build: { context: "/p" },
  volumes: [{ type: "bind", source: "/p/data", target: "/data" }],
  develop: {
    watch: [
      { path: "/p/src", action: "sync", target: "/app", ignore: ["cache/", "*.log"] },
      { path: "/p/requirements.txt", action: "rebuild" },
      { path: "/p/conf", action: "sync+restart", target: "/etc/app" },
      {
        path: "/p/src/hooks",
        action: "sync+exec",
        target: "/hooks",
        exec: { command: ["sh", "-c", "true"] },
      },
      { path: "/p/data/in", action: "sync", target: "/in" },
    ],
  },
};

describe("watchRules", () => {
  it("keeps the rules that can work and names the others", () => {
    const services: Record<string, Service> = {
      web,
      db: {
        image: "db",
        develop: {
          watch: [
            { path: "/p/db", action: "rebuild" },
            { path: "/p/db", action: "sync", target: "relative" },
            { path: "/p/db", action: "sync+exec", target: "/x" },
            { path: "/p/db/ok", action: "sync", target: "/ok", initial_sync: true },
          ],
        },
      },
      plain: { image: "busybox" },
    };
    const { rules, problems } = watchRules(services, [], inputs({}, ["/p/db/ok"]));
    expect(rules.map((r) => `${r.service}[${r.index}]`)).toEqual([
      "web[0]",
      "web[1]",
      "web[2]",
      "web[3]",
      "db[3]",
    ]);
    expect(problems.map((p) => [p.level, p.message])).toEqual([
      ["warning", "path '/p/data/in' also declared by a bind mount volume, this path won't be monitored!"],
      [
        "error",
        'service "db" develop.watch[0] (rebuild): can\'t watch with action rebuild without a build section',
      ],
      [
        "error",
        'service "db" develop.watch[1] (sync): target "relative" must be an absolute path in the container',
      ],
      [
        "error",
        'service "db" develop.watch[2] (sync+exec): can\'t watch with action sync+exec without an exec command',
      ],
      [
        "warning",
        'service "db" develop.watch[3] (sync): path /p/db/ok does not exist (yet): watched from its parent',
      ],
    ]);
    expect(rules.find((r) => r.service === "db")?.initialSync).toBe(true);
    expect(rules[0]?.initialSync).toBe(false);
  });

  it("selects the named services only", () => {
    const { rules } = watchRules({ web, other: web }, ["other"], inputs());
    expect(new Set(rules.map((r) => r.service))).toEqual(new Set(["other"]));
  });
});

describe("ignores", () => {
  const { rules } = watchRules({ web }, [], inputs({ "/p": "node_modules\n*.pyc\n!keep.pyc\n" }));
  const src = first(rules);

  it("applies the rule's patterns, the .dockerignore and the editors' files", () => {
    expect(ruleIgnores(src, "/p/src/main.py")).toBe(false);
    expect(ruleIgnores(src, "/p/src/cache/x")).toBe(true);
    expect(ruleIgnores(src, "/p/src/a.log")).toBe(true);
    expect(ruleIgnores(src, "/p/src/mod.pyc")).toBe(false); // *.pyc of the context's root only
    expect(ruleIgnores(src, "/p/src/.main.py.swp")).toBe(true);
    expect(ruleIgnores(src, "/p/src/main.py~")).toBe(true);
    expect(ruleIgnores(src, "/p/src/.git/HEAD")).toBe(true);
    const deep = first(watchRules({ web }, [], inputs({ "/p": "**/node_modules\n" })).rules);
    expect(ruleIgnores(deep, "/p/src/node_modules/x/index.js")).toBe(true);
  });

  it("tells the watcher which directories it need not enter", () => {
    const deep = watchRules({ web }, [], inputs({ "/p": "**/node_modules\n" })).rules;
    expect(watcherIgnores(deep, "/p/src/node_modules", true)).toBe(true);
    expect(watcherIgnores(deep, "/p/src/lib", true)).toBe(false);
    expect(watcherIgnores(deep, "/p", true)).toBe(false); // an ancestor of a rule's path
    expect(watcherIgnores(deep, "/p/other", true)).toBe(true); // no rule's
    expect(watcherIgnores(deep, "/p/requirements.txt", false)).toBe(false);
  });
});

describe("batchActions", () => {
  const { rules } = watchRules({ web }, [], inputs());

  it("maps host paths to the container, once each, and groups the actions", () => {
    const actions = batchActions(rules, [
      "/p/src/a.py",
      "/p/src/a.py",
      "/p/src/cache/skip",
      "/p/conf/app.ini",
      "/p/src/hooks/run.sh",
      "/elsewhere/x",
    ]);
    expect(actions.rebuild).toEqual([]);
    expect(actions.sync.get("web")).toEqual([
      { hostPath: "/p/src/a.py", containerPath: "/app/a.py" },
      { hostPath: "/p/conf/app.ini", containerPath: "/etc/app/app.ini" },
      { hostPath: "/p/src/hooks/run.sh", containerPath: "/app/hooks/run.sh" },
      { hostPath: "/p/src/hooks/run.sh", containerPath: "/hooks/run.sh" },
    ]);
    expect(actions.restart).toEqual(["web"]);
    expect(actions.exec.get("web")?.map((r) => r.index)).toEqual([3]);
  });

  it("rebuilds, and does not restart what it rebuilds", () => {
    const actions = batchActions(rules, ["/p/requirements.txt", "/p/conf/app.ini"]);
    expect(actions.rebuild).toEqual(["web"]);
    expect(actions.restart).toEqual([]);
    expect(actions.sync.get("web")).toHaveLength(1);
  });

  it("maps a rule's own path to its target", () => {
    expect(mappingFor(first(rules), "/p/src")).toEqual({ hostPath: "/p/src", containerPath: "/app" });
    expect(mappingFor(first(rules), "/p/srcx/a")).toBeUndefined();
    expect(initialMapping(first(rules))).toBeUndefined();
  });
});

describe("ephemeralName", () => {
  it("names the editors' files the reference ignores, and .git", () => {
    for (const name of [
      ".git",
      ".idea",
      "4913",
      "a.py~",
      "x___jb_old___",
      "x___jb_tmp___",
      "a-go-tmp-umask",
    ]) {
      expect(ephemeralName(name), name).toBe(true);
    }
    for (const name of [".#a.py", "#a.py#", ".a.py.swp", ".a.swx", ".a.swo", ".a.swn", ".a.py.kate-swp"]) {
      expect(ephemeralName(name), name).toBe(true);
    }
    for (const name of ["a.py", "#", "a.swp", ".swp", "git", ".gitignore", "4914", "a.swf", ".a.swf"]) {
      expect(ephemeralName(name), name).toBe(false);
    }
  });
});

describe("syncMessage", () => {
  it("is the reference's, with the count beyond ten changes", () => {
    expect(syncMessage("web", 3)).toBe('Syncing "web" after changes were detected');
    expect(syncMessage("web", 11)).toBe('Syncing service "web" after 11 changes were detected');
  });
});

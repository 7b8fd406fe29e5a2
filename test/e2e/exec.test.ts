import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, Stack } from "../helpers/day2.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!referenceBinary)(`exec${referenceSkipNote}`, () => {
  let engine: Engine;
  let stack: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    stack = await Stack.up("exec");
  });
  afterAll(async () => {
    await stack?.remove(engine);
  });

  it("without a TTY keeps stdout and stderr apart and exits with the command's code", () => {
    const script = "echo out; echo err >&2; exit 7";
    const a = stack.tc("exec", "-T", "web", "sh", "-c", script);
    expect(a).toEqual(stack.ref("exec", "-T", "web", "sh", "-c", script));
    expect(a).toEqual({ code: 7, stdout: "out\n", stderr: "err\n" });
  });

  it("pipes stdin and passes -e -u -w, flags after the service go to the command", () => {
    expect(stack.tcIn("hello\n", "exec", "-T", "web", "cat")).toEqual({
      code: 0,
      stdout: "hello\n",
      stderr: "",
    });
    const script = 'echo "$FOO $BAR"; pwd; id -u';
    const args = [
      "exec",
      "-T",
      "-e",
      "FOO",
      "-e",
      "BAR=2",
      "-u",
      "1000",
      "-w",
      "/tmp",
      "web",
      "sh",
      "-c",
      script,
    ];
    const a = stack.tc(...args);
    expect(a).toEqual(stack.ref(...args));
    expect(a.stdout).toBe(" 2\n/tmp\n1000\n");
    expect(stack.tc("exec", "web", "ls", "-d", "/etc").stdout).toBe("/etc\n");
  });

  it("--index picks a replica; -d returns at once; missing service or replica as the reference says", () => {
    expect(stack.tc("exec", "--index", "2", "web", "hostname").code).toBe(0);
    expect(stack.tc("exec", "-d", "web", "sh", "-c", "exit 3")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(stack.tc("exec", "nosuch", "true")).toEqual({
      code: 1,
      stdout: "",
      stderr: 'tcompose: service "nosuch" is not running\n',
    });
    expect(stack.ref("exec", "nosuch", "true").code).toBe(1);
    expect(stack.tc("exec", "--index", "5", "web", "true").stderr).toBe(
      'tcompose: service "web" is not running container #5\n',
    );
    expect(stack.tc("exec", "web", "nosuchcmd").code).toBe(126);
  });

  it("with a TTY: raw, sized like the terminal, resized on SIGWINCH, exit code kept", async () => {
    const tmux = (...args: string[]) =>
      execFileSync("tmux", ["-L", stack.name, ...args], { encoding: "utf8" });
    const out = join(stack.dir, "exec.out");
    const cmd = `node ${cliPath} -p ${stack.name} exec web sh; echo "rc=$?" > ${out}; sleep 30`;
    tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd);
    try {
      const screen = () => tmux("capture-pane", "-p", "-t", "t");
      const until = async (text: string) => {
        for (let i = 0; i < 50 && !screen().includes(text); i++) await sleep(200);
        return screen();
      };
      await until("#");
      tmux("send-keys", "-t", "t", "stty size; tty", "Enter");
      expect(await until("/dev/pts/")).toContain("30 100");
      tmux("resize-window", "-t", "t", "-x", "80", "-y", "24");
      await sleep(500);
      tmux("send-keys", "-t", "t", "clear; stty size", "Enter");
      expect(await until("24 80")).toContain("24 80");
      tmux("send-keys", "-t", "t", "exit 3", "Enter");
      for (let i = 0; i < 50; i++) {
        try {
          if (readFileSync(out, "utf8")) break;
        } catch {}
        await sleep(200);
      }
      expect(readFileSync(out, "utf8")).toBe("rc=3\n");
    } finally {
      tmux("kill-server");
    }
  });
});

import { describe, expect, it } from "vitest";
import {
  holderOf,
  type LockHolder,
  lockLabels,
  lockName,
  lockVerdict,
  type Observer,
  statStartTime,
  takeOverMessage,
  waitingMessage,
} from "../../../src/project/lock.js";

const holder: LockHolder = {
  pid: 4242,
  host: "ci-7",
  hostId: "boot-a/pid:[4026531836]",
  pidStart: "123456",
  since: 1_000_000,
  command: "up",
};

const observer = (over: Partial<Observer> = {}): Observer => ({
  hostId: "boot-a/pid:[4026531836]",
  now: 1_000_000 + 60_000,
  leaseMs: 15 * 60_000,
  alive: () => true,
  ...over,
});

describe("project lock", () => {
  it("is a container name no compose container can take (projects have no dots)", () => {
    expect(lockName("shop")).toBe("shop.tcompose-lock");
  });

  it("names its holder in labels, without any com.docker.compose label, and reads it back", () => {
    const labels = lockLabels("shop", holder);
    expect(Object.keys(labels).some((k) => k.startsWith("com.docker.compose"))).toBe(false);
    expect(holderOf("shop", labels)).toEqual(holder);
    // Another project's lock, or a container that is not a lock, names no holder.
    expect(holderOf("other", labels)).toBeUndefined();
    expect(holderOf("shop", { "com.docker.compose.project": "shop" })).toBeUndefined();
  });

  it("on the holder's host: held while its process (that pid, that start) runs, stale once it is gone", () => {
    const asked: [number, string | undefined][] = [];
    const alive = (pid: number, start: string | undefined) => {
      asked.push([pid, start]);
      return false;
    };
    expect(lockVerdict(holder, observer())).toBe("held");
    expect(lockVerdict(holder, observer({ alive }))).toBe("stale");
    expect(asked).toEqual([[4242, "123456"]]);
    // However young the lock: a dead holder does not make others wait.
    expect(lockVerdict(holder, observer({ alive, now: holder.since }))).toBe("stale");
  });

  it("from another host: held until the lease is over, whatever a pid of this host says", () => {
    const elsewhere = observer({ hostId: "boot-b/pid:[4026531836]", alive: () => false });
    expect(lockVerdict(holder, elsewhere)).toBe("held");
    expect(lockVerdict(holder, { ...elsewhere, now: holder.since + 15 * 60_000 })).toBe("held");
    expect(lockVerdict(holder, { ...elsewhere, now: holder.since + 15 * 60_000 + 1 })).toBe("stale");
    // A holder whose labels say nothing of its host is judged by the lease alone.
    expect(lockVerdict({ ...holder, hostId: "" }, observer({ alive: () => false }))).toBe("held");
  });

  it("reads a process's start from /proc/<pid>/stat, a command with spaces and parentheses included", () => {
    const stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 11 0 987654 1000 200";
    expect(statStartTime(stat)).toBe("987654");
  });

  it("says who it waits for, and whose lock it takes over", () => {
    expect(waitingMessage("shop", holder)).toBe(
      'Waiting for another tcompose run on project "shop" (pid 4242 on host ci-7)…\n',
    );
    expect(takeOverMessage("shop", holder)).toBe(
      'Taking over the lock of project "shop" from pid 4242 on host ci-7, held for more than 15 minutes\n',
    );
  });
});

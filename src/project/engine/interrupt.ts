// Ctrl-C during `up`/`create`: an Engine that, once interrupted, sends nothing more (every call rejects
// with InterruptedError) while the requests already sent that change something are let finish, so the
// command can end with the engine in a known state: each container either made or not, started or not.
// The next `up` converges from whatever is left (converge.ts: unfinishedRecreates, halfMade).
import type { Engine, Subscription } from "./types.js";
import { engineWrites, streamingWrites } from "./writes.js";

/** The reference's word and exit code for a command cancelled by SIGINT (observed on 2.26.1: 130). */
export class InterruptedError extends Error {
  readonly exitCode = 130;
  constructor() {
    super("canceled");
    this.name = "InterruptedError";
  }
}

// Calls that change something and end on their own: awaited after an interrupt. Streams and waits (pull,
// build, push, events, logs, wait) are not: the engine ends them when the connection goes.
const settling = new Set([...engineWrites].filter((m) => !streamingWrites.has(m)));

export interface InterruptibleEngine {
  engine: Engine;
  readonly interrupted: boolean;
  /** From now on every call rejects with InterruptedError; open event subscriptions are closed. */
  interrupt(): void;
  /** Resolves once the changing calls under way have ended (however they ended). */
  settled(): Promise<void>;
  /**
   * Runs the work; once interrupted, rejects with InterruptedError as soon as the changing calls under way
   * have ended, without waiting for the rest of the work (a health wait, a build) to notice.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function interruptible(real: Engine): InterruptibleEngine {
  let interrupted = false;
  let wake: () => void = () => {};
  const interruption = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const inFlight = new Set<Promise<unknown>>();
  const subscriptions = new Set<Subscription>();
  const track = (property: string, result: Promise<unknown>) => {
    if (settling.has(property)) {
      const done: Promise<unknown> = result.then(
        () => inFlight.delete(done),
        () => inFlight.delete(done),
      );
      inFlight.add(done);
    } else if (property === "subscribeEvents") {
      result.then(
        (s) => {
          const subscription = s as Subscription;
          if (interrupted) subscription.close();
          else subscriptions.add(subscription);
        },
        () => {},
      );
    }
  };
  const engine = new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || typeof value !== "function" || property === "demux") return value;
      return (...args: unknown[]) => {
        if (interrupted) return Promise.reject(new InterruptedError());
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) track(property, result);
        return result;
      };
    },
  });
  const settled = async () => {
    while (inFlight.size > 0) await Promise.all(inFlight);
  };
  return {
    engine,
    get interrupted() {
      return interrupted;
    },
    interrupt() {
      if (interrupted) return;
      interrupted = true;
      for (const s of subscriptions) s.close();
      subscriptions.clear();
      wake();
    },
    settled,
    async run<T>(work: () => Promise<T>): Promise<T> {
      const working = work();
      working.catch(() => {});
      try {
        return await Promise.race([working, interruption.then(() => Promise.reject(new InterruptedError()))]);
      } catch (error) {
        if (!interrupted) throw error;
        await settled();
        throw new InterruptedError();
      }
    },
  };
}

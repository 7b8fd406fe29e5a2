// What apply reports while it works: one event per change of state of one resource. Pure data; the CLI
// renders it (src/cli/render/progress.ts) as the reference's live TTY view, plain lines, JSON lines or nothing.

import type { JsonMessage } from "./engine/types.js";

/** working: in progress (spinner); done: finished well; warning and error: finished otherwise. */
export type ProgressStatus = "working" | "done" | "warning" | "error";

export interface ProgressEvent {
  /** The resource as the reference names it: `Container p-web-1`, `Network p_default`, `Volume "p_data"`. */
  id: string;
  /** The resource's state, as the reference words it: Creating, Created, Starting, Started, Waiting, Healthy,
   * Exited, Running, Recreate, Recreated, Stopping, Stopped, Removing, Removed, Pulling, Pulled, Error … */
  text: string;
  status: ProgressStatus;
  /** More words after the state (an error message, a pull's progress). */
  details?: string;
  /** Why the action is taken (`config hash changed: environment.DB_HOST`): in JSON, and in a dry run's text. */
  cause?: string;
  /** For a nested event (a pull's layer), the parent's id. */
  parent?: string;
  /** Where `text` goes. Default: the id is padded to a common width and the state starts the status
   * column (`Container p-web-1  Started`), `details` after it. true: the state follows the id inside the
   * padded column, as the reference words pulls and service warnings (`web Pulling`,
   * `4cce3ac1d2bb Downloading  [>   ]  98.3kB/8.003MB`), and `details` alone fills the status column. */
  textAfterId?: boolean;
  /** A layer's bytes so far and in all, and its percentage: the parent's line shows them summed. */
  current?: number;
  total?: number;
  percent?: number;
}

export interface Progress {
  /** How the events are shown (a build's BuildKit output differs by it); undefined: nothing is shown. */
  readonly mode?: "tty" | "plain" | "json" | "quiet";
  event(event: ProgressEvent): void;
  /** Free text above the live view (a warning), printed at once. */
  log(text: string): void;
  /** Ends the live view (prints its last frame); called once, after the last event. */
  stop(): void;
  /** Text printed after the last frame, as the reference prints its tail messages (plain: at once). */
  tail?(text: string): void;
  /** true while more follows the current step (`up` that attaches): finished events keep their spinner. */
  followUp?(more: boolean): void;
}

export const silentProgress: Progress = { event() {}, log() {}, stop() {} };

/** A pull's JSON message about one layer as the reference reports it (nested under `parent`, the service),
 * or undefined for the messages it leaves out (no layer id, or no progressDetail). */
export function pullLayerEvent(parent: string, message: JsonMessage): ProgressEvent | undefined {
  if (!message.id || !message.progressDetail) return undefined;
  const status = message.status ?? "";
  const event: ProgressEvent = {
    id: message.id,
    parent,
    text: status,
    status: "working",
    details: message.progress ?? "",
    textAfterId: true,
    percent: 0,
  };
  switch (status) {
    case "Downloading":
    case "Extracting":
    case "Verifying Checksum": {
      const { current = 0, total = 0 } = message.progressDetail;
      event.current = current;
      event.total = total;
      if (total > 0) event.percent = Math.trunc((current * 100) / total);
      break;
    }
    case "Download complete":
    case "Already exists":
    case "Pull complete":
      event.status = "done";
      event.percent = 100;
  }
  if (status.includes("Image is up to date") || status.includes("Downloaded newer image")) {
    event.status = "done";
    event.percent = 100;
  }
  const error = message.errorDetail?.message ?? message.error;
  if (error) {
    event.status = "error";
    event.details = error;
  }
  return event;
}

export const resourceId = {
  container: (name: string) => `Container ${name}`,
  network: (name: string) => `Network ${name}`,
  /** `up` names a volume in quotes … */
  volume: (name: string) => `Volume "${name}"`,
  /** … `down` without them (down.go removeVolume). */
  plainVolume: (name: string) => `Volume ${name}`,
  image: (ref: string) => `Image ${ref}`,
  service: (name: string) => name,
};

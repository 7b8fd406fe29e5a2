// What apply reports while it works: one event per change of state of one resource. Pure data; the CLI
// renders it (src/cli/render/progress.ts) as the reference's live TTY view, plain lines, JSON lines or nothing.

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
  /** For a nested event (a pull's layer), the parent's id. */
  parent?: string;
}

export interface Progress {
  event(event: ProgressEvent): void;
  /** Free text above the live view (a warning), printed at once. */
  log(text: string): void;
  /** Ends the live view (prints its last frame); called once, after the last event. */
  stop(): void;
}

export const silentProgress: Progress = { event() {}, log() {}, stop() {} };

export const resourceId = {
  container: (name: string) => `Container ${name}`,
  network: (name: string) => `Network ${name}`,
  volume: (name: string) => `Volume "${name}"`,
  image: (ref: string) => `Image ${ref}`,
  service: (name: string) => name,
};

// Pushing services' images (`push`).
//
// Behaviour followed (docker compose 2.26.1, pkg/compose/push.go, and its plain progress output): a service
// without both `build` and `image` is reported ` web Skipped `; the others push `image` and every
// `build.tags` entry, in parallel, with one event per layer named `Pushing <tag>: <layer>` whose text is the
// engine's status (` Pushing 127.0.0.1:5000/x:1: f0082cf0b911 Preparing `, `… Layer already exists `).
// A failure fails the command with the engine's words, unless --ignore-push-failures, which prints
// `Pushing <service>: <error>` after the progress instead.
import PQueue from "p-queue";
import { EngineError } from "./engine/errors.js";
import type { Engine, JsonMessage } from "./engine/types.js";
import { dockerodeWords } from "./engine-words.js";
import type { Project } from "./load/index.js";
import type { Progress, ProgressEvent } from "./progress.js";

type Mapping = Record<string, unknown>;

export interface PushOptions {
  ignoreFailures?: boolean;
  /** No layer events. */
  quiet?: boolean;
}

/** The event of one push message, or undefined for messages without a layer id. */
export function pushLayerEvent(tag: string, message: JsonMessage): ProgressEvent | undefined {
  if (!message.id) return undefined;
  const status = message.status ?? "";
  const done = ["pushed", "layer already exists"].includes(status.toLowerCase());
  const event: ProgressEvent = {
    id: `Pushing ${tag}: ${message.id}`,
    text: status,
    status: done ? "done" : "working",
    textAfterId: true,
    details: "",
  };
  if (done) event.percent = 100;
  const error = message.errorDetail?.message ?? message.error;
  if (error) {
    event.status = "error";
    event.details = error;
  }
  if (message.progress !== undefined && message.progressDetail) {
    event.details = message.progress;
    const { current = 0, total = 0 } = message.progressDetail;
    if (total !== 0) {
      event.current = current;
      event.total = total;
      if (total > 0) event.percent = Math.trunc((current * 100) / total);
    }
  }
  return event;
}

function engineWords(error: unknown): string {
  if (error instanceof EngineError) return dockerodeWords(error.message.slice(error.resource.length + 2));
  return error instanceof Error ? error.message : String(error);
}

export class PushError extends Error {
  readonly exitCode = 1;
}

export async function pushServices(
  engine: Engine,
  project: Project,
  serviceNames: readonly string[],
  options: PushOptions,
  progress: Progress,
): Promise<void> {
  const services = (project.model.services ?? {}) as Record<string, Mapping>;
  const names = serviceNames.length > 0 ? serviceNames.filter((n) => services[n]) : Object.keys(services);
  const limit = Number(process.env.COMPOSE_PARALLEL_LIMIT);
  const queue = new PQueue({
    concurrency: Number.isInteger(limit) && limit > 0 ? limit : Number.POSITIVE_INFINITY,
  });
  const jobs: Promise<void>[] = [];
  const failures: string[] = [];
  for (const name of names) {
    const service = services[name] as Mapping;
    const build = service.build as Mapping | undefined;
    if (!build || typeof service.image !== "string" || service.image === "") {
      progress.event({ id: name, text: "Skipped", status: "done", textAfterId: true });
      continue;
    }
    const tags = [service.image, ...(Array.isArray(build.tags) ? build.tags.map(String) : [])];
    for (const tag of tags) {
      jobs.push(
        queue.add(async () => {
          let streamError: string | undefined;
          try {
            await engine.pushImage(tag, (m) => {
              if (m.error) streamError ??= m.errorDetail?.message ?? m.error;
              if (options.quiet) return;
              const event = pushLayerEvent(tag, m);
              if (event) progress.event(event);
            });
          } catch (error) {
            const words = streamError ?? engineWords(error);
            if (!options.ignoreFailures) failures.push(words);
            else (progress.tail ?? progress.log).call(progress, `Pushing ${name}: ${words}`);
          }
        }),
      );
    }
  }
  await Promise.all(jobs);
  if (failures[0] !== undefined) throw new PushError(failures[0]);
}

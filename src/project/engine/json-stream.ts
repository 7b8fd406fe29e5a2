// The engine's streams of JSON messages, one per line: events (system.ts) and the progress of pulls, pushes
// and builds (images.ts).
import { StringDecoder } from "node:string_decoder";
import type { JsonMessage } from "./types.js";

/** Splits a stream of JSON messages (one per line, possibly cut anywhere) into objects. */
export function jsonLines(
  stream: NodeJS.ReadableStream,
  onMessage: (m: Record<string, unknown>, line: string) => void,
): void {
  let rest = "";
  // A character cut between two chunks is decoded once both have come.
  const decoder = new StringDecoder("utf8");
  stream.on("data", (chunk: Buffer) => {
    rest += decoder.write(chunk);
    let nl = rest.indexOf("\n");
    while (nl >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) {
        try {
          onMessage(JSON.parse(line) as Record<string, unknown>, line);
        } catch {
          // not JSON: ignored, as the docker CLI does
        }
      }
      nl = rest.indexOf("\n");
    }
  });
}

/** Follows a JSON progress stream to its end; an `error` inside it rejects. */
export function followMessages(
  stream: NodeJS.ReadableStream,
  onMessage: (m: JsonMessage) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    jsonLines(stream, (m) => {
      const message = m as JsonMessage;
      if (message.error) failure ??= message.errorDetail?.message ?? message.error;
      onMessage(message);
    });
    stream.on("end", () => (failure ? reject(new Error(failure)) : resolve()));
    stream.on("close", () => (failure ? reject(new Error(failure)) : resolve()));
    stream.on("error", reject);
  });
}

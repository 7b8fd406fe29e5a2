import { describeEndpoint, type Endpoint } from "./endpoint.js";

/** No engine answered: one line that says where tcompose looked and how to fix it. */
export class EngineUnavailableError extends Error {
  readonly exitCode = 1;
  constructor(endpoint: Endpoint, cause: string) {
    super(
      `cannot reach a Docker Engine at ${describeEndpoint(endpoint)} (${cause}); ` +
        "start Docker, or point DOCKER_HOST at a running engine",
    );
    this.name = "EngineUnavailableError";
  }
}

/** The engine refused a request about one resource. */
export class EngineError extends Error {
  constructor(
    readonly resource: string,
    readonly statusCode: number | undefined,
    message: string,
  ) {
    super(`${resource}: ${message}`);
    this.name = "EngineError";
  }
}

import { describe, expect, it } from "vitest";
import { EndpointError, httpTimeout } from "../../../src/project/engine/endpoint.js";

describe("COMPOSE_HTTP_TIMEOUT", () => {
  it("is 60 seconds when unset or empty (Compose v1's default)", () => {
    expect(httpTimeout({})).toBe(60);
    expect(httpTimeout({ COMPOSE_HTTP_TIMEOUT: " " })).toBe(60);
  });

  it("takes whole or decimal seconds", () => {
    expect(httpTimeout({ COMPOSE_HTTP_TIMEOUT: "1" })).toBe(1);
    expect(httpTimeout({ COMPOSE_HTTP_TIMEOUT: " 120 " })).toBe(120);
    expect(httpTimeout({ COMPOSE_HTTP_TIMEOUT: "0.5" })).toBe(0.5);
  });

  it("refuses what is not a number of seconds above 0, naming the variable", () => {
    for (const value of ["0", "-1", "1s", "abc", "1e3", "0.0"]) {
      expect(() => httpTimeout({ COMPOSE_HTTP_TIMEOUT: value })).toThrow(EndpointError);
      expect(() => httpTimeout({ COMPOSE_HTTP_TIMEOUT: value })).toThrow(
        `COMPOSE_HTTP_TIMEOUT=${value} is not a number of seconds greater than 0`,
      );
    }
  });
});

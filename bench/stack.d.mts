// Types for stack.mjs, which test/unit/bench.test.ts imports.
export declare const SERVICES: number;
export declare const REPLICAS: number;
export declare function stackCompose(services?: number, replicas?: number): string;
export declare function floorServiceSpec(
  stack: string,
  short: string,
  networkId: string,
  replicas?: number,
): Record<string, unknown>;
export declare function runningTasks(tasks: { DesiredState: string; Status?: { State: string } }[]): number;
export declare function allReplicasRunning(output: string, services?: number, replicas?: number): boolean;

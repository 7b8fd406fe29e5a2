// Differential test of `stack deploy` (issue 18): for each compose file of test/fixtures/stack, the oracle
// (`/usr/bin/docker stack deploy`, docker 20.10) and then tcompose deploy it, each under its own stack name,
// from the fixture's directory with the same environment, on the test swarm. After each deploy every
// service, network, secret and config labelled with the stack is inspected; the normalized documents
// (test/helpers/stack.ts: IDs become names, the stack name `<stack>`; versions, timestamps, pool subnets,
// VIP addresses, vxlan IDs and assigned ports are taken out) must be equal field by field. No task needs to
// run: only specs are compared. Fixtures run concurrently (distinct ports and fixed names); every stack is
// removed and waited for at the end.
// TCS_STACK_SELF_CHECK=1 deploys with docker twice instead: the normalizer keeps nothing that differs
// between two deploys of the same file.
import { afterAll, beforeAll, describe, it } from "vitest";
import { contentDigestLabel } from "../../src/project/stack/deploy-plan.js";
import {
  createExternals,
  deployBoth,
  differences,
  fixtureStackNames,
  formatDifferences,
  type NormalizedStack,
  removeExternals,
  removeNodeVolumes,
  removeStack,
  stackFixtures,
  type Tool,
} from "../helpers/stack.js";
import { ensureSwarm, swarmSkipNote } from "../helpers/swarm.js";

const fixtures = stackFixtures();
const tool: Tool = process.env.TCS_STACK_SELF_CHECK ? "docker" : "tcompose";

/**
 * tcompose's deliberate differences (issue 18, "beyond docker stack"), taken out of its side after checking
 * them: the secrets and configs it creates carry the sha256 of their content as a label (deploy-plan.ts:
 * a changed content gets a new name instead of docker's refused update).
 */
function withoutDeliberate(stack: NormalizedStack): string[] {
  const problems: string[] = [];
  for (const [kind, objects] of [
    ["secret", stack.secrets],
    ["config", stack.configs],
  ] as const) {
    for (const [name, object] of Object.entries(objects)) {
      const labels = (object as { Spec: { Labels?: Record<string, string> } }).Spec.Labels ?? {};
      if (!/^[0-9a-f]{64}$/.test(labels[contentDigestLabel] ?? ""))
        problems.push(`${kind} ${name}: no ${contentDigestLabel} label`);
      delete labels[contentDigestLabel];
    }
  }
  return problems;
}

/**
 * Differences where tcompose's loader (the current Compose spec, as `tcompose up` reads the file) and docker
 * 20.10's frozen 3.x loader read the same file differently, tcompose on purpose: exactly these lines are
 * expected, so a new difference (or one going away) fails the case.
 */
const loaderDifferences: Record<string, { why: string; lines: string[] }> = {
  "15-environment": {
    why: "env_file values in quotes: docker 20.10 keeps the quotes, the Compose spec (and docker compose) unquotes",
    lines: [
      'services.<stack>_web.Spec.TaskTemplate.ContainerSpec.Env.5: docker "QUOTED=\\"a b c\\"", tcompose "QUOTED=a b c"',
      'services.<stack>_worker.Spec.TaskTemplate.ContainerSpec.Env.3: docker "QUOTED=\\"a b c\\"", tcompose "QUOTED=a b c"',
    ],
  },
  "19-multi-file": {
    why: "a later file's command: docker 20.10 appends it to the earlier one's (its merge appends lists), the Compose spec replaces it",
    lines: [
      'services.<stack>_web.Spec.TaskTemplate.ContainerSpec.Args.1: docker "3600", tcompose "7200"',
      'services.<stack>_web.Spec.TaskTemplate.ContainerSpec.Args.2: docker "sleep", tcompose (absent)',
      'services.<stack>_web.Spec.TaskTemplate.ContainerSpec.Args.3: docker "7200", tcompose (absent)',
    ],
  },
};

describe.skipIf(swarmSkipNote !== "")(`stack deploy: tcompose vs docker 20.10${swarmSkipNote}`, () => {
  beforeAll(async () => {
    ensureSwarm();
    for (const fixture of fixtures) await createExternals(fixture);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(fixtures.flatMap((f) => fixtureStackNames(f).map((name) => removeStack(name))));
    for (const fixture of fixtures) await removeExternals(fixture);
    // Every stack and fixed name of the fixtures starts so.
    await removeNodeVolumes("tcsref");
  }, 300_000);

  it("has at least 15 fixtures", ({ expect }) => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.concurrent.for(fixtures.map((f) => [f.id, f] as const))(
    "%s: same specs",
    { timeout: 300_000 },
    async ([, fixture], { expect }) => {
      const { docker, other } = await deployBoth(fixture, tool);
      expect(docker.deploy.status, `docker stack deploy:\n${docker.deploy.stderr}`).toBe(0);
      expect(Object.keys(docker.stack.services).length).toBeGreaterThan(0);
      expect(other.deploy.status, `${tool} stack deploy:\n${other.deploy.stdout}${other.deploy.stderr}`).toBe(
        0,
      );
      if (tool === "tcompose") expect(withoutDeliberate(other.stack)).toEqual([]);
      const diff = formatDifferences(differences(docker.stack, other.stack));
      const expected = tool === "tcompose" ? (loaderDifferences[fixture.id]?.lines ?? []) : [];
      const why = loaderDifferences[fixture.id]?.why;
      expect(diff.split("\n").filter(Boolean), why ? `${diff}\n(expected: ${why})` : diff).toEqual(expected);
    },
  );
});

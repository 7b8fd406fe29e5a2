import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateValidatorSource, outputUrl, readSchema } from "../../../scripts/gen-schema-validator.mjs";

describe("validate.generated.js", () => {
  it("is up to date with compose.schema.json", () => {
    const fresh = generateValidatorSource(readSchema());
    const checkedIn = readFileSync(outputUrl, "utf8");
    // A plain boolean keeps a 200 kB diff out of the report.
    const upToDate = fresh === checkedIn;
    expect(
      upToDate,
      `${fileURLToPath(outputUrl)} is stale: regenerate it with \`node scripts/gen-schema-validator.mjs\``,
    ).toBe(true);
  });
});

// Fuzzing service-cloud-api over its whole OpenAPI document (see test/fuzz/openapi-fuzz.ts for what
// each case asserts). Replay a run with FUZZ_SEED=<seed printed below>; FUZZ_CLOUD_RUNS sets the size.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudTestApp, createCloudTestApp } from "../service-cloud-api/test/harness.ts";
import { type AuthMode, ChangeTracker, fuzz, fuzzSeed, type OpenApiDoc, unreached } from "./fuzz/openapi-fuzz.ts";

const RUNS = Number(process.env.FUZZ_CLOUD_RUNS ?? 4000);

describe("service-cloud-api under generated requests", () => {
  let t: CloudTestApp;
  let tracker: ChangeTracker;
  const tokens: Partial<Record<AuthMode, string>> = {};

  beforeAll(async () => {
    t = await createCloudTestApp();
    await t.reset();
    tracker = await ChangeTracker.install(t.url);
    tokens.user = await t.token("alice");
    // A token without the object and billing scopes, and a customer of another tenant.
    tokens.admin = await t.token("alice", { scope: "profile:read" });
    tokens.other = await t.token("mallory", { tid: "tenant_b" });
    for (const key of ["a.txt", "b.bin"]) {
      const res = await t.app.request(`/v1/objects/${key}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${tokens.user}`, "content-type": "application/octet-stream" },
        body: "seed object",
      });
      expect(res.status).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await tracker?.uninstall();
    await t?.close();
  });

  it(`answers ${RUNS} generated requests over every operation without a 5xx, a leak or a write after a refusal`, async () => {
    const doc: OpenApiDoc = await (await t.app.request("/openapi.json")).json();
    const seed = fuzzSeed();
    console.info(`service-cloud-api fuzz: seed ${seed} (replay with FUZZ_SEED=${seed}), ${RUNS} cases`);
    const stats = await fuzz(
      {
        fetch: (req) => Promise.resolve(t.app.fetch(req)),
        doc,
        tracker,
        pool: ["a.txt", "b.bin"],
        token: (mode) => tokens[mode],
      },
      RUNS,
      seed,
    );
    console.info(`service-cloud-api fuzz: statuses ${JSON.stringify(stats.byStatus)}`);
    expect(stats.cases).toBe(RUNS);
    expect(unreached(doc, stats)).toEqual([]);
  }, 900_000);
});

// Fuzzing service-auth over its whole OpenAPI document (see test/fuzz/openapi-fuzz.ts for what
// each case asserts). Replay a run with FUZZ_SEED=<seed printed below>; FUZZ_AUTH_RUNS sets the size.

import { workerDatabaseUrl } from "@atlas/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../service-auth/src/app.ts";
import { MemoryRateLimitStore } from "../service-auth/src/services/platform/rate-limit.ts";
import { startBillingApp } from "../service-auth/test/billing-fixtures.ts";
import type { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { loginTestUser } from "../service-auth/test/fixtures.ts";
import type { TestApp } from "../service-auth/test/harness.ts";
import { type AuthMode, ChangeTracker, fuzz, fuzzSeed, type OpenApiDoc, unreached } from "./fuzz/openapi-fuzz.ts";

function rfc6749Error(res: Response, text: string): boolean {
  if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) return false;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === "string" && /^[a-z_]+$/.test(body.error);
  } catch {
    return false;
  }
}

const RUNS = Number(process.env.FUZZ_AUTH_RUNS ?? 6000);

describe("service-auth under generated requests", () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let tracker: ChangeTracker;
  let tokens: Partial<Record<AuthMode, string>> = {};
  let refresh = "";

  async function login() {
    const user = await loginTestUser(t);
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const other = await loginTestUser(t);
    tokens = { user: user.tokens.accessToken, admin: admin.tokens.accessToken, other: other.tokens.accessToken };
    refresh = user.tokens.refreshToken;
  }

  beforeAll(async () => {
    ({ t, stripe } = await startBillingApp());
    await t.reset();
    tracker = await ChangeTracker.install(await workerDatabaseUrl());
    await login();
  });
  afterAll(async () => {
    await tracker?.uninstall();
    await t?.close();
    await stripe?.stop();
  });

  it(`answers ${RUNS} generated requests over every operation without a 5xx, a leak or a write after a refusal`, async () => {
    const doc: OpenApiDoc = await (await t.app.request("/openapi.json")).json();
    const seed = fuzzSeed();
    console.info(`service-auth fuzz: seed ${seed} (replay with FUZZ_SEED=${seed}), ${RUNS} cases`);
    const stats = await fuzz(
      {
        fetch: (req) => Promise.resolve(t.app.fetch(req)),
        doc,
        tracker,
        pool: [],
        token: (mode) => tokens[mode],
        cookie: () => `atlas_refresh_token=${refresh}`,
        // OAuth callbacks and the e-mail link answer browsers with redirects; the token endpoint
        // answers device-code polls with RFC 6749 §5.2 errors ({ error }), as RFC 8628 requires.
        nonProblemOk: (g, res, text) =>
          (res.status >= 300 && res.status < 400) || (g.template === "/auth/token/refresh" && rfc6749Error(res, text)),
        async afterCase(g, res, n) {
          // A successful change may have logged the caller out (logout, session revoke, account deletion).
          if (res.status < 400 && g.method !== "GET" && /logout|session|revoke|\/me$|\/token/.test(g.template)) {
            await login();
          }
          // The clock is fixed: without fresh counters every later case would be a 429.
          if (n % 50 === 0) {
            t.deps.rateLimits = new MemoryRateLimitStore();
            t.app = createApp(t.deps);
          }
        },
      },
      RUNS,
      seed,
    );
    console.info(`service-auth fuzz: statuses ${JSON.stringify(stats.byStatus)}`);
    expect(stats.cases).toBe(RUNS);
    expect(unreached(doc, stats)).toEqual([]);
  }, 900_000);
});

// Fault: service-cloud-api's clock ahead of or behind service-auth's. Real processes; the skew is
// injected through cloud-api's clock (deps.now), which token verification reads.
import { connectPostgres, freePort } from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueOutboxEvent } from "../../packages/outbox/src/index.ts";
import { loadAuthConfig } from "../../service-auth/src/config.ts";
import { buildDeps, closeDeps } from "../../service-auth/src/deps.ts";
import type { StripeSubscriptionInfo } from "../../service-auth/src/providers/stripe-gateway.ts";
import { applyStripeSubscription } from "../../service-auth/src/services/billing/stripe/subscriptions.ts";
import {
  authEnv,
  cloneTestDatabase,
  type Login,
  ROOT,
  type ServiceProcess,
  seedLogins,
  sql,
  startAuth,
  startCloud,
} from "./harness.ts";

const SKEWED_CLOUD = `${ROOT}test/fault/fixtures/skewed-cloud.ts`;
// Access tokens live 60 s here (the shortest allowed), so that a clock 120 s ahead is outside
// exp + the verifier's 30 s leeway, as a clock 120 s behind is outside nbf/iat − 30 s.
const TTL_SEC = 60;
const SKEWS_SEC = [-120, -20, 20, 120];

let db: Awaited<ReturnType<typeof cloneTestDatabase>>;
let auth: ServiceProcess;
const clouds = new Map<number, ServiceProcess>();
let authEnvExtra: Record<string, string>;

beforeAll(async () => {
  db = await cloneTestDatabase("skew");
  authEnvExtra = { PORT: String(await freePort()), ACCESS_TOKEN_TTL_SEC: String(TTL_SEC) };
  // The signing key dates from an hour ago, so that tokens can be issued "a while ago" with it.
  const hourAgo = new Date(Date.now() - 3_600_000);
  await seedLogins(db.url, 0, authEnvExtra, () => hourAgo);
  auth = await startAuth(db.url, authEnvExtra);
  const started = await Promise.all(
    SKEWS_SEC.map((s) =>
      startCloud(db.url, auth.url, { CLOCK_OFFSET_MS: String(s * 1000), JWKS_COOLDOWN_SEC: "0" }, SKEWED_CLOUD),
    ),
  );
  for (const [i, s] of SKEWS_SEC.entries()) clouds.set(s, started[i] as ServiceProcess);
});
afterAll(async () => {
  await Promise.all([...clouds.values()].map((c) => c.stop()));
  await auth?.stop();
  await db?.drop();
});

/** A login's access token, issued `ageSec` ago on service-auth's (the real) clock. */
async function freshToken(ageSec = 0): Promise<string> {
  const issuedAt = new Date(Date.now() - ageSec * 1000);
  const [login] = (await seedLogins(db.url, 1, authEnvExtra, () => issuedAt)) as [Login];
  return login.accessToken;
}
const me = (skew: number, token: string) =>
  fetch(`${clouds.get(skew)?.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });

describe("clock skew between service-auth and service-cloud-api", () => {
  it.each([-20, 20])("%i s (inside the 30 s leeway): a fresh token is accepted", async (skew) => {
    const res = await me(skew, await freshToken());
    expect(res.status).toBe(200);
  });

  it("+20 s: a token 10 s before its exp (already past it on cloud-api's clock) is still accepted: the leeway at work", async () => {
    const res = await me(20, await freshToken(TTL_SEC - 10));
    expect(res.status).toBe(200);
  });

  it("-120 s (cloud-api behind): a fresh token is not yet valid there: 401 INVALID_TOKEN problem+json, never a 500", async () => {
    const res = await me(-120, await freshToken());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it("+120 s (cloud-api ahead): a fresh 60 s token has already expired there: 401 EXPIRED_TOKEN, never a 500", async () => {
    const res = await me(120, await freshToken());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: "EXPIRED_TOKEN" });
  });

  it("no skewed instance answered 5xx or logged an internal error", () => {
    for (const cloud of clouds.values()) {
      expect(cloud.logs().filter((l) => l.msg === "request failed")).toEqual([]);
    }
  });
});

describe("billing events from producers whose clocks disagree", () => {
  it("a later subscription change from an on-time instance wins over an earlier one from an instance 120 s ahead", async () => {
    // Two service-auth instances, one clock 120 s fast, applying Stripe's view of one subscription
    // one after the other (the real code path: the subscription row, then its outbox event).
    const base = buildDeps(
      loadAuthConfig(authEnv(db.url, Number(authEnvExtra.PORT), authEnvExtra)),
      connectPostgres(db.url, "auth", { max: 2 }),
      { logger: createLogger({ name: "skew", level: "silent" }) },
    );
    const ahead = { ...base, now: () => new Date(Date.now() + 120_000) };
    const onTime = { ...base, now: () => new Date() };
    try {
      const [login] = (await seedLogins(db.url, 1, authEnvExtra)) as [Login];
      const profile = await base.prisma.billingProfile.create({
        data: { customerId: login.userId, tenantId: login.tenantId, stripeCustomerId: "cus_skew" },
      });
      const info = (priceId: string): StripeSubscriptionInfo => ({
        id: "sub_skew",
        customerId: "cus_skew",
        status: "active",
        priceId,
        itemId: null,
        currentPeriodStart: new Date(),
        currentPeriodEnd: new Date(Date.now() + 30 * 86_400_000),
        cancelAtPeriodEnd: false,
        canceledAt: null,
      });
      const planOf = async () =>
        (
          await sql<{ planId: string }>(
            db.url,
            `SELECT "planId" FROM "cloud"."cloud_entitlements" WHERE "userId" = $1`,
            [login.userId],
          )
        )[0]?.planId;
      const until = async (what: string, ok: () => Promise<boolean>) => {
        const deadline = Date.now() + 20_000;
        while (!(await ok())) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };

      await base.prisma.$transaction((tx) =>
        applyStripeSubscription(ahead, tx, info("price_pro"), profile, { dedupeKey: "skew-1", planId: "pro" }),
      );
      // Only a consumer whose clock has reached the fast producer's availableAt claims it (the
      // +120 s cloud-api here): such an event is delayed for on-time consumers, never lost.
      await until("the first change at cloud-api", async () => (await planOf()) === "pro");

      await base.prisma.$transaction((tx) =>
        applyStripeSubscription(onTime, tx, info("price_business"), profile, {
          dedupeKey: "skew-2",
          planId: "business",
        }),
      );
      await until(
        "the second change to be consumed",
        async () =>
          (
            await sql(
              db.url,
              `SELECT 1 FROM "billing"."billing_events" WHERE "dedupeKey" = 'subscription.updated:skew-2' AND processed`,
            )
          ).length === 1,
      );
      // The newer change is in force, although its instance's clock stamped it "earlier".
      expect(await planOf()).toBe("business");
      const stamps = await sql<{ createdAt: Date }>(
        db.url,
        `SELECT "createdAt" FROM "billing"."billing_events" WHERE "aggregateKey" = $1 ORDER BY seq`,
        [
          `subscription:${(await base.prisma.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId: "sub_skew" } })).id}`,
        ],
      );
      expect(stamps).toHaveLength(2);
      expect(stamps[1]?.createdAt.getTime()).toBeGreaterThan(stamps[0]?.createdAt.getTime() ?? Infinity);
    } finally {
      await closeDeps(base);
    }
  });

  it("the raw-SQL producer path (enqueueOutboxEvent) keeps createdAt increasing within an aggregate too", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tx = { query: async (text: string, values?: unknown[]) => (await client.query(text, values)).rows };
      const t0 = Date.now();
      const event = (n: number, aggregateKey: string) => ({
        eventType: "fault.skew",
        sourceService: "fault-suite",
        payload: { n },
        dedupeKey: `fault.skew:${aggregateKey}:${n}`,
        aggregateKey,
      });
      await enqueueOutboxEvent(tx, event(1, "fault:a"), new Date(t0 + 120_000));
      await enqueueOutboxEvent(tx, event(2, "fault:a"), new Date(t0));
      await enqueueOutboxEvent(tx, event(3, "fault:b"), new Date(t0));
      const rows = await sql<{ n: number; createdAt: Date; availableAt: Date }>(
        db.url,
        `SELECT (payload->>'n')::int AS n, "createdAt", "availableAt" FROM "billing"."billing_events"
         WHERE "eventType" = 'fault.skew' ORDER BY seq`,
      );
      expect(rows.map((r) => r.createdAt.getTime())).toEqual([t0 + 120_000, t0 + 120_001, t0]);
      // Availability stays on the producer's clock: nothing is held back further.
      expect(rows[1]?.availableAt.getTime()).toBe(t0);
    } finally {
      await client.end();
    }
  });
});

// Issue 21 §5, two of everything: 2 × service-auth and 2 × service-cloud-api as real processes
// (node dist/main.js) on one PostgreSQL and one Redis, clients alternating between the instances.
// Each behaviour below must happen exactly once however many instances share the work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bothFinalizersWaiting, holdInvoiceNumbers, subscribeWithEndedPeriod } from "./two/billing.ts";
import { makeDrift, reconciliationRuns } from "./two/reconcile.ts";
import { INTROSPECTION_FAILURE_LIMIT, jsonPost, type Stack, sql, startStack, until } from "./two/stack.ts";

let stack: Stack;
/** When the webhook URL was set: every deliverable audit row from then on must arrive once. */
let webhooksFrom: Date;

beforeAll(async () => {
  stack = await startStack();
  const res = await fetch(`${stack.auth[1].url}/admin/tenants/${stack.admin.tenantId}`, {
    ...jsonPost({ webhookUrl: stack.webhooks.url }, { authorization: `Bearer ${stack.admin.accessToken}` }),
    method: "PATCH",
  });
  expect(res.status, await res.clone().text()).toBe(200);
  webhooksFrom = new Date(((await res.json()) as { updatedAt: string }).updatedAt);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const instance = (i: number) => ({ auth: stack.auth[i % 2]?.url as string, cloud: stack.cloud[i % 2]?.url as string });
const refresh = (url: string, refreshToken: string) => fetch(`${url}/auth/token/refresh`, jsonPost({ refreshToken }));

/** The sign-in token of the only magic-link e-mail sent to `to`. */
async function magicLinkToken(to: string): Promise<string> {
  const mails = await until(`the sign-in e-mail to ${to}`, async () => {
    const found = stack.resend.received.filter((m) => [m.body.to].flat().includes(to));
    return found.length > 0 ? found : undefined;
  });
  expect(mails).toHaveLength(1);
  const token = /token=([A-Za-z0-9_-]+)/.exec(`${mails[0]?.body.html ?? ""} ${mails[0]?.body.text ?? ""}`)?.[1];
  if (!token) throw new Error("no token in the sign-in e-mail");
  return token;
}

describe("two of everything", () => {
  it("an e-mail login started on one instance completes on the other, once; its tokens work on both cloud-apis", async () => {
    const email = `two-${Date.now()}@example.test`;
    expect((await fetch(`${instance(0).auth}/auth/email/start`, jsonPost({ email }))).status).toBe(202);
    const token = await magicLinkToken(email);
    const login = await fetch(`${instance(1).auth}/auth/email/verify`, jsonPost({ token }));
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    // The link is single-use on every instance.
    const again = await fetch(`${instance(0).auth}/auth/email/verify`, jsonPost({ token }));
    expect(again.status).toBe(401);
    for (const i of [0, 1]) {
      const res = await fetch(`${instance(i).cloud}/v1/entitlements`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(res.status).toBe(200);
    }
    const users = await sql<{ n: number }>(
      stack.databaseUrl,
      `SELECT count(*)::int AS n FROM "auth"."auth_users" WHERE "email" = $1`,
      [email],
    );
    expect(users[0]?.n).toBe(1);
    const logins = await sql<{ n: number }>(
      stack.databaseUrl,
      `SELECT count(*)::int AS n FROM "auth"."auth_audit_logs" a JOIN "auth"."auth_users" u ON u."id" = a."userId"
        WHERE u."email" = $1 AND a."eventType" = 'login_success'`,
      [email],
    );
    expect(logins[0]?.n).toBe(1);
  });

  it("refresh rotates on alternate instances; a token rotated on A and replayed on B revokes the family", async () => {
    const email = `rotate-${Date.now()}@example.test`;
    await fetch(`${instance(1).auth}/auth/email/start`, jsonPost({ email }));
    const login = await fetch(
      `${instance(0).auth}/auth/email/verify`,
      jsonPost({ token: await magicLinkToken(email) }),
    );
    let { refreshToken } = (await login.json()) as { refreshToken: string };
    const chain = [refreshToken];
    for (let i = 0; i < 4; i++) {
      const res = await refresh(instance(i).auth, refreshToken);
      expect(res.status).toBe(200);
      ({ refreshToken } = (await res.json()) as { refreshToken: string });
      chain.push(refreshToken);
    }
    expect(new Set(chain).size).toBe(chain.length);
    // chain[2] was rotated (into chain[3]) on A: presenting it again, on B, is reuse.
    const rotatedOnA = chain[2] as string;
    const replay = await refresh(instance(1).auth, rotatedOnA);
    expect(replay.status).toBe(401);
    // The whole family is gone, on both instances: the newest token too.
    for (const i of [0, 1]) expect((await refresh(instance(i).auth, refreshToken)).status).toBe(401);
    const [session] = await sql<{ revokedAt: Date | null; reason: string | null; reuse: number }>(
      stack.databaseUrl,
      `SELECT s."revokedAt", s."revokedReason" AS reason,
              (SELECT count(*)::int FROM "auth"."auth_audit_logs" a
                WHERE a."userId" = s."userId" AND a."eventType" = 'refresh_token_reuse') AS reuse
         FROM "auth"."auth_sessions" s JOIN "auth"."auth_users" u ON u."id" = s."userId" WHERE u."email" = $1`,
      [email],
    );
    expect(session?.revokedAt).not.toBeNull();
    expect(session?.reason).toBe("reuse_detected");
    expect(session?.reuse).toBe(1);
  });

  it("rate limits count across both instances (Redis), not per instance", async () => {
    const bad = `Basic ${Buffer.from("service-cloud-api:wrong-secret").toString("base64")}`;
    const statuses: number[] = [];
    for (let i = 0; i < INTROSPECTION_FAILURE_LIMIT + 2; i++) {
      const res = await fetch(
        `${instance(i).auth}/auth/token/introspect`,
        jsonPost({ token: "x" }, { authorization: bad }),
      );
      statuses.push(res.status);
    }
    // Each instance saw only half of the attempts: alone, neither would have limited any.
    expect(statuses.slice(0, INTROSPECTION_FAILURE_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(INTROSPECTION_FAILURE_LIMIT)).toEqual([429, 429]);
  });

  it("billing: each event applied once, one invoice per period, one charge per invoice, one dunning e-mail", async () => {
    const numbers0 = await holdInvoiceNumbers(stack);
    let customers: Awaited<ReturnType<typeof subscribeWithEndedPeriod>>;
    try {
      customers = await subscribeWithEndedPeriod(stack, 4);
      // Both instances' finalizers reach the same ended periods while the numbers are held.
      await until("both cloud-api finalizers to wait", async () =>
        (await bothFinalizersWaiting(stack)) ? true : undefined,
      );
    } finally {
      await numbers0.release();
    }
    const settled = async () => {
      const rows = await sql<{ userId: string; invoices: number; charges: number; attempts: number; status: string }>(
        stack.databaseUrl,
        `SELECT i."userId", count(DISTINCT i."id")::int AS invoices, count(c."id")::int AS charges,
                coalesce(max(c."attempts"), 0)::int AS attempts, max(i."status") AS status
           FROM "cloud"."cloud_invoices" i LEFT JOIN "billing"."billing_charges" c ON c."invoiceId" = i."id"
          WHERE i."userId" = ANY($1::text[]) GROUP BY i."userId"`,
        [customers.map((c) => c.userId)],
      );
      const mails = customers.map((c) => stack.resend.received.filter((m) => [m.body.to].flat().includes(c.email)));
      const done =
        rows.length === customers.length &&
        rows.every((r) => r.status === "failed") &&
        mails.every((m) => m.length > 0);
      return done ? { rows, mails } : undefined;
    };
    await until("invoices finalized, charged, failed and dunned", settled, 60_000);
    // Several more runs of every job on both instances: nothing happens twice.
    await new Promise((r) => setTimeout(r, 4_000));
    const { rows, mails } = (await settled()) as NonNullable<Awaited<ReturnType<typeof settled>>>;
    for (const row of rows) expect(row).toMatchObject({ invoices: 1, charges: 1, attempts: 1, status: "failed" });
    for (const m of mails) expect(m).toHaveLength(1);
    const numbers = await sql<{ number: number }>(
      stack.databaseUrl,
      `SELECT "number" FROM "cloud"."cloud_invoices" WHERE "tenantId" = $1 ORDER BY "number"`,
      [stack.admin.tenantId],
    );
    // Gapless and unique although two finalizers ran side by side.
    expect(numbers.map((n) => n.number)).toEqual(numbers.map((_, i) => i + 1));
    const applied = await sql<{ eventId: string; eventType: string; n: number; apps: string }>(
      stack.databaseUrl,
      `SELECT e."id" AS "eventId", e."eventType", count(p."id")::int AS n, string_agg(p.app, ',') AS apps
         FROM "billing"."billing_events" e LEFT JOIN public.two_applied p ON p."eventId" = e."id"
        GROUP BY e."id", e."eventType"`,
    );
    const types = new Set(applied.map((a) => a.eventType));
    expect(types).toEqual(new Set(["subscription.updated", "invoice.finalized", "payment.failed"]));
    for (const a of applied) expect(a, `${a.eventType} ${a.eventId} applied by ${a.apps}`).toMatchObject({ n: 1 });
  });

  it("a tenant setting changed through one instance is seen by both within 1 s of its commit", async () => {
    const current = (url: string) =>
      fetch(`${url}/tenants/current`).then(async (r) => (await r.json()) as { allowedMethods: string[] });
    const before = await Promise.all(stack.auth.map((a) => current(a.url)));
    expect(before[0]?.allowedMethods).toContain("email");
    expect(before[0]?.allowedMethods.length).toBeGreaterThan(1);
    const res = await fetch(`${stack.auth[0].url}/admin/tenants/${stack.admin.tenantId}`, {
      ...jsonPost({ allowedMethods: ["email"] }, { authorization: `Bearer ${stack.admin.accessToken}` }),
      method: "PATCH",
    });
    expect(res.status).toBe(200);
    // updatedAt is stamped inside the committing transaction: the bound is measured from there.
    const committedAt = Date.parse(((await res.json()) as { updatedAt: string }).updatedAt);
    const seen = await Promise.all(
      stack.auth.map((a) =>
        until(`${a.name} to see the change`, async () =>
          (await current(a.url)).allowedMethods.join() === "email" ? Date.now() - committedAt : undefined,
        ),
      ),
    );
    for (const ms of seen) expect(ms).toBeLessThanOrEqual(1_000);
  });

  it("every tenant webhook event is delivered once, whichever instance delivers it", async () => {
    const deliveredIds = async () =>
      (
        await sql<{ id: string }>(
          stack.databaseUrl,
          `SELECT d."auditLogId" AS id FROM "auth"."auth_tenant_webhook_deliveries" d WHERE d."status" = 'delivered'`,
        )
      ).map((r) => r.id);
    const audited = await sql<{ id: string }>(
      stack.databaseUrl,
      `SELECT "id" FROM "auth"."auth_audit_logs" WHERE "createdAt" >= $1 AND "eventType" = ANY($2::text[])`,
      [webhooksFrom, ["login_success", "refresh_token_reuse", "tenant_updated"]],
    );
    expect(audited.length).toBeGreaterThanOrEqual(4);
    await until(
      "every webhook delivered",
      async () => {
        const delivered = new Set(await deliveredIds());
        return audited.every((a) => delivered.has(a.id)) ? true : undefined;
      },
      30_000,
    );
    // Several more worker runs on both instances: nothing is sent again.
    await new Promise((r) => setTimeout(r, 1_500));
    const counts = new Map<string, number>();
    for (const r of stack.webhooks.received) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
    for (const a of audited) expect(counts.get(a.id), a.id).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it("scheduled reconciliation runs once per period across the instances, not once per instance", async () => {
    await makeDrift(stack);
    const since = new Date();
    const windowMs = 6_000;
    await new Promise((r) => setTimeout(r, windowMs));
    const runs = await reconciliationRuns(stack, since);
    // One run per interval (1 s, jitter ±10 %) at most; load only delays timers, never adds runs.
    const most = Math.floor(windowMs / 900) + 1;
    expect(runs.auth).toBeGreaterThan(0);
    expect(runs.cloud).toBeGreaterThan(0);
    expect(runs.auth).toBeLessThanOrEqual(most);
    expect(runs.cloud).toBeLessThanOrEqual(most);
  });

  // Last: a race the database refused (a unique index, a lock timeout) shows up here as a failed job.
  it("no instance logged an error while sharing the work", () => {
    for (const instance of [...stack.auth, ...stack.cloud]) {
      const errors = instance
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } })
        .filter((entry) => entry.level >= 50)
        .map((entry) => `${entry.msg}: ${entry.err?.message ?? ""}`);
      expect(errors, instance.name).toEqual([]);
    }
  });
});

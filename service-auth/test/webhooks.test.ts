// Tenant webhooks: outbox, signatures (verified with the README's recipe), retries, parking,
// secret rotation, and delivery by the background worker, against a real local HTTP receiver.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { scrapeMetric } from "@atlas/service-kit/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordAudit } from "../src/services/audit/audit.service.ts";
import { startTenancyJobs } from "../src/services/tenancy/tenancy-jobs.ts";
import {
  deliverDueWebhooks,
  enqueueTenantWebhook,
  retryDelayMs,
  scanAuditForWebhooks,
  signatureHeader,
  WEBHOOK_SCAN_OVERLAP_MS,
} from "../src/services/tenancy/tenant-webhooks.service.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

/**
 * The verification recipe of README.md ("Tenant webhooks"), as a receiver writes it: HMAC-SHA256
 * with the secret string as key over `${t}.${rawBody}`, compared in constant time with every
 * `v1=` of the header, and a timestamp at most 300 s away.
 */
function verifyAtlasWebhook(rawBody: string, header: string, secret: string, nowSec = Date.now() / 1000): boolean {
  const parts = header.split(",").map((p) => p.split("=") as [string, string]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  const expected = createHmac("sha256", secret).update(`${t}.${rawBody}`).digest();
  return (
    Math.abs(nowSec - t) <= 300 &&
    parts.some(([k, v]) => {
      const got = Buffer.from(v, "hex");
      return k === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
    })
  );
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint on 127.0.0.1 that answers the queued statuses (then 200), or hangs. */
class Receiver {
  readonly requests: Received[] = [];
  answers: number[] = [];
  hang = false;
  private readonly pending: ServerResponse[] = [];
  private server: Server | null = null;
  url = "";

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        if (this.hang) {
          this.pending.push(res);
          return;
        }
        const status = this.answers.shift() ?? 200;
        res.writeHead(status, status === 302 ? { location: `${this.url}/elsewhere` } : {});
        res.end(status === 200 ? "ok" : "no");
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/atlas`;
  }

  async stop() {
    for (const res of this.pending.splice(0)) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({ env: { TENANT_WEBHOOK_TIMEOUT_MS: "500", TENANT_WEBHOOK_MAX_ATTEMPTS: "3" } });
});
beforeEach(async () => {
  await t.reset();
  receiver = new Receiver();
  await receiver.start();
});
afterEach(() => receiver.stop());
afterAll(() => t.close());

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};
const deliver = () => deliverDueWebhooks(t.deps, { now: t.clock.now });
const deliveries = () => t.deps.prisma.tenantWebhookDelivery.findMany({ orderBy: { createdAt: "asc" } });

async function tenantWithWebhook(slug = "acme", webhookUrl: string | null = receiver.url) {
  const admin = await loginTestUser(t, { roles: ["admin"] });
  const res = await t.app.request(
    "/admin/tenants",
    jsonPost(
      {
        name: slug,
        slug,
        allowedOrigins: [],
        allowedMethods: ["email"],
        jwtAudience: `${slug}-api`,
        ...(webhookUrl ? { webhookUrl } : {}),
      },
      admin.auth,
    ),
  );
  expect(res.status).toBe(201);
  return { admin, tenant: (await res.json()) as { id: string; slug: string; webhookSecret: string } };
}

type Payload = {
  id: string;
  type: string;
  createdAt: string;
  tenant: { id: string; slug: string };
  data: { userId: string | null; ipAddress: string; details: Record<string, unknown> };
};

describe("tenant webhooks", () => {
  it("delivers a login event, signed per the documented recipe, and retries after the receiver answers 500", async () => {
    const { tenant } = await tenantWithWebhook();
    const user = await loginTestUser(t, { tenantSlug: "acme" });
    expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(1);
    receiver.answers = [500];
    const failures = () => scrapeMetric(t.app, "tenant_webhook_delivery_failures_total", { reason: "http_5xx" });
    const before = await failures();

    expect(await deliver()).toEqual({ delivered: 0, retried: 1, parked: 0 });
    expect(await failures()).toBe(before + 1);
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500, lastError: "HTTP 500" });
    expect(failed?.availableAt).toEqual(new Date(t.clock.now.getTime() + 10_000));
    // Not due yet.
    expect(await deliver()).toEqual({ delivered: 0, retried: 0, parked: 0 });
    later(10_000);
    expect(await deliver()).toEqual({ delivered: 1, retried: 0, parked: 0 });
    expect((await deliveries())[0]).toMatchObject({
      status: "delivered",
      attempts: 2,
      lastStatus: 200,
      lastError: null,
    });

    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests as [Received, Received];
    const header = String(second.headers["atlas-signature"]);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyAtlasWebhook(second.body, header, tenant.webhookSecret, t.clock.now.getTime() / 1000)).toBe(true);
    expect(
      verifyAtlasWebhook(
        first.body,
        String(first.headers["atlas-signature"]),
        tenant.webhookSecret,
        t.clock.now.getTime() / 1000,
      ),
    ).toBe(true);
    // Tampering, another secret, or a stale timestamp fail the recipe.
    expect(verifyAtlasWebhook(`${second.body} `, header, tenant.webhookSecret, t.clock.now.getTime() / 1000)).toBe(
      false,
    );
    expect(verifyAtlasWebhook(second.body, header, "whsec_other", t.clock.now.getTime() / 1000)).toBe(false);
    expect(verifyAtlasWebhook(second.body, header, tenant.webhookSecret, t.clock.now.getTime() / 1000 + 301)).toBe(
      false,
    );

    const body = JSON.parse(second.body) as Payload;
    expect(body).toMatchObject({
      type: "login_success",
      tenant: { id: tenant.id, slug: "acme" },
      data: { userId: user.user.id, details: { amr: ["email"] } },
    });
    expect(second.headers).toMatchObject({
      "content-type": "application/json",
      "atlas-event-id": body.id,
      "atlas-event-type": "login_success",
      "atlas-delivery-attempt": "2",
    });
    // Same event id and body on every attempt: receivers deduplicate by it.
    expect(first.headers["atlas-event-id"]).toBe(body.id);
    expect(first.body).toBe(second.body);
  });

  it("signs with the old and the new secret during a rotation's grace period", async () => {
    const { admin, tenant } = await tenantWithWebhook();
    const res = await t.app.request(`/admin/tenants/${tenant.id}/webhook-secret`, {
      method: "POST",
      headers: admin.auth,
    });
    const { webhookSecret } = (await res.json()) as { webhookSecret: string };
    await scanAuditForWebhooks(t.deps, t.clock.now);
    expect(await deliver()).toMatchObject({ delivered: 1 });
    const [received] = receiver.requests as [Received];
    expect(JSON.parse(received.body)).toMatchObject({ type: "webhook_secret_rotated" });
    const header = String(received.headers["atlas-signature"]);
    expect(header.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    const now = t.clock.now.getTime() / 1000;
    expect(verifyAtlasWebhook(received.body, header, tenant.webhookSecret, now)).toBe(true);
    expect(verifyAtlasWebhook(received.body, header, webhookSecret, now)).toBe(true);
  });

  it("keeps tenants apart: each tenant's events go to its own URL, signed with its own secret", async () => {
    const a = await tenantWithWebhook("tenant-a");
    const otherReceiver = new Receiver();
    await otherReceiver.start();
    try {
      const b = await tenantWithWebhook("tenant-b", otherReceiver.url);
      await loginTestUser(t, { tenantSlug: "tenant-a" });
      await loginTestUser(t, { tenantSlug: "tenant-b" });
      await loginTestUser(t); // the default tenant has no webhook URL: nothing is enqueued for it
      expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(2);
      expect(await deliver()).toMatchObject({ delivered: 2 });
      const [toA] = receiver.requests as [Received];
      const [toB] = otherReceiver.requests as [Received];
      expect(JSON.parse(toA.body)).toMatchObject({ tenant: { slug: "tenant-a" } });
      expect(JSON.parse(toB.body)).toMatchObject({ tenant: { slug: "tenant-b" } });
      const now = t.clock.now.getTime() / 1000;
      expect(verifyAtlasWebhook(toA.body, String(toA.headers["atlas-signature"]), a.tenant.webhookSecret, now)).toBe(
        true,
      );
      expect(verifyAtlasWebhook(toA.body, String(toA.headers["atlas-signature"]), b.tenant.webhookSecret, now)).toBe(
        false,
      );
    } finally {
      await otherReceiver.stop();
    }
  });

  it("parks a delivery after TENANT_WEBHOOK_MAX_ATTEMPTS failures (errors, redirects, timeouts) with exponential backoff", async () => {
    await tenantWithWebhook();
    await loginTestUser(t, { tenantSlug: "acme" });
    await scanAuditForWebhooks(t.deps, t.clock.now);
    receiver.answers = [503, 302];
    expect(await deliver()).toMatchObject({ retried: 1 });
    later(retryDelayMs(1));
    expect(await deliver()).toMatchObject({ retried: 1 });
    expect((await deliveries())[0]).toMatchObject({ lastStatus: 302, lastError: "HTTP 302" });
    // The redirect was not followed.
    expect(receiver.requests).toHaveLength(2);
    later(retryDelayMs(2));
    receiver.hang = true;
    expect(await deliver()).toMatchObject({ parked: 1 });
    const [parked] = await deliveries();
    expect(parked).toMatchObject({ status: "parked", attempts: 3, lastStatus: null, lastError: "timeout" });
    expect(parked?.parkedAt).toEqual(t.clock.now);
    later(86_400_000);
    expect(await deliver()).toEqual({ delivered: 0, retried: 0, parked: 0 });
    expect(retryDelayMs(1)).toBe(10_000);
    expect(retryDelayMs(2)).toBe(20_000);
    expect(retryDelayMs(30)).toBe(6 * 3_600_000);
    expect(t.logs.join("\n")).not.toContain("whsec_");
  });

  it("never blocks a login: a hanging receiver only delays the background delivery", async () => {
    await tenantWithWebhook();
    receiver.hang = true;
    const started = Date.now();
    await t.app.request("/auth/email/start", jsonPost({ email: "hang@example.test" }, { "x-tenant": "acme" }));
    const items = ((await (await t.app.request("/dev/outbox")).json()) as { items: { token: string }[] }).items;
    const login = await t.app.request(
      "/auth/email/verify",
      jsonPost({ token: items[0]?.token }, { "x-tenant": "acme" }),
    );
    expect(login.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(receiver.requests).toHaveLength(0);
    await scanAuditForWebhooks(t.deps, t.clock.now);
    expect(await deliver()).toMatchObject({ retried: 1 });
    expect((await deliveries())[0]).toMatchObject({ status: "pending", lastError: "timeout" });
  });

  it("parks deliveries whose tenant dropped its webhook URL; enqueues nothing for tenants without one", async () => {
    const { admin, tenant } = await tenantWithWebhook();
    await loginTestUser(t, { tenantSlug: "acme" });
    await scanAuditForWebhooks(t.deps, t.clock.now);
    await t.app.request(`/admin/tenants/${tenant.id}`, {
      ...jsonPost({ webhookUrl: null }, admin.auth),
      method: "PATCH",
    });
    const removed = { reason: "webhook_url_removed" };
    const before = await scrapeMetric(t.app, "tenant_webhook_delivery_failures_total", removed);
    expect(await deliver()).toMatchObject({ parked: 1 });
    expect((await deliveries())[0]).toMatchObject({ status: "parked", lastError: "webhook_url_removed" });
    expect(await scrapeMetric(t.app, "tenant_webhook_delivery_failures_total", removed)).toBe(before + 1);
    // tenant_updated (and later events) of a tenant without a URL are not enqueued.
    later(1_000);
    await loginTestUser(t, { tenantSlug: "acme" });
    expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it("never sends unsigned: a tenant without a secret gets one with its first URL, else deliveries park", async () => {
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const defaultTenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const patchUrl = (webhookUrl: string) =>
      t.app.request(`/admin/tenants/${defaultTenant.id}`, { ...jsonPost({ webhookUrl }, admin.auth), method: "PATCH" });
    const first = await patchUrl(receiver.url);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const { webhookSecret } = (await first.json()) as { webhookSecret?: string };
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(await (await patchUrl(`${receiver.url}/v2`)).json()).not.toHaveProperty("webhookSecret");
    // A tenant row written without the admin API (no secret): its events are parked, not sent.
    const bare = await t.deps.prisma.tenant.create({
      data: {
        slug: "bare",
        name: "Bare",
        allowedOrigins: [],
        allowedMethods: ["email"],
        jwtAudience: "bare",
        webhookUrl: receiver.url,
      },
    });
    await recordAudit(t.deps.prisma, { eventType: "logout", tenantId: bare.id }, t.clock.now);
    await scanAuditForWebhooks(t.deps, t.clock.now);
    await deliver();
    const parked = await t.deps.prisma.tenantWebhookDelivery.findFirstOrThrow({ where: { tenantId: bare.id } });
    expect(parked).toMatchObject({ status: "parked", lastError: "no_signing_secret" });
    expect(receiver.requests.every((r) => JSON.parse(r.body).tenant.slug === "default")).toBe(true);
  });

  it("enqueueTenantWebhook is idempotent and only takes delivered event types of tenants with a URL", async () => {
    const { tenant } = await tenantWithWebhook();
    const write = async (eventType: "logout" | "rate_limited", tenantId: string) => {
      await recordAudit(t.deps.prisma, { eventType, tenantId }, t.clock.now);
      return t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType, tenantId } });
    };
    const logout = await write("logout", tenant.id);
    expect(await enqueueTenantWebhook(t.deps.prisma, { auditLogId: logout.id }, t.clock.now)).toBe(true);
    expect(await enqueueTenantWebhook(t.deps.prisma, { auditLogId: logout.id }, t.clock.now)).toBe(false);
    const limited = await write("rate_limited", tenant.id);
    expect(await enqueueTenantWebhook(t.deps.prisma, { auditLogId: limited.id }, t.clock.now)).toBe(false);
    const defaultTenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const elsewhere = await write("logout", defaultTenant.id);
    expect(await enqueueTenantWebhook(t.deps.prisma, { auditLogId: elsewhere.id }, t.clock.now)).toBe(false);
    // The scan finds the row already enqueued and does not enqueue it again.
    expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(0);
    expect(await t.deps.prisma.tenantWebhookDelivery.count()).toBe(1);
  });

  it("the scan picks up rows committed late within the overlap, resumes from its cursor, and skips history", async () => {
    const { tenant } = await tenantWithWebhook();
    const audit = (at: Date) => recordAudit(t.deps.prisma, { eventType: "logout", tenantId: tenant.id }, at);
    await audit(new Date(t.clock.now.getTime() - WEBHOOK_SCAN_OVERLAP_MS - 1)); // before the first scan's window
    expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(0);
    later(5_000);
    await audit(new Date(t.clock.now.getTime() - 20_000)); // written 20 s ago, committed just now
    await audit(t.clock.now);
    expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(2);
    expect(await scanAuditForWebhooks(t.deps, t.clock.now)).toBe(0);
    const state = await t.deps.prisma.jobState.findUniqueOrThrow({ where: { name: "tenant_webhook_scan" } });
    expect(state.cursorAt).toEqual(t.clock.now);
  });

  it("builds the body at delivery time: an account deleted meanwhile is delivered pseudonymised", async () => {
    await tenantWithWebhook();
    const user = await loginTestUser(t, { tenantSlug: "acme" });
    await t.deps.prisma.authAuditLog.updateMany({ data: { ipAddress: "198.51.100.23" } });
    await scanAuditForWebhooks(t.deps, t.clock.now);
    const del = await t.app.request("/auth/me", { method: "DELETE", headers: { ...user.auth, "x-tenant": "acme" } });
    expect(del.status).toBe(204);
    await scanAuditForWebhooks(t.deps, t.clock.now);
    expect(await deliver()).toMatchObject({ delivered: 2 });
    const bodies = receiver.requests.map((r) => JSON.parse(r.body) as Payload);
    expect(bodies.map((b) => b.type).sort()).toEqual(["account_deleted", "login_success"]);
    expect(bodies.find((b) => b.type === "login_success")?.data.ipAddress).toBe("198.51.100.0");
  });

  it("is delivered by the background worker started with the service", async () => {
    const { tenant } = await tenantWithWebhook();
    await loginTestUser(t, { tenantSlug: "acme" });
    const stop = startTenancyJobs(t.deps, { retentionMs: 3_600_000, webhooksMs: 100 });
    try {
      await expect.poll(() => receiver.requests.length, { timeout: 10_000 }).toBe(1);
      const [received] = receiver.requests as [Received];
      expect(
        verifyAtlasWebhook(
          received.body,
          String(received.headers["atlas-signature"]),
          tenant.webhookSecret,
          t.clock.now.getTime() / 1000,
        ),
      ).toBe(true);
    } finally {
      stop();
    }
  });

  it("formats the signature header", () => {
    const header = signatureHeader(["whsec_new", "whsec_old"], 1_700_000_000, '{"a":1}');
    const mac = (s: string) => createHmac("sha256", s).update('1700000000.{"a":1}').digest("hex");
    expect(header).toBe(`t=1700000000,v1=${mac("whsec_new")},v1=${mac("whsec_old")}`);
  });
});

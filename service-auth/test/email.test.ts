import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxRecord } from "../src/providers/email.ts";
import { FakeResend } from "./fakes/resend.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const start = (body: unknown, app = t, headers: Record<string, string> = {}) =>
  app.app.request("/auth/email/start", jsonPost(body, headers));
const verify = (token: string, headers: Record<string, string> = {}) =>
  t.app.request("/auth/email/verify", jsonPost({ token }, headers));
const outbox = async () => ((await (await t.app.request("/dev/outbox")).json()) as { items: OutboxRecord[] }).items;

describe("e-mail magic links (development outbox)", () => {
  it("start → /dev/outbox → verify → tokens; the first login creates the user", async () => {
    const res = await start({ email: "  New.User@Example.TEST " });
    expect(res.status).toBe(202);
    const [mail] = await outbox();
    expect(mail).toMatchObject({ channel: "email", to: "new.user@example.test", subject: "Your Atlas sign-in link" });
    expect(mail?.link).toBe(`http://localhost:3000/auth/callback?token=${mail?.token}`);
    expect(Buffer.from(mail?.token ?? "", "base64url").length).toBeGreaterThanOrEqual(32);
    const stored = await t.deps.prisma.magicLink.findFirstOrThrow();
    expect(stored.tokenHash).not.toContain(mail?.token ?? "x");
    expect(stored.expiresAt.getTime() - t.clock.now.getTime()).toBe(15 * 60_000);

    const ok = await verify(mail?.token ?? "");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { accessToken: string; refreshToken: string; user: { email: string } };
    expect(body.user.email).toBe("new.user@example.test");
    const user = await t.deps.prisma.user.findFirstOrThrow({ include: { identities: true } });
    expect(user.emailVerifiedAt).toEqual(t.clock.now);
    expect(user.identities.map((i) => [i.provider, i.subject])).toEqual([["email", "new.user@example.test"]]);
    // Same address again: same user, no duplicate.
    await start({ email: "new.user@example.test" });
    const [second] = await outbox();
    expect((await verify(second?.token ?? "")).status).toBe(200);
    expect(await t.deps.prisma.user.count()).toBe(1);
  });

  it("rejects a replayed, an expired and another tenant's link with INVALID_CREDENTIALS, audited", async () => {
    await start({ email: "a@example.test" });
    const [mail] = await outbox();
    expect((await verify(mail?.token ?? "")).status).toBe(200);
    const replay = await verify(mail?.token ?? "");
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });

    await start({ email: "b@example.test" });
    const [late] = await outbox();
    t.clock.now = new Date(t.clock.now.getTime() + 15 * 60_000 + 1);
    expect((await verify(late?.token ?? "")).status).toBe(401);

    await t.deps.prisma.tenant.create({
      data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme" },
    });
    await start({ email: "c@example.test" });
    const [other] = await outbox();
    expect((await verify(other?.token ?? "", { "x-tenant": "acme" })).status).toBe(401);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "login_failure" } })).toBe(3);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "magic_link_requested" } })).toBe(3);
  });

  it("answers the same status and body for existing and unknown addresses", async () => {
    await start({ email: "known@example.test" });
    const [mail] = await outbox();
    await verify(mail?.token ?? "");
    const known = await start({ email: "known@example.test" });
    const unknown = await start({ email: "nobody@example.test" });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    // Each start names its own pending sign-in (codeToken); nothing else differs.
    const shape = async (r: Response) => {
      const { codeToken, ...rest } = (await r.json()) as { codeToken: string };
      return { ...rest, codeTokenLength: codeToken.length };
    };
    expect(await shape(known)).toEqual(await shape(unknown));
  });

  it("accepts redirectTo only on the tenant's allowed origins and sends the link there", async () => {
    const evil = await start({ email: "r@example.test", redirectTo: "https://evil.example/steal" });
    expect(evil.status).toBe(400);
    expect(await evil.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await start({ email: "r@example.test", redirectTo: "javascript:alert(1)" })).status).toBe(400);
    expect(await t.deps.prisma.magicLink.count()).toBe(0);
    const audited = await t.deps.prisma.authAuditLog.findMany({ where: { eventType: "login_failure" } });
    expect(audited.map((a) => a.details)).toEqual([
      expect.objectContaining({ method: "email", reason: "redirect_not_allowed" }),
      expect.objectContaining({ method: "email", reason: "redirect_not_allowed" }),
    ]);
    expect((await start({ email: "r@example.test", redirectTo: "http://127.0.0.1:3000/billing" })).status).toBe(202);
    const [mail] = await outbox();
    expect(mail?.link?.startsWith("http://127.0.0.1:3000/auth/callback?token=")).toBe(true);
    const done = (await (await verify(mail?.token ?? "")).json()) as { redirectTo: string };
    expect(done.redirectTo).toBe("http://127.0.0.1:3000/billing");
  });

  it("refuses bad input and tenants without e-mail login", async () => {
    for (const body of [{ email: "not-an-email" }, { email: "a@b.test", extra: true }, {}]) {
      expect((await start(body)).status).toBe(400);
    }
    expect((await verify("short")).status).toBe(400);
    await t.deps.prisma.tenant.create({
      data: { slug: "walletonly", name: "W", allowedOrigins: [], allowedMethods: ["siwe"], jwtAudience: "w" },
    });
    const res = await start({ email: "a@example.test" }, t, { "x-tenant": "walletonly" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
    expect(await t.deps.prisma.magicLink.count()).toBe(0);
  });

  it("rate-limits starts per address with Retry-After", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) {
      codes.push((await start({ email: "spam@example.test" })).status);
      t.clock.now = new Date(t.clock.now.getTime() + 31_000); // past the resend cooldown
    }
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(codes[10]).toBe(429);
    expect((await start({ email: "other@example.test" })).status).toBe(202);
  });
});

describe("e-mail through the Resend SDK", () => {
  it("sends the link with the tenant's name to Resend's API; provider failures still answer 202", async () => {
    const resend = await FakeResend.start();
    const live = await createTestApp({
      env: { RESEND_API_KEY: "re_test_key", RESEND_BASE_URL: resend.url, EMAIL_FROM: "Atlas <login@atlas.test>" },
    });
    try {
      await live.reset();
      expect(live.deps.devOutbox).not.toBeNull();
      expect((await start({ email: "x@example.test" }, live)).status).toBe(202);
      const [mail] = await resend.waitFor(1);
      expect(mail?.authorization).toBe("Bearer re_test_key");
      expect(mail?.body).toMatchObject({
        from: "Atlas <login@atlas.test>",
        to: "x@example.test",
        subject: "Your Atlas sign-in link",
      });
      expect(mail?.body.html).toContain("http://localhost:3000/auth/callback?token=");
      // Nothing went to the dev outbox: a provider is configured.
      expect(((await (await live.app.request("/dev/outbox")).json()) as { items: unknown[] }).items).toEqual([]);

      resend.failWith = 500;
      expect((await start({ email: "y@example.test" }, live)).status).toBe(202);
      await new Promise((r) => setTimeout(r, 200));
      const log = live.logs.join("");
      expect(log).toContain("magic-link e-mail failed");
      expect(log).not.toContain("/auth/callback?token=");
    } finally {
      await live.close();
      await resend.stop();
    }
  });

  it("has no /dev/outbox in production, and without a provider e-mail login is refused", async () => {
    const prod = await createTestApp({ env: { NODE_ENV: "production" } });
    try {
      await prod.reset();
      expect((await prod.app.request("/dev/outbox")).status).toBe(404);
      const res = await start({ email: "p@example.test" }, prod);
      expect(res.status).toBe(403);
    } finally {
      await prod.close();
    }
  });
});

describe("tokens for browsers of allowed origins", () => {
  it("puts the refresh token in an HttpOnly SameSite=Strict cookie, not the body; refresh and logout use it", async () => {
    await start({ email: "cookie@example.test" });
    const [mail] = await outbox();
    const origin = { origin: "http://localhost:3000" };
    const res = await verify(mail?.token ?? "", origin);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.refreshToken).toBeUndefined();
    expect(body.accessToken).toEqual(expect.any(String));
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^atlas_refresh_token=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/auth/token");
    const cookie = setCookie.split(";")[0] ?? "";

    const refreshed = await t.app.request("/auth/token/refresh", { method: "POST", headers: { ...origin, cookie } });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Record<string, unknown>).refreshToken).toBeUndefined();
    const rotated = (refreshed.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(rotated).not.toBe(cookie);

    const { accessToken } = body as { accessToken: string };
    const out = await t.app.request("/auth/logout", {
      method: "POST",
      headers: { ...origin, authorization: `Bearer ${accessToken}` },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^atlas_refresh_token=; .*Max-Age=0/);
  });

  it("CLIs and servers (no Origin) and foreign origins get the refresh token in the body", async () => {
    await start({ email: "cli@example.test" });
    const [mail] = await outbox();
    const res = await verify(mail?.token ?? "", { origin: "https://evil.example" });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(((await res.json()) as Record<string, unknown>).refreshToken).toEqual(expect.any(String));
  });
});

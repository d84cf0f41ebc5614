// E-mail sign-in, the parts a login page needs besides the link: a resend cooldown per address
// (429 RATE_LIMITED with Retry-After, as SMS), and the mail's 6-digit code, which signs in only the
// pending sign-in that asked for it (its codeToken), once, within 15 minutes and 5 attempts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxRecord } from "../src/providers/email.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

interface Started {
  status: "sent";
  expiresAt: string;
  codeToken: string;
}
const start = (email: string, headers: Record<string, string> = {}) =>
  t.app.request("/auth/email/start", jsonPost({ email }, headers));
const started = async (email: string) => {
  const res = await start(email);
  expect(res.status).toBe(202);
  return (await res.json()) as Started;
};
const verifyCode = (body: unknown, headers: Record<string, string> = {}) =>
  t.app.request("/auth/email/verify-code", jsonPost(body, headers));
const lastMail = async (to: string) => {
  const items = ((await (await t.app.request("/dev/outbox")).json()) as { items: OutboxRecord[] }).items;
  const mail = items.find((m) => m.channel === "email" && m.to === to);
  if (!mail) throw new Error(`no mail to ${to}`);
  return mail;
};
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("resend cooldown per address", () => {
  it("refuses a second link within 30 s with 429 and Retry-After, per address, and allows it after", async () => {
    await started("wait@example.test");
    later(10_000);
    const again = await start("Wait@Example.test");
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toBe("20");
    expect(await again.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect(await t.deps.prisma.magicLink.count()).toBe(1);
    // Another address is not held up.
    expect((await start("other@example.test")).status).toBe(202);
    later(20_000);
    expect((await start("wait@example.test")).status).toBe(202);
    expect(await t.deps.prisma.magicLink.count({ where: { email: "wait@example.test" } })).toBe(2);
  });

  it("does not hold up a new sign-in once the last link was used", async () => {
    await started("again@example.test");
    const { token } = await lastMail("again@example.test");
    expect((await t.app.request("/auth/email/verify", jsonPost({ token }))).status).toBe(200);
    expect((await start("again@example.test")).status).toBe(202);
  });
});

describe("the e-mail's 6-digit code", () => {
  it("is in the mail (and the dev outbox), stored only hashed, and signs in the page that asked", async () => {
    const pending = await started("code@example.test");
    expect(new Date(pending.expiresAt).getTime() - t.clock.now.getTime()).toBe(15 * 60_000);
    const mail = await lastMail("code@example.test");
    expect(mail.code).toMatch(/^\d{6}$/);
    expect(mail.text).toContain(mail.code);
    expect(mail.link).toContain(mail.token);
    const row = await t.deps.prisma.authChallenge.findFirstOrThrow({ where: { kind: "email_code" } });
    expect(JSON.stringify(row)).not.toContain(`"${mail.code}"`);
    expect(JSON.stringify(row)).not.toContain(pending.codeToken);
    expect((row.data as { codeHash: string }).codeHash).toMatch(/^\$argon2id\$/);

    const ok = await verifyCode({ codeToken: pending.codeToken, code: mail.code });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { accessToken: string; user: { email: string }; redirectTo: string | null };
    expect(body.user.email).toBe("code@example.test");
    expect(body.accessToken).toBeTruthy();
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "login_success" } })).toBe(1);
    // Single use, and one e-mail is one sign-in: its link is spent too.
    const replay = await verifyCode({ codeToken: pending.codeToken, code: mail.code });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect((await t.app.request("/auth/email/verify", jsonPost({ token: mail.token }))).status).toBe(401);
  });

  it("leaves the link working as before, and dies when the link is used", async () => {
    const pending = await started("link@example.test");
    const mail = await lastMail("link@example.test");
    const byLink = await t.app.request("/auth/email/verify", jsonPost({ token: mail.token }));
    expect(byLink.status).toBe(200);
    expect(((await byLink.json()) as { user: { email: string } }).user.email).toBe("link@example.test");
    expect((await verifyCode({ codeToken: pending.codeToken, code: mail.code })).status).toBe(401);
  });

  it("works only with its own pending sign-in: another start's codeToken, another tenant, no token", async () => {
    const mine = await started("bound@example.test");
    const { code } = await lastMail("bound@example.test");
    const theirs = await started("attacker@example.test");
    expect((await verifyCode({ codeToken: theirs.codeToken, code })).status).toBe(401);
    await t.deps.prisma.tenant.create({
      data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme" },
    });
    expect((await verifyCode({ codeToken: mine.codeToken, code }, { "x-tenant": "acme" })).status).toBe(401);
    for (const bad of [
      { code },
      { codeToken: mine.codeToken, code: "12345" },
      { codeToken: mine.codeToken, code, x: 1 },
    ]) {
      const res = await verifyCode(bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    }
    expect((await verifyCode({ codeToken: mine.codeToken, code })).status).toBe(200);
  });

  it("dies after 5 wrong attempts, even for the right code, audited as failures", async () => {
    const pending = await started("guess@example.test");
    const { code } = await lastMail("guess@example.test");
    for (let i = 0; i < 5; i++) {
      expect((await verifyCode({ codeToken: pending.codeToken, code: wrong(code ?? "0") })).status).toBe(401);
    }
    const right = await verifyCode({ codeToken: pending.codeToken, code });
    expect([401, 429]).toContain(right.status);
    expect(await t.deps.prisma.user.count({ where: { email: "guess@example.test" } })).toBe(0);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "login_failure" } })).toBeGreaterThanOrEqual(5);
  });

  it("expires with its link after 15 minutes", async () => {
    const pending = await started("late@example.test");
    const { code } = await lastMail("late@example.test");
    later(15 * 60_000);
    expect((await verifyCode({ codeToken: pending.codeToken, code })).status).toBe(401);
  });
});

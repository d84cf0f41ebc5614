// ASVS 2.5.5: the account's address is told when a sign-in factor is added, removed or replaced.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmailMessage, EmailSender } from "../src/providers/email.ts";
import { recordAudit } from "../src/services/audit/audit.service.ts";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import {
  FACTOR_CHANGE_NOTICES,
  SECURITY_NOTICE_LAG_MS,
  sendSecurityNotices,
} from "../src/services/notifications/security-notices.service.ts";
import { jsonPost, loginTestUser, TEST_CONTEXT } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

class CapturingSender implements EmailSender {
  readonly kind = "resend" as const;
  sent: EmailMessage[] = [];
  failing = false;
  async send(message: EmailMessage): Promise<void> {
    if (this.failing) throw new Error("provider down");
    this.sent.push(message);
  }
}

let t: TestApp;
const mail = new CapturingSender();
beforeAll(async () => {
  t = await createTestApp({ deps: { email: mail } });
});
beforeEach(async () => {
  await t.reset();
  mail.sent = [];
  mail.failing = false;
  // The job's first run only places its cursor: changes from before the feature are not announced.
  expect(await sendSecurityNotices(t.deps, t.clock.now)).toBe(0);
});
afterAll(() => t.close());

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
  return t.clock.now;
};
const run = () => sendSecurityNotices(t.deps, later(SECURITY_NOTICE_LAG_MS + 1_000));

describe("factor-change notices", () => {
  it("TOTP turned on over the API: one notice to the account's address, sent once, after the commit lag", async () => {
    const { user, auth } = await loginTestUser(t, { email: "notice@example.test" });
    later(1_000);
    const setup = (await (await t.app.request("/auth/mfa/totp/setup", { method: "POST", headers: auth })).json()) as {
      secret: string;
    };
    const code = totpCode(totpBytesFromBase32(setup.secret), t.clock.now.getTime());
    expect((await t.app.request("/auth/mfa/totp/enable", jsonPost({ code }, auth))).status).toBe(200);
    // Not yet: the change's transaction might still be committing.
    expect(await sendSecurityNotices(t.deps, t.clock.now)).toBe(0);
    expect(await run()).toBe(1);
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({ to: user.email, subject: expect.stringContaining("Security settings") });
    expect(mail.sent[0]?.text).toContain(FACTOR_CHANGE_NOTICES.totp_enabled);
    expect(mail.sent[0]?.text).toMatch(/From: \S+/);
    expect(await run()).toBe(0);
    expect(mail.sent).toHaveLength(1);
  });

  it("announces every factor change type, skips other events and users without an address", async () => {
    const { user } = await loginTestUser(t, { email: "many@example.test" });
    const noEmail = await t.deps.prisma.user.create({ data: { tenantId: user.tenantId, phone: "+15550100000" } });
    const types = Object.keys(FACTOR_CHANGE_NOTICES) as (keyof typeof FACTOR_CHANGE_NOTICES)[];
    for (const eventType of types) {
      later(10);
      await recordAudit(
        t.deps.prisma,
        { eventType, tenantId: user.tenantId, userId: user.id, context: TEST_CONTEXT },
        t.clock.now,
      );
      await recordAudit(t.deps.prisma, { eventType, tenantId: user.tenantId, userId: noEmail.id }, t.clock.now);
    }
    await recordAudit(
      t.deps.prisma,
      { eventType: "login_success", tenantId: user.tenantId, userId: user.id },
      later(10),
    );
    expect(await run()).toBe(types.length);
    expect(mail.sent.map((m) => m.text.split("\n")[0])).toEqual(types.map((e) => FACTOR_CHANGE_NOTICES[e]));
    expect(new Set(mail.sent.map((m) => m.to))).toEqual(new Set([user.email]));
  });

  it("a provider outage delays notices without losing or repeating them", async () => {
    const { user } = await loginTestUser(t, { email: "outage@example.test" });
    for (const eventType of ["passkey_added", "identity_linked"] as const) {
      await recordAudit(t.deps.prisma, { eventType, tenantId: user.tenantId, userId: user.id }, later(10));
    }
    mail.failing = true;
    expect(await run()).toBe(0);
    mail.failing = false;
    expect(await run()).toBe(2);
    expect(await run()).toBe(0);
    expect(mail.sent).toHaveLength(2);
  });

  it("two instances running the job at once send each notice once", async () => {
    const { user } = await loginTestUser(t, { email: "race@example.test" });
    for (let i = 0; i < 5; i++) {
      await recordAudit(
        t.deps.prisma,
        { eventType: "passkey_removed", tenantId: user.tenantId, userId: user.id },
        later(10),
      );
    }
    const now = later(SECURITY_NOTICE_LAG_MS + 1_000);
    const results = await Promise.all([sendSecurityNotices(t.deps, now), sendSecurityNotices(t.deps, now)]);
    expect(results.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await sendSecurityNotices(t.deps, later(1_000))).toBe(0);
    expect(mail.sent).toHaveLength(5);
  });

  it("a change rolled back sends nothing", async () => {
    const { user } = await loginTestUser(t, { email: "rollback@example.test" });
    await t.deps.prisma
      .$transaction(async (tx) => {
        await recordAudit(tx, { eventType: "totp_disabled", tenantId: user.tenantId, userId: user.id }, later(10));
        throw new Error("the change failed");
      })
      .catch(() => undefined);
    expect(await run()).toBe(0);
    expect(mail.sent).toHaveLength(0);
  });
});

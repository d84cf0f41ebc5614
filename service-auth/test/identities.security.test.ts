// Unlinked addresses (issue 18 §2): once an e-mail address or phone number is unlinked, whoever
// controls it next (a recycled number, a lost mailbox) must not reach the account through it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const EMAIL = "owner@example.test";
const PHONE = "+14155550123";
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

interface OutboxItem {
  channel: string;
  token?: string;
  code?: string;
  subject: string | null;
}
const outbox = async () => ((await (await t.app.request("/dev/outbox")).json()) as { items: OutboxItem[] }).items;

/** A magic-link login to `email`: the verify response. */
async function emailLogin(email: string) {
  expect((await t.app.request("/auth/email/start", jsonPost({ email }))).status).toBe(202);
  const token = (await outbox()).find((i) => i.channel === "email" && i.subject?.includes("sign-in link"))?.token;
  return t.app.request("/auth/email/verify", jsonPost({ token }));
}

/** An SMS-code login to `phone`: the verify response. */
async function smsLogin(phone: string) {
  later(61_000); // past the resend cooldown
  expect((await t.app.request("/auth/sms/start", jsonPost({ phone }))).status).toBe(202);
  const code = (await outbox()).find((i) => i.channel === "sms")?.code;
  return t.app.request("/auth/sms/verify", jsonPost({ phone, code }));
}

/** The owner: signed up by e-mail, then linked a phone with its texted code. */
async function ownerWithEmailAndPhone() {
  const signup = await emailLogin(EMAIL);
  expect(signup.status).toBe(200);
  const body = (await signup.json()) as { accessToken: string; user: { id: string } };
  const auth = { authorization: `Bearer ${body.accessToken}` };
  expect((await t.app.request("/auth/identities/sms/start", jsonPost({ phone: PHONE }, auth))).status).toBe(202);
  const code = (await outbox()).find((i) => i.channel === "sms")?.code;
  expect((await t.app.request("/auth/identities/sms/verify", jsonPost({ phone: PHONE, code }, auth))).status).toBe(201);
  const identities = await t.deps.prisma.identity.findMany({ where: { userId: body.user.id } });
  const idOf = (provider: string) => identities.find((i) => i.provider === provider)?.id ?? "";
  return { auth, userId: body.user.id, emailId: idOf("email"), phoneId: idOf("sms") };
}

const unlink = (auth: Record<string, string>, id: string) =>
  t.app.request(`/auth/identities/${id}`, { method: "DELETE", headers: auth });

describe("unlinked addresses", () => {
  it("a magic link to an unlinked e-mail address does not open the account (primary-address fallback)", async () => {
    const owner = await ownerWithEmailAndPhone();
    expect((await unlink(owner.auth, owner.emailId)).status).toBe(204);
    // The address leaves the primary column too, with its verified flag.
    expect(await t.deps.prisma.user.findUniqueOrThrow({ where: { id: owner.userId } })).toMatchObject({
      email: null,
      emailVerifiedAt: null,
      phone: PHONE,
    });

    // Whoever controls the mailbox now logs in to a new account, never the owner's.
    const attacker = await emailLogin(EMAIL);
    expect(attacker.status).toBe(200);
    const body = (await attacker.json()) as { user: { id: string; email: string } };
    expect(body.user.id).not.toBe(owner.userId);
    expect(body.user.email).toBe(EMAIL);
    expect(await t.deps.prisma.identity.count({ where: { userId: owner.userId, provider: "email" } })).toBe(0);
    // The owner still logs in with the phone.
    const phoneLogin = await smsLogin(PHONE);
    expect(((await phoneLogin.json()) as { user: { id: string } }).user.id).toBe(owner.userId);
  });

  it("an SMS code to an unlinked phone number does not open the account (recycled number)", async () => {
    const owner = await ownerWithEmailAndPhone();
    expect((await t.deps.prisma.user.findUniqueOrThrow({ where: { id: owner.userId } })).phone).toBe(PHONE);
    expect((await unlink(owner.auth, owner.phoneId)).status).toBe(204);
    expect(await t.deps.prisma.user.findUniqueOrThrow({ where: { id: owner.userId } })).toMatchObject({
      phone: null,
      phoneVerifiedAt: null,
      email: EMAIL,
    });
    const attacker = await smsLogin(PHONE);
    expect(attacker.status).toBe(200);
    expect(((await attacker.json()) as { user: { id: string } }).user.id).not.toBe(owner.userId);
  });

  it("a primary address that is not a sign-in method opens nothing (no column fallback)", async () => {
    const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    // An account whose primary address is not one of its identities (as the fallback left them).
    const holder = await t.deps.prisma.user.create({
      data: { tenantId: tenant.id, email: EMAIL, emailVerifiedAt: t.clock.now },
    });
    const res = await emailLogin(EMAIL);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "CONFLICT" });
    expect(await t.deps.prisma.session.count()).toBe(0);
    expect(await t.deps.prisma.user.count()).toBe(1);
    expect(await t.deps.prisma.identity.count({ where: { userId: holder.id } })).toBe(0);
    const failure = await t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType: "login_failure" } });
    expect(failure.details).toMatchObject({ method: "email", reason: "address_not_linked" });
  });
});

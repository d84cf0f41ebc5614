import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxRecord } from "../src/providers/email.ts";
import { FakeTwilio } from "./fakes/twilio.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const PHONE = "+14155550123";
const start = (phone: string, app = t) => app.app.request("/auth/sms/start", jsonPost({ phone }));
const verify = (code: string, phone = PHONE) => t.app.request("/auth/sms/verify", jsonPost({ phone, code }));
const lastCode = async () =>
  ((await (await t.app.request("/dev/outbox")).json()) as { items: OutboxRecord[] }).items.find(
    (i) => i.channel === "sms",
  )?.code ?? "";
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");
const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};

describe("SMS one-time codes", () => {
  it("start → code in the outbox → verify → tokens; first login creates the user", async () => {
    expect((await start(" +1 415 555 0123")).status).toBe(400);
    expect((await start(PHONE)).status).toBe(202);
    const code = await lastCode();
    expect(code).toMatch(/^\d{6}$/);
    const stored = await t.deps.prisma.otpCode.findFirstOrThrow();
    expect(stored.codeHash).toMatch(/^\$argon2id\$/);
    expect(stored.expiresAt.getTime() - t.clock.now.getTime()).toBe(10 * 60_000);
    const res = await verify(code);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { phone: string } }).user.phone).toBe(PHONE);
    const user = await t.deps.prisma.user.findFirstOrThrow({ include: { identities: true } });
    expect(user.phoneVerifiedAt).toEqual(t.clock.now);
    expect(user.identities.map((i) => i.provider)).toEqual(["sms"]);
    const replay = await verify(code);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
  });

  it("the 6th attempt fails even with the right code; expired codes fail; all audited", async () => {
    await start(PHONE);
    const code = await lastCode();
    for (let i = 0; i < 5; i++) expect((await verify(wrong(code))).status).toBe(401);
    expect((await verify(code)).status).toBe(401);
    later(31_000);
    await start(PHONE);
    const fresh = await lastCode();
    later(10 * 60_000 + 1);
    expect((await verify(fresh)).status).toBe(401);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "login_failure" } })).toBe(7);
  });

  it("parallel guesses cannot exceed the attempt budget", async () => {
    await start(PHONE);
    const code = await lastCode();
    const results = await Promise.all(Array.from({ length: 12 }, () => verify(wrong(code))));
    // Refused, every one: wrong code, or (once 10 failures from this IP are counted) backing off.
    expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const row = await t.deps.prisma.otpCode.findFirstOrThrow();
    expect(row.attempts).toBe(5);
    // This IP now waits; from another address the right code is refused too: it is dead.
    expect((await verify(code)).status).toBe(429);
    const elsewhere = await t.app.request("/auth/sms/verify", jsonPost({ phone: PHONE, code }), {
      incoming: { socket: { remoteAddress: "198.51.100.20" } },
    });
    expect(elsewhere.status).toBe(401);
  });

  it("enforces the resend cooldown with Retry-After, and a new code kills the old one", async () => {
    await start(PHONE);
    const first = await lastCode();
    const again = await start(PHONE);
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toBe("30");
    later(30_000);
    expect((await start(PHONE)).status).toBe(202);
    const second = await lastCode();
    if (first !== second) expect((await verify(first)).status).toBe(401);
    expect((await verify(second)).status).toBe(200);
  });

  it("sends through the Twilio SDK to Twilio's Messages API", async () => {
    const fake = await FakeTwilio.start();
    const live = await createTestApp({
      env: {
        TWILIO_ACCOUNT_SID: "ACtest",
        TWILIO_AUTH_TOKEN: "tok3n",
        TWILIO_FROM: "+15005550006",
        TWILIO_BASE_URL: fake.url,
      },
    });
    try {
      await live.reset();
      expect((await start(PHONE, live)).status).toBe(202);
      const [sms] = await fake.waitFor(1);
      expect(sms).toMatchObject({ accountSid: "ACtest", to: PHONE, from: "+15005550006" });
      expect(sms?.authorization).toBe(`Basic ${Buffer.from("ACtest:tok3n").toString("base64")}`);
      const code = /(\d{6}) is your Atlas sign-in code/.exec(sms?.body ?? "")?.[1] ?? "";
      expect((await live.app.request("/auth/sms/verify", jsonPost({ phone: PHONE, code }))).status).toBe(200);
    } finally {
      await live.close();
      await fake.stop();
    }
  });
});

// One scenario through every kind of auth event, then one assertion: the audit log has a row for
// each event type the defence-in-depth issue lists (login success/failure per method, MFA,
// refresh reuse, sessions, PATs, passkeys, identities, tenants, billing).
import { constants, createHash, generateKeyPairSync, sign } from "node:crypto";
import bs58 from "bs58";
import nacl from "tweetnacl";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { billingHeaders, startBillingApp } from "./billing-fixtures.ts";
import { OAuthPeer } from "./fakes/oauth-peer.ts";
import type { FakeStripe } from "./fakes/stripe.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import type { TestApp } from "./harness.ts";
import { SoftAuthenticator } from "./soft-authenticator.ts";

const ORIGIN = "http://localhost:3000";
let t: TestApp;
let stripe: FakeStripe;
let peer: OAuthPeer;
beforeAll(async () => {
  peer = await OAuthPeer.start("http://auth.test");
  ({ t, stripe } = await startBillingApp(peer.env()));
  await t.reset();
});
afterAll(async () => {
  await t.close();
  await stripe.stop();
  await peer.stop();
});

const later = (ms: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + ms);
};
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, jsonPost(body, headers));
const outbox = async () =>
  ((await (await t.app.request("/dev/outbox")).json()) as { items: { to: string; token?: string; code?: string }[] })
    .items;

function caipMessage(chain: "Solana" | "Arweave", address: string, nonce: string, chainId: string) {
  return [
    `localhost:3000 wants you to sign in with your ${chain} account:`,
    address,
    "",
    "Sign in",
    "",
    `URI: ${ORIGIN}`,
    "Version: 1",
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${t.clock.now.toISOString()}`,
  ].join("\n");
}
const nonceOf = async (method: string) =>
  ((await (await t.app.request(`/auth/${method}/nonce`)).json()) as { nonce: string }).nonce;

describe("the audit log covers every auth event type", () => {
  it("records each listed event type at least once", async () => {
    // E-mail: success and failure.
    await post("/auth/email/start", { email: "audit@example.test" });
    const token = (await outbox()).find((m) => m.token)?.token;
    const login = (await (await post("/auth/email/verify", { token })).json()) as {
      accessToken: string;
      refreshToken: string;
      user: { id: string };
    };
    const auth = { authorization: `Bearer ${login.accessToken}` };
    await post("/auth/email/verify", { token: "x".repeat(43) });

    // SMS: link a phone (identity_linked), log in with it, fail once.
    await post("/auth/identities/sms/start", { phone: "+14155550123" }, auth);
    const linkCode = (await outbox()).find((m) => m.code)?.code;
    expect((await post("/auth/identities/sms/verify", { phone: "+14155550123", code: linkCode }, auth)).status).toBe(
      201,
    );
    later(31_000);
    await post("/auth/sms/start", { phone: "+14155550123" });
    const smsCode = (await outbox()).find((m) => m.code)?.code;
    expect((await post("/auth/sms/verify", { phone: "+14155550123", code: smsCode })).status).toBe(200);
    await post("/auth/sms/verify", { phone: "+14155550123", code: "000000" });

    // Wallets: a success and a failure each.
    const eth = privateKeyToAccount(generatePrivateKey());
    const siwe = [
      "localhost:3000 wants you to sign in with your Ethereum account:",
      eth.address,
      "",
      "Sign in",
      "",
      `URI: ${ORIGIN}`,
      "Version: 1",
      "Chain ID: 1",
      `Nonce: ${await nonceOf("siwe")}`,
      `Issued At: ${t.clock.now.toISOString()}`,
    ].join("\n");
    expect(
      (await post("/auth/siwe/verify", { message: siwe, signature: await eth.signMessage({ message: siwe }) })).status,
    ).toBe(200);
    await post("/auth/siwe/verify", { message: siwe, signature: await eth.signMessage({ message: `${siwe}x` }) });

    const sol = nacl.sign.keyPair();
    const solAddress = bs58.encode(sol.publicKey);
    const siws = caipMessage("Solana", solAddress, await nonceOf("siws"), "mainnet");
    const solSig = bs58.encode(nacl.sign.detached(new TextEncoder().encode(siws), sol.secretKey));
    expect((await post("/auth/siws/verify", { message: siws, signature: solSig, publicKey: solAddress })).status).toBe(
      200,
    );
    await post("/auth/siws/verify", { message: siws, signature: solSig, publicKey: solAddress });

    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
    const n = rsa.publicKey.export({ format: "jwk" }).n as string;
    const arAddress = createHash("sha256").update(Buffer.from(n, "base64url")).digest("base64url");
    const ar = caipMessage("Arweave", arAddress, await nonceOf("arweave"), "arweave:mainnet");
    const arSig = (message: string) =>
      sign("sha256", createHash("sha256").update(message).digest(), {
        key: rsa.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString("base64url");
    expect((await post("/auth/arweave/verify", { message: ar, signature: arSig(ar), publicKey: n })).status).toBe(200);
    await post("/auth/arweave/verify", { message: ar, signature: arSig(`${ar}!`), publicKey: n });

    // OAuth: a GitHub login, and a callback without the browser's cookie.
    peer.accounts.set("octo", { id: "octo", email: "octo@example.test", emailVerified: true });
    const started = await t.app.request("/auth/oauth/github/start");
    const cookie = (started.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    const back = await peer.authorize(started.headers.get("location") ?? "", "octo");
    expect((await t.app.request(`${back.pathname}${back.search}`, { headers: { cookie } })).status).toBe(302);
    await t.app.request(`${back.pathname}${back.search}`);

    // Passkeys: add one, log in with it, fail with an unknown one, remove it.
    const authenticator = new SoftAuthenticator(ORIGIN);
    const regOptions = await post("/auth/passkey/register/options", {}, { ...auth, origin: ORIGIN });
    const reg = await post(
      "/auth/passkey/register/verify",
      { response: authenticator.create((await regOptions.json()) as never) },
      { ...auth, origin: ORIGIN },
    );
    const passkey = (await reg.json()) as { id: string };
    const loginOptions = async () =>
      (await (await post("/auth/passkey/login/options", {}, { origin: ORIGIN })).json()) as never;
    expect(
      (await post("/auth/passkey/login/verify", { response: authenticator.get(await loginOptions()) })).status,
    ).toBe(200);
    await post("/auth/passkey/login/verify", { response: new SoftAuthenticator(ORIGIN).get(await loginOptions()) });
    expect((await t.app.request(`/auth/passkeys/${passkey.id}`, { method: "DELETE", headers: auth })).status).toBe(204);

    // PATs, sessions, refresh reuse, unlinking.
    const pat = (await (await post("/auth/pats", { name: "ci", scopes: ["profile:read"] }, auth)).json()) as {
      id: string;
    };
    expect((await t.app.request(`/auth/pats/${pat.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    const other = await loginTestUser(t);
    expect(
      (await t.app.request(`/auth/sessions/${other.tokens.sessionId ?? ""}`, { method: "DELETE", headers: other.auth }))
        .status,
    ).toBe(204);
    const spare = await loginTestUser(t);
    expect((await post("/auth/token/refresh", { refreshToken: spare.tokens.refreshToken })).status).toBe(200);
    later(60_000);
    await post("/auth/token/refresh", { refreshToken: spare.tokens.refreshToken });
    const identities = (await (await t.app.request("/auth/me", { headers: auth })).json()) as {
      identities: { id: string; provider: string }[];
    };
    const phone = identities.identities.find((i) => i.provider === "sms");
    expect((await t.app.request(`/auth/identities/${phone?.id}`, { method: "DELETE", headers: auth })).status).toBe(
      204,
    );

    // Billing: an action that takes effect.
    const billing = await t.app.request("/billing/customer", {
      method: "POST",
      headers: billingHeaders(auth),
      body: "{}",
    });
    expect(billing.status).toBeLessThan(300);

    // Tenants: an admin changes the tenant.
    const admin = await loginTestUser(t, { roles: ["admin"] });
    const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const patched = await t.app.request(`/admin/tenants/${tenant.id}`, {
      method: "PATCH",
      body: JSON.stringify({ name: "Atlas Cloud" }),
      headers: { ...admin.auth, "content-type": "application/json" },
    });
    expect(patched.status).toBe(200);

    // MFA last (afterwards, step-up would guard the operations above).
    const setup = (await (await post("/auth/mfa/totp/setup", {}, auth)).json()) as { secret: string };
    const key = totpBytesFromBase32(setup.secret);
    expect((await post("/auth/mfa/totp/enable", { code: totpCode(key, t.clock.now.getTime()) }, auth)).status).toBe(
      200,
    );
    later(60_000);
    await post("/auth/email/start", { email: "audit@example.test" });
    const second = (await outbox()).find((m) => m.token)?.token;
    const challenge = (await (await post("/auth/email/verify", { token: second })).json()) as { mfaToken: string };
    const right = totpCode(key, t.clock.now.getTime());
    await post("/auth/mfa/verify", { mfaToken: challenge.mfaToken, code: right === "123456" ? "654321" : "123456" });
    expect((await post("/auth/mfa/verify", { mfaToken: challenge.mfaToken, code: right })).status).toBe(200);

    // The log: every listed type, and login success/failure for every method.
    const rows = await t.deps.prisma.authAuditLog.findMany({ select: { eventType: true, details: true } });
    const types = new Set(rows.map((r) => r.eventType));
    for (const type of [
      "login_success",
      "login_failure",
      "mfa_challenge",
      "mfa_success",
      "mfa_failure",
      "refresh_token_reuse",
      "session_revoked",
      "pat_created",
      "pat_revoked",
      "passkey_added",
      "passkey_removed",
      "identity_linked",
      "identity_unlinked",
      "tenant_updated",
      "billing_action",
      "totp_enabled",
    ]) {
      expect(types, type).toContain(type);
    }
    const methodsOf = (eventType: string) =>
      new Set(
        rows
          .filter((r) => r.eventType === eventType)
          .flatMap((r) => {
            const d = r.details as { method?: string; amr?: string[] };
            return d.method ? [d.method] : (d.amr ?? []);
          }),
      );
    expect([...methodsOf("login_failure")].sort()).toEqual(
      expect.arrayContaining(["arweave", "email", "oauth:github", "passkey", "siwe", "siws", "sms"]),
    );
    expect([...methodsOf("login_success")].sort()).toEqual(
      expect.arrayContaining(["email", "fed", "hwk", "sms", "wallet", "otp", "mfa"]),
    );
  });
});

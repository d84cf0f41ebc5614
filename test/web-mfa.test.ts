// The MFA step of a login in the web-app, in Chromium against the real service-auth: TOTP,
// backup codes, a passkey as second factor, "trust this device", the OAuth callback's MFA
// fragment, the tenant's required enrolment (totp_setup) and the risk-based e-mail link.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthPeer } from "../service-auth/test/fakes/oauth-peer.ts";
import {
  addPasskey,
  api,
  apiEmailLogin,
  emailLogin,
  enableTotp,
  signOut,
  skipBrowser,
  startWebStack,
  totpNow,
  type WebStack,
} from "./web/harness.ts";

describe.skipIf(skipBrowser)("web-app: the MFA challenge after a login", () => {
  let stack: WebStack;
  let peer: OAuthPeer;

  beforeAll(async () => {
    stack = await startWebStack({
      env: async ({ authUrl }) => {
        peer = await OAuthPeer.start(authUrl);
        return peer.env();
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await peer?.stop();
  });

  it("asks for a TOTP code, refuses a wrong one, takes a backup code, and trusts the device when asked", async () => {
    const email = "totp-user@example.test";
    const { secret, backupCodes } = await enableTotp(stack, await apiEmailLogin(stack, email));
    const page = await stack.newPage();

    await emailLogin(stack, page, email);
    await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/`); // the link's token left the address bar
    await stack.screenshot(page, "mfa-challenge");
    await page.getByLabel("Authentication code").fill((await totpNow(secret, Date.now() - 90_000)) ?? "");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("That wasn't accepted").waitFor();
    await page.getByLabel("Authentication code").fill(await totpNow(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("You're signed in").waitFor();
    await signOut(page);

    // A backup code instead; the page says how many are left.
    await emailLogin(stack, page, email);
    await page.getByRole("radio", { name: "Backup code" }).check();
    await page.getByRole("textbox", { name: "Backup code" }).fill(backupCodes[0] ?? "");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("You're signed in").waitFor();
    await page.getByText("9 codes are left").waitFor();
    await signOut(page);

    // "Trust this device": the next login from this browser skips the step.
    await emailLogin(stack, page, email);
    await page.getByLabel("Authentication code").fill(await totpNow(secret, Date.now() + 30_000));
    await page.getByLabel(/Trust this device/).check();
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("You're signed in").waitFor();
    await signOut(page);
    await emailLogin(stack, page, email);
    await page.getByText("You're signed in").waitFor();
    const trusted = await stack.t.deps.prisma.trustedDevice.count({ where: { revokedAt: null } });
    expect(trusted).toBe(1);
    await page.close();
  });

  it("takes a passkey as the second factor", async () => {
    const email = "passkey-mfa@example.test";
    const token = await apiEmailLogin(stack, email);
    await enableTotp(stack, token);
    const page = await stack.newPage();
    await addPasskey(stack, page, token);
    // Straight to the link: on the sign-in page, conditional UI would offer (and Chromium's virtual
    // authenticator would at once pick) the passkey, which is a login of its own.
    await api(stack, "/auth/email/start", { body: { email } });
    await page.goto((await stack.lastMessage("email", email)).link ?? "");
    await page.getByRole("radio", { name: "Passkey" }).check();
    await page.getByRole("button", { name: "Use passkey" }).click();
    await page.getByText("You're signed in").waitFor();
    const me = await stack.t.deps.prisma.session.findFirstOrThrow({
      where: { user: { email }, revokedAt: null },
      orderBy: { createdAt: "desc" },
    });
    expect(me.amr).toEqual(expect.arrayContaining(["email", "hwk", "mfa"]));
    await page.close();
  });

  it("shows the OAuth callback's error, and continues its MFA fragment to a signed-in page", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/?error=CONFLICT`);
    await page.getByText("That account is already linked to another user.").waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/`);

    const email = "oauth-mfa@example.test";
    const { secret } = await enableTotp(stack, await apiEmailLogin(stack, email));
    peer.accounts.set("oauth-mfa", { id: "oauth-mfa", email, emailVerified: true, name: "OAuth MFA" });
    await page.getByRole("link", { name: "Google" }).click();
    // The provider's own (development) login and consent pages.
    await page.locator('input[name="login"]').fill("oauth-mfa");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/`); // neither ?error nor #mfaToken stays in the address bar
    await page.getByLabel("Authentication code").fill(await totpNow(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("You're signed in").waitFor();
    expect((await page.locator("strong").textContent())?.trim()).toBe(email);
    await page.close();
  });

  it("enrols TOTP at login when the tenant requires MFA, and shows the backup codes once", async () => {
    await stack.setTenantSettings({ mfa: "required" });
    try {
      const page = await stack.newPage();
      await emailLogin(stack, page, "must-enrol@example.test");
      await page.getByRole("heading", { name: "Set up two-step verification" }).waitFor();
      await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
      const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
      await stack.screenshot(page, "mfa-enrol");
      await page.getByLabel("Code from the app").fill(await totpNow(secret));
      await page.getByRole("button", { name: "Turn on and continue" }).click();
      await page.getByRole("heading", { name: "Save your backup codes" }).waitFor();
      expect(await page.getByRole("list", { name: "Backup codes" }).getByRole("listitem").count()).toBe(10);
      await page.getByRole("button", { name: /continue/ }).click();
      await page.getByText("You're signed in").waitFor();
      await page.close();
    } finally {
      await stack.setTenantSettings({});
    }
  });

  it("asks a risky sign-in without a second factor to confirm through a fresh e-mail link", async () => {
    const email = "risky@example.test";
    const phone = "+14155550142";
    await apiEmailLogin(stack, email);
    // The phone, linked as /auth/identities/sms/verify links it (that flow has its own tests; doing
    // it here would put the login's SMS inside the resend cooldown).
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    await stack.t.deps.prisma.user.update({ where: { id: user.id }, data: { phone, phoneVerifiedAt: new Date() } });
    await stack.t.deps.prisma.identity.create({
      data: { tenantId: user.tenantId, userId: user.id, provider: "sms", subject: phone },
    });
    await stack.setTenantSettings({ risk: { challengeAt: 0 } });
    try {
      const page = await stack.newPage();
      await page.goto(`${stack.webUrl}/`);
      await page.getByRole("button", { name: "Continue with phone" }).click();
      await page.getByLabel("Phone").fill(phone);
      await page.getByRole("button", { name: "Text me a code" }).click();
      await page.getByLabel("Code").waitFor();
      const sms = await stack.lastMessage("sms", phone);
      await page.getByLabel("Code").fill(sms.code ?? "");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
      await page.getByText("confirm this sign-in with the link we just e-mailed you").waitFor();
      await page.goto((await stack.lastMessage("email", email)).link ?? "");
      await page.getByText("You're signed in").waitFor();
      await page.close();
    } finally {
      await stack.setTenantSettings({});
    }
  });
});

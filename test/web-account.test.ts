// The account pages of the web-app in Chromium against the real service-auth: profile and linked
// identities (link e-mail, phone and GitHub; unlink), passkeys (add, rename, delete), TOTP with
// its QR code and backup codes (copy, download), step-up before a sensitive action, trusted
// devices, sessions (revoke, log out everywhere), personal access tokens (scopes, expiry, shown
// once, revoke; used at the real service-cloud-api) and the activity log with its risk flags
// explained.
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../service-auth/src/services/audit/audit.service.ts";
import { OAuthPeer } from "../service-auth/test/fakes/oauth-peer.ts";
import { INTROSPECTION_SECRET } from "../service-auth/test/harness.ts";
import {
  apiEmailLogin,
  emailLogin,
  enableTotp,
  skipBrowser,
  startWebStack,
  totpNow,
  virtualAuthenticator,
  type WebStack,
} from "./web/harness.ts";

describe.skipIf(skipBrowser)("web-app: account pages", () => {
  let stack: WebStack;
  let peer: OAuthPeer;

  beforeAll(async () => {
    stack = await startWebStack({
      env: async ({ authUrl }) => {
        peer = await OAuthPeer.start(authUrl);
        return peer.env();
      },
    });
    await stack.browser.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.webUrl });
  });
  afterAll(async () => {
    await stack?.close();
    await peer?.stop();
  });

  const tab = (page: Page, name: string) =>
    page.getByRole("navigation", { name: "Account" }).getByRole("link", { name });
  const userOf = (email: string) => stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });

  it("shows the profile and links and unlinks e-mail, phone and GitHub", async () => {
    const email = "profile@example.test";
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("heading", { name: "Profile and sign-in methods" }).waitFor();
    const methods = page.getByRole("region", { name: "Sign-in methods" });
    await methods.getByText(email).waitFor();
    await stack.screenshot(page, "account-profile");

    // The only way in cannot be removed: the reason shows instead of the button.
    await methods.getByText("Your only way to sign in").waitFor();
    expect(await methods.getByRole("button", { name: "Remove" }).count()).toBe(0);

    // A phone, confirmed with the texted code.
    const phone = "+14155550177";
    await page.getByLabel("New phone number").fill(phone);
    await page.getByRole("button", { name: "Text me a code" }).click();
    await page.getByLabel("Code from the text").fill((await stack.lastMessage("sms", phone)).code ?? "");
    await page.getByRole("button", { name: "Add phone" }).click();
    await methods.getByRole("listitem").filter({ hasText: phone }).waitFor();

    // A second address, confirmed through the link mailed to it.
    const second = "profile-second@example.test";
    await page.getByLabel("New e-mail address").fill(second);
    await page.getByRole("button", { name: "Send confirmation link" }).click();
    await page.getByText("Check that inbox").waitFor();
    const link = (await stack.outbox()).find((m) => m.to === second)?.link ?? "";
    expect(link).toContain("/account/link-email?token=");
    await page.goto(link);
    await page.getByText(`${second} was added to your account.`).waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/account`);
    await methods.getByText(second).waitFor();

    // GitHub, through the provider and back with ?linked=github.
    peer.accounts.set("octo-link", { id: "octo-link", name: "Octo" });
    await page.getByRole("button", { name: "Connect GitHub" }).click();
    await page.locator('input[name="login"]').fill("octo-link");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.getByText("GitHub is now linked to your account.").waitFor();
    await methods.getByText("GitHub", { exact: true }).waitFor();

    // Unlink the phone.
    const phoneRow = methods.getByRole("listitem").filter({ hasText: phone });
    await phoneRow.getByRole("button", { name: "Remove" }).click();
    await phoneRow.getByRole("button", { name: "Remove", exact: true }).last().click();
    await phoneRow.waitFor({ state: "detached" });
    const user = await userOf(email);
    const providers = (await stack.t.deps.prisma.identity.findMany({ where: { userId: user.id } })).map(
      (i) => i.provider,
    );
    expect(providers.sort()).toEqual(["email", "email", "oauth:github"]);
    await page.close();
  });

  it("adds, renames and deletes a passkey; sets up TOTP with backup codes; steps up before a token", async () => {
    const email = "security@example.test";
    const page = await stack.newPage();
    await virtualAuthenticator(stack, page);
    await emailLogin(stack, page, email);
    await tab(page, "Security").click();
    await page.getByRole("heading", { name: "Security", exact: true }).waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/account/security`);

    const passkeys = page.getByRole("region", { name: "Passkeys" });
    await passkeys.getByText("You have no passkeys yet.").waitFor();
    await page.getByLabel("Name for a new passkey").fill("Test laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await passkeys.getByText("Passkey “Test laptop” added.").waitFor();
    await passkeys.getByRole("button", { name: "Rename Test laptop" }).click();
    await page.getByLabel("New name for Test laptop").fill("Work laptop");
    await passkeys.getByRole("button", { name: "Save" }).click();
    await passkeys.getByText("Work laptop", { exact: true }).waitFor();
    const user = await userOf(email);
    expect(
      (await stack.t.deps.prisma.webAuthnCredential.findFirstOrThrow({ where: { userId: user.id } })).friendlyName,
    ).toBe("Work laptop");

    // TOTP: QR code, secret, code → ten backup codes, copied and downloaded.
    const twoStep = page.getByRole("region", { name: "Two-step verification" });
    await twoStep.getByRole("button", { name: "Set up an authenticator app" }).click();
    await twoStep.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    await page.getByLabel("Code from the app").fill(await totpNow(secret, Date.now() - 30_000));
    await twoStep.getByRole("button", { name: "Turn on" }).click();
    const codes = twoStep.getByRole("list", { name: "Backup codes" }).getByRole("listitem");
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    const firstCode = (await codes.first().textContent()) ?? "";
    await stack.screenshot(page, "account-backup-codes");
    await twoStep.getByRole("button", { name: "Copy codes" }).click();
    await twoStep.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toContain(firstCode);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      twoStep.getByRole("button", { name: "Download codes" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("atlas-backup-codes.txt");
    expect(readFileSync((await download.path()) ?? "", "utf8")).toContain(firstCode);
    await twoStep.getByRole("button", { name: "Done" }).click();
    await twoStep.getByText("10 backup codes left").waitFor();

    // The step-up: this session's MFA proof is old, so creating a token asks for the factor first.
    const session = await stack.t.deps.prisma.session.findFirstOrThrow({
      where: { userId: user.id, revokedAt: null },
      orderBy: { createdAt: "desc" },
    });
    await stack.t.deps.prisma.session.update({ where: { id: session.id }, data: { mfaVerifiedAt: new Date(0) } });
    await tab(page, "Access tokens").click();
    await page.getByLabel("Token name").fill("After step-up");
    await page.getByRole("button", { name: "Create token" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm it's you" });
    await dialog.getByRole("heading", { name: "Confirm it's you" }).waitFor();
    await stack.screenshot(page, "account-step-up");
    await dialog.getByLabel("Authentication code").fill(await totpNow(secret));
    await dialog.getByRole("button", { name: "Verify" }).click();
    await page.getByText("Token “After step-up” created").waitFor();

    // Deleting the passkey (recent MFA now) works.
    await tab(page, "Security").click();
    await passkeys.getByRole("button", { name: "Delete" }).click();
    await passkeys.getByRole("button", { name: "Delete passkey" }).click();
    await passkeys.getByText("You have no passkeys yet.").waitFor();

    // Adding a passkey needs the same recent MFA: the dialog asks first, then the device registers.
    await stack.t.deps.prisma.session.update({ where: { id: session.id }, data: { mfaVerifiedAt: new Date(0) } });
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await dialog.getByRole("heading", { name: "Confirm it's you" }).waitFor();
    // The next 30-second step: this one's code was just spent on the token's step-up.
    await dialog.getByLabel("Authentication code").fill(await totpNow(secret, Date.now() + 30_000));
    await dialog.getByRole("button", { name: "Verify" }).click();
    await passkeys.getByText("Passkey “Passkey” added.").waitFor();
    expect(await stack.t.deps.prisma.webAuthnCredential.count({ where: { userId: user.id } })).toBe(1);
    await page.close();
  });

  it("lists trusted devices and sessions; revokes one; logs out everywhere", async () => {
    const email = "sessions@example.test";
    const token = await apiEmailLogin(stack, email);
    const { secret } = await enableTotp(stack, token);
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByLabel("Authentication code").fill(await totpNow(secret));
    await page.getByLabel(/Trust this device/).check();
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("You're signed in").waitFor();

    await tab(page, "Security").click();
    const devices = page.getByRole("region", { name: "Trusted devices" });
    await devices.getByText("this device").waitFor();
    await devices.getByRole("button", { name: "Stop trusting" }).click();
    await devices.getByRole("button", { name: "Stop trusting" }).last().click();
    await devices.getByText("No trusted devices.").waitFor();

    await tab(page, "Sessions").click();
    const list = page.getByRole("region", { name: "Where you're signed in" });
    await list.getByText("this device").waitFor();
    const other = list.getByRole("listitem").filter({ hasText: "Script or CLI" });
    await other.first().waitFor();
    expect(await list.getByRole("listitem").count()).toBe(2);
    await stack.screenshot(page, "account-sessions");
    await other.getByRole("button", { name: "Revoke" }).click();
    await other.getByRole("button", { name: "Revoke session" }).click();
    await other.waitFor({ state: "detached" });
    expect((await fetch(`${stack.authUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );

    // "Also revoke access tokens" sends includePats: the audit row counts PATs (null when not asked).
    await page.getByLabel("Also revoke access tokens").check();
    await page.getByRole("button", { name: "Log out everywhere" }).click();
    await page.getByRole("button", { name: "Log out everywhere" }).last().click();
    await page.getByRole("button", { name: "Continue", exact: true }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Continue", exact: true }).waitFor();
    const user = await userOf(email);
    expect(await stack.t.deps.prisma.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    const logoutAll = await stack.t.deps.prisma.authAuditLog.findFirstOrThrow({
      where: { userId: user.id, eventType: "logout_all" },
    });
    expect(logoutAll.details).toMatchObject({ pats: 0, trustedDevices: 0 });
    await page.close();
  });

  it("creates a token with scopes and expiry, shows it once, and revokes it", async () => {
    const page = await stack.newPage();
    await emailLogin(stack, page, "tokens@example.test");
    await tab(page, "Access tokens").click();
    await page.getByText("No tokens yet.").waitFor();
    await page.getByLabel("Token name").fill("Backup script");
    await page.getByLabel(/Read stored objects/).check();
    await page.getByLabel(/Read usage/).check();
    await page.getByLabel("Expires after").selectOption({ label: "7 days" });
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = (await page.getByTestId("new-token").textContent()) ?? "";
    expect(secret).toMatch(/^atlas_pat_/);
    await stack.screenshot(page, "account-token-created");
    await page.getByRole("button", { name: "Copy token" }).click();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);

    const introspect = async () =>
      (await (
        await fetch(`${stack.authUrl}/auth/token/introspect`, {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`service-cloud-api:${INTROSPECTION_SECRET}`).toString("base64")}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ token: secret }),
        })
      ).json()) as { active: boolean; scope?: string; exp?: number };
    const live = await introspect();
    expect(live.active).toBe(true);
    expect(live.scope?.split(" ").sort()).toEqual(["objects:read", "profile:read", "usage:read"]);
    expect((live.exp ?? 0) * 1000 - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    // The PAT at the real service-cloud-api: verified by introspection, with its scopes only.
    const atCloud = (path: string, token = secret) =>
      fetch(`${stack.cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const me = await atCloud("/v1/me");
    expect(me.status).toBe(200);
    const user = await userOf("tokens@example.test");
    expect(await me.json()).toMatchObject({
      sub: user.id,
      tid: user.tenantId,
      method: "pat",
      scopes: expect.arrayContaining(["profile:read", "objects:read", "usage:read"]),
    });
    expect((await atCloud("/v1/objects")).status).toBe(200); // objects:read
    const write = await fetch(`${stack.cloud.url}/v1/objects/not-allowed.txt`, {
      method: "PUT",
      headers: { authorization: `Bearer ${secret}` },
      body: "x",
    });
    expect(write.status).toBe(403); // no objects:write
    expect(((await write.json()) as { code: string }).code).toBe("FORBIDDEN");

    await page.getByRole("button", { name: "I've saved it" }).click();
    await page.getByTestId("new-token").waitFor({ state: "detached" });
    const row = page.getByRole("listitem").filter({ hasText: "Backup script" });
    await row.getByText(/profile:read, objects:read, usage:read/).waitFor();
    expect(await page.content()).not.toContain(secret); // shown once
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("No tokens yet.").waitFor();
    expect((await introspect()).active).toBe(false);
    // cloud-api caches an active introspection answer for up to 30 s (auth-verify's positive TTL):
    // the revoked PAT is refused there once that runs out.
    let revoked = await atCloud("/v1/me");
    for (const deadline = Date.now() + 40_000; revoked.status === 200 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 1_000));
      revoked = await atCloud("/v1/me");
    }
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { code: string }).code).toBe("INVALID_TOKEN");
    const stored = (await page.evaluate(
      "JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })",
    )) as string;
    expect(stored).not.toMatch(/eyJ|atlas_pat_|token/i); // tokens live in memory only
    await page.close();
  });

  it("lists the user's security events with risk flags explained", async () => {
    const email = "activity@example.test";
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByText("You're signed in").waitFor();
    const user = await userOf(email);
    // A risky sign-in as the risk service records it (what made it risky is in `reasons`).
    await recordAudit(
      stack.t.deps.prisma,
      {
        eventType: "risk_challenge",
        tenantId: user.tenantId,
        userId: user.id,
        context: {
          ipAddress: "203.0.113.9",
          userAgent: "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0",
          deviceHash: "other-device",
          riskScore: 0.9,
          geo: { country: "NZ", city: null, latitude: null, longitude: null },
        },
        details: { score: 0.9, reasons: ["impossible_travel", "new_device"], outcome: "email_link" },
      },
      new Date(),
    );
    await tab(page, "Activity").click();
    const events = page.getByRole("region", { name: "Recent security activity" });
    await events.getByText("Signed in").first().waitFor();
    await events.getByText("Unusual sign-in — extra proof asked").waitFor();
    await events.getByText("Risk high (0.9) — why?").click();
    await events.getByText("too far from your last sign-in to have travelled there in time").waitFor();
    await events.getByText("first sign-in from this browser or device").waitFor();
    await stack.screenshot(page, "account-activity");
    await page.close();
  });
});

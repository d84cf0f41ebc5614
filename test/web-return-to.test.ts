// Issue 22, path 3: a signed-out visit to an app page (`/device?user_code=…`, `/billing`, an
// account tab) shows the sign-in page, says why, and after signing in lands on that exact page
// and query: through the magic link's round trip, the OAuth provider's, a passkey, a wallet, and
// an MFA step in between (which survives a reload). A `?next=` elsewhere is refused.
// In Chromium against the real service-auth and cloud-api, at both window sizes.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthPeer } from "../service-auth/test/fakes/oauth-peer.ts";
import {
  addPasskey,
  api,
  apiEmailLogin,
  enableTotp,
  signOut,
  skipBrowser,
  startWebStack,
  totpNow,
  type WebStack,
} from "./web/harness.ts";
import { newWalletKeys, walletInitScript } from "./web/wallets.ts";

const PENDING_MFA_KEY = "atlas.pending-mfa";
/** The tab's kept MFA step (sessionStorage), as the page sees it. */
const pendingMfa = (page: Page) =>
  page.evaluate(`sessionStorage.getItem(${JSON.stringify(PENDING_MFA_KEY)})`) as Promise<string | null>;

describe.skipIf(skipBrowser)("web-app: sign-in returns you where you were going", () => {
  let stack: WebStack;
  let peer: OAuthPeer;
  let methods: string[] = [];

  beforeAll(async () => {
    stack = await startWebStack({
      env: async ({ authUrl }) => {
        peer = await OAuthPeer.start(authUrl);
        return peer.env();
      },
    });
    methods = (await stack.t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } }))
      .allowedMethods as string[];
  });
  afterAll(async () => {
    await stack?.close();
    await peer?.stop();
  });

  /** Starts an e-mail sign-in from the page as it is (Enter in the field, whatever the button says). */
  async function startEmail(page: Page, email: string): Promise<string> {
    const before = (await stack.outbox()).length;
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Email").press("Enter");
    for (let i = 0; i < 50 && (await stack.outbox()).length === before; i++) await page.waitForTimeout(100);
    return (await stack.lastMessage("email", email)).link ?? "";
  }

  const reason = (page: Page) => page.locator("p.reason");
  const activeTab = (page: Page) => page.locator('nav.tabs [aria-current="page"]');

  it("/device?user_code=… through the magic link lands on the approval page with the code filled", async () => {
    const email = "return-device@example.test";
    const grant = await api<{ user_code: string; verification_uri_complete: string }>(stack, "/auth/device/code", {
      body: { client_id: "atlas-cli", hostname: "build-box", scope: "profile:read" },
    });
    expect(grant.verification_uri_complete).toBe(`${stack.webUrl}/device?user_code=${grant.user_code}`);
    const page = await stack.newPage();
    await page.goto(grant.verification_uri_complete);
    // The page names who asks, from service-auth (GET /auth/device/preview): the client, the host.
    await reason(page).getByText("Sign in to approve Atlas CLI on build-box").waitFor();
    await stack.screenshot(page, "return-to-device-sign-in");

    const link = await startEmail(page, email);
    // The link has the fixed shape (api.md); the page to come back to rides in the flow.
    expect(link.startsWith(`${stack.webUrl}/auth/callback?token=`)).toBe(true);
    await page.goto(link);
    await page.getByText("wants access to your account").waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/device?user_code=${grant.user_code}`);
    const request = (await page.locator("section.card .notice").first().textContent()) ?? "";
    expect(request).toContain("build-box");
    expect(request).toContain(grant.user_code);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Approved.").waitFor();
    await page.close();
  });

  it("/billing through the OAuth provider lands on billing", async () => {
    peer.accounts.set("biller", { id: "biller", email: "biller@example.test", emailVerified: true, name: "Biller" });
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/billing`);
    await reason(page).getByText("Sign in to continue to Billing").waitFor();
    const href = (await page.getByRole("link", { name: "GitHub" }).getAttribute("href")) ?? "";
    expect(new URL(href).searchParams.get("redirectTo")).toBe(`${stack.webUrl}/billing`);
    await page.getByRole("link", { name: "GitHub" }).click();
    await page.locator('input[name="login"]').fill("biller");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await activeTab(page).getByText("Billing").waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/billing`);
    await page.close();
  });

  it("an account tab through a passkey, and a ?next= page through an Ethereum wallet, land there", async () => {
    const email = "return-passkey@example.test";
    const token = await apiEmailLogin(stack, email);
    const page = await stack.newPage();
    await addPasskey(stack, page, token);
    // The button only (no e-mail field, so conditional UI cannot sign in first).
    await stack.setAllowedMethods(["passkey", "siwe"]);
    try {
      await page.goto(`${stack.webUrl}/account/sessions?view=all`);
      await reason(page).getByText("Sign in to continue to Sessions").waitFor();
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await activeTab(page).getByText("Sessions").waitFor();
      expect(page.url()).toBe(`${stack.webUrl}/account/sessions?view=all`);
      await page.close();

      const wallet = await stack.newPage();
      await wallet.addInitScript({ content: await walletInitScript(newWalletKeys()) });
      await wallet.goto(`${stack.webUrl}/?next=${encodeURIComponent("/account/tokens")}`);
      await reason(wallet).getByText("Sign in to continue to Access tokens").waitFor();
      await wallet.getByRole("button", { name: "Ethereum · Test Wallet" }).click();
      await activeTab(wallet).getByText("Access tokens").waitFor();
      expect(wallet.url()).toBe(`${stack.webUrl}/account/tokens`);
      await wallet.close();
    } finally {
      await stack.setAllowedMethods(methods);
    }
  });

  it("an MFA step in between, reloaded, still lands there; the code field has the focus", async () => {
    const email = "return-mfa@example.test";
    const { secret } = await enableTotp(stack, await apiEmailLogin(stack, email));
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/account/activity`);
    await reason(page).getByText("Sign in to continue to Activity").waitFor();
    await page.goto(await startEmail(page, email));
    const code = page.getByLabel("Authentication code");
    await code.waitFor();
    // The challenge is answered on the page the sign-in started from.
    expect(page.url()).toBe(`${stack.webUrl}/account/activity`);
    const focused = async () => (await page.evaluate("document.activeElement?.id")) === (await code.getAttribute("id"));
    expect(await focused()).toBe(true);

    await page.reload();
    await code.waitFor();
    expect(await focused()).toBe(true);
    expect(page.url()).toBe(`${stack.webUrl}/account/activity`);
    await stack.screenshot(page, "return-to-mfa-after-reload");
    await code.fill(await totpNow(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await activeTab(page).getByText("Activity").waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/account/activity`);
    // Cleared on success: nothing of the sign-in is left in the tab's storage.
    expect(await pendingMfa(page)).toBeNull();
    await signOut(page);

    // An expired pending step is not resumed; a cancelled one is forgotten. (Other accounts: one
    // address gets a new link only every so often.)
    const expiring = "return-mfa-expiring@example.test";
    await enableTotp(stack, await apiEmailLogin(stack, expiring));
    await page.goto(`${stack.webUrl}/billing`);
    await page.goto(await startEmail(page, expiring));
    await code.waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/billing`);
    const stored = JSON.parse((await pendingMfa(page)) ?? "{}") as { mfaToken: string; expiresAt: number };
    expect(stored.mfaToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    stored.expiresAt = Date.now() - 1;
    await page.evaluate(
      `sessionStorage.setItem(${JSON.stringify(PENDING_MFA_KEY)}, ${JSON.stringify(JSON.stringify(stored))})`,
    );
    await page.reload();
    await reason(page).getByText("Sign in to continue to Billing").waitFor();
    expect(await code.count()).toBe(0);
    expect(await pendingMfa(page)).toBeNull();

    const cancelling = "return-mfa-cancelling@example.test";
    await enableTotp(stack, await apiEmailLogin(stack, cancelling));
    await page.goto(await startEmail(page, cancelling));
    await code.waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await pendingMfa(page)).toBeNull();
    await page.reload();
    await reason(page).getByText("Sign in to continue to Billing").waitFor();
    expect(await code.count()).toBe(0);
    await page.close();
  });

  it("/device?user_code=… through OAuth with an MFA step (reloaded) keeps the code to approve", async () => {
    const email = "return-oauth-mfa@example.test";
    const { secret } = await enableTotp(stack, await apiEmailLogin(stack, email));
    peer.accounts.set("oauth-mfa-back", { id: "oauth-mfa-back", email, emailVerified: true, name: "Back" });
    const grant = await api<{ user_code: string; verification_uri_complete: string }>(stack, "/auth/device/code", {
      body: { client_id: "atlas-cli", hostname: "ci-runner" },
    });
    const page = await stack.newPage();
    await page.goto(grant.verification_uri_complete);
    await page.getByRole("link", { name: "Google" }).click();
    await page.locator('input[name="login"]').fill("oauth-mfa-back");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    const code = page.getByLabel("Authentication code");
    await code.waitFor();
    // Neither ?error nor #mfaToken stays in the address bar; the page's own query does.
    expect(page.url()).toBe(grant.verification_uri_complete);
    await page.reload();
    await code.fill(await totpNow(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("wants access to your account").waitFor();
    expect(page.url()).toBe(grant.verification_uri_complete);
    expect(await page.locator("section.card .notice").first().textContent()).toContain("ci-runner");
    await page.close();
  });

  it("refuses an open redirect: ?next= to another origin lands on the account", async () => {
    const page = await stack.newPage();
    const attempts = ["https://evil.test", "//evil.test/billing", "/\\evil.test", "javascript:alert(1)"];
    for (const [i, next] of attempts.entries()) {
      const email = `return-evil-${i}@example.test`;
      await page.goto(`${stack.webUrl}/?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Email").waitFor();
      expect(await reason(page).count()).toBe(0);
      const href = (await page.getByRole("link", { name: "GitHub" }).getAttribute("href")) ?? "";
      expect(new URL(href).searchParams.get("redirectTo")).toBe(stack.webUrl);
      await page.goto(await startEmail(page, email));
      await page.getByText("You're signed in").waitFor();
      expect(page.url()).toBe(`${stack.webUrl}/account`);
      await signOut(page);
    }
    // A page of this app is honoured.
    await page.goto(`${stack.webUrl}/?next=${encodeURIComponent("/billing")}`);
    await page.goto(await startEmail(page, "return-next@example.test"));
    await activeTab(page).getByText("Billing").waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/billing`);
    await page.close();
  });
});

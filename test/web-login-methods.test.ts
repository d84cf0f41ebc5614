// Every login method of the web-app's sign-in page in Chromium against the real service-auth:
// only the tenant's methods are offered; OAuth through a local provider; passkeys with the button
// and with conditional UI (autofill on the e-mail field); Ethereum (EIP-1193 wallets discovered
// through EIP-6963), Solana (Wallet Standard) and Arweave wallets injected into the page, which
// really sign.
import { decodeJwt } from "jose";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthPeer } from "../service-auth/test/fakes/oauth-peer.ts";
import { addPasskey, apiEmailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";
import { newWalletKeys, walletInitScript } from "./web/wallets.ts";

const ALL = [
  "email",
  "sms",
  "siwe",
  "siws",
  "arweave",
  "passkey",
  "oauth:google",
  "oauth:github",
  "oauth:discord",
  "oauth:twitter",
  "oauth:oidc",
];

describe.skipIf(skipBrowser)("web-app: login methods", () => {
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

  /** The session the page holds, read from the service (the page keeps its token in memory only). */
  async function latestSession(userId: string) {
    return stack.t.deps.prisma.session.findFirstOrThrow({
      where: { userId, revokedAt: null },
      orderBy: { createdAt: "desc" },
    });
  }

  async function signedInPage(page: Page) {
    await page.getByText("You're signed in").waitFor();
    // No token in web storage, ever.
    const stored = await page.evaluate("JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })");
    expect(stored).not.toMatch(/eyJ|atlas_|refresh/i);
  }

  it("offers exactly the tenant's methods", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    for (const name of ["Google", "GitHub", "Discord", "X (Twitter)", "Single sign-on"]) {
      await page.getByRole("link", { name }).waitFor();
    }
    await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    expect(await page.getByLabel("Email").getAttribute("autocomplete")).toBe("username webauthn");
    await stack.screenshot(page, "login-all-methods");
    await page.setViewportSize({ width: 375, height: 800 });
    await stack.screenshot(page, "login-phone-width");
    const overflow = await page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
    expect(overflow).toBe(false);

    await stack.setAllowedMethods(["email", "oauth:github"]);
    try {
      await page.reload();
      await page.getByRole("link", { name: "GitHub" }).waitFor();
      expect(await page.getByRole("link", { name: "Google" }).count()).toBe(0);
      expect(await page.getByLabel("Phone").count()).toBe(0);
      expect(await page.getByRole("button", { name: /passkey|wallet|Ethereum|Solana|Arweave/ }).count()).toBe(0);
      expect(await page.getByLabel("Email").getAttribute("autocomplete")).toBe("email");
    } finally {
      await stack.setAllowedMethods(ALL);
    }
    await page.close();
  });

  it("signs in with GitHub through the provider and back (refresh cookie → session)", async () => {
    peer.accounts.set("octo", { id: "octo", email: "octo@example.test", emailVerified: true, name: "Octo" });
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("link", { name: "GitHub" }).click();
    await page.locator('input[name="login"]').fill("octo");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await signedInPage(page);
    expect((await page.locator("strong").textContent())?.trim()).toBe("octo@example.test");
    expect(page.url()).toBe(`${stack.webUrl}/account`);
    await page.close();
  });

  it("signs in with the tenant's OpenID Connect provider (single sign-on)", async () => {
    // The web-app's list of methods comes from service-auth's manifests: its hand-written copy
    // lacked oauth:oidc, so a tenant's SSO was never offered.
    peer.accounts.set("sso", { id: "sso", email: "sso@example.test", emailVerified: true, name: "Sso" });
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("link", { name: "Single sign-on" }).click();
    await page.locator('input[name="login"]').fill("sso");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await signedInPage(page);
    const identity = await stack.t.deps.prisma.identity.findFirstOrThrow({ where: { provider: "oauth:oidc" } });
    expect(identity.subject).toBe("sso");
    expect((await latestSession(identity.userId)).amr).toEqual(["fed"]);
    await page.close();
  });

  it("signs in with a passkey: the button, then conditional UI on the e-mail field", async () => {
    const email = "passkey-login@example.test";
    const token = await apiEmailLogin(stack, email);
    const userId = decodeJwt(token).sub as string;
    const page = await stack.newPage();
    await addPasskey(stack, page, token);
    // The button (no e-mail method here, so no conditional UI that could win the race).
    await stack.setAllowedMethods(["passkey"]);
    try {
      await page.goto(`${stack.webUrl}/`);
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await signedInPage(page);
      expect((await latestSession(userId)).amr).toEqual(["hwk"]);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    } finally {
      await stack.setAllowedMethods(ALL);
    }

    // Conditional UI: the sign-in page keeps an autofill request pending on the e-mail field;
    // picking the passkey from its suggestions signs in with no button (Chromium's virtual
    // authenticator picks the only one itself).
    await page.reload();
    // (Chromium's virtual authenticator may answer before the field is even focused.)
    await page
      .getByLabel("Email")
      .click({ timeout: 3_000 })
      .catch(() => {});
    await signedInPage(page);
    const sessions = await stack.t.deps.prisma.session.count({ where: { userId, amr: { equals: ["hwk"] } } });
    expect(sessions).toBe(2);
    await page.close();
  });

  it("signs in with an Ethereum wallet chosen among those EIP-6963 announced", async () => {
    const keys = newWalletKeys();
    const page = await stack.newPage();
    await page.addInitScript({ content: await walletInitScript(keys) });
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("button", { name: "Ethereum · Other Wallet" }).waitFor();
    await page.getByRole("button", { name: "Ethereum · Test Wallet" }).click();
    await signedInPage(page);
    const log = (await page.evaluate("window.__walletLog")) as { wallet: string; method: string }[];
    expect(log.filter((l) => l.method === "personal_sign")).toEqual([
      { wallet: "Test Wallet", method: "personal_sign" },
    ]);
    const addresses = (await page.evaluate("window.__walletAddresses")) as Record<string, string>;
    const address = addresses["Test Wallet"] ?? "none";
    const identity = await stack.t.deps.prisma.identity.findFirstOrThrow({ where: { provider: "siwe" } });
    expect(identity.subject.toLowerCase()).toContain(address.toLowerCase());
    expect((await latestSession(identity.userId)).amr).toEqual(["wallet"]);
    await page.close();
  });

  it("signs in with a Solana wallet (Wallet Standard) and an Arweave wallet", async () => {
    const page = await stack.newPage();
    await page.addInitScript({ content: await walletInitScript(newWalletKeys()) });
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("button", { name: "Solana (Test Solana)" }).click();
    await signedInPage(page);
    const sol = await stack.t.deps.prisma.identity.findFirstOrThrow({ where: { provider: "siws" } });
    expect((await latestSession(sol.userId)).amr).toEqual(["wallet"]);
    await page.getByRole("button", { name: "Sign out" }).click();

    await page.getByRole("button", { name: "Arweave wallet" }).click();
    await signedInPage(page);
    const ar = await stack.t.deps.prisma.identity.findFirstOrThrow({ where: { provider: "arweave" } });
    expect(ar.userId).not.toBe(sol.userId);
    await page.close();
  });

  it("hides wallets when no wallet extension is installed (no greyed-out buttons, no install advice)", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    expect(await page.getByRole("button", { name: /Ethereum|Solana|Arweave|wallet/ }).count()).toBe(0);
    expect(await page.getByText(/no wallet found|browser extension/).count()).toBe(0);
    await page.close();
  });
});

// The web-app's pages for the OpenID Provider (issue 23) in Chromium against the real
// service-auth: the hosted page of a sign-in request that is unknown or expired, the Admin tab
// (only for admins) where a tenant's apps are registered — secret shown once with Copy, rotated,
// deleted — and Connected apps with nothing connected yet. The whole flow with a real app
// (login, consent, tokens, revoke) is test/oidc-provider.e2e.test.ts.
import { freePort } from "@atlas/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRelyingParty } from "../examples/oidc-rp/server.mjs";
import { emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";
import {
  addTenantPasskey,
  createBrandedTenant,
  platformAdmin,
  registerClient,
  tenantEmailLogin,
  tenantId,
} from "./web/oidc.ts";

describe.skipIf(skipBrowser)("web-app: OpenID Provider pages", () => {
  let stack: WebStack;

  beforeAll(async () => {
    stack = await startWebStack();
    await stack.browser.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.webUrl });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("an unknown or expired sign-in request says so instead of a sign-in form", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/oidc/default/NoSuchInteraction123`);
    await page.getByRole("heading", { name: "We couldn't continue" }).waitFor();
    await page.getByText("This sign-in request has expired or was already used").waitFor();
    expect(await page.getByRole("button", { name: /Email me|passkey/ }).count()).toBe(0);
    await stack.screenshot(page, "oidc-expired");
    await page.close();
  });

  it("the hosted login wears the tenant's brand and methods; Cancel goes back; consent names scopes and host", async () => {
    const admin = await platformAdmin(stack, "brand-admin@example.com");
    const brand = { name: "Globex", primaryColor: "#ffd23f", supportEmail: "support@globex.example" };
    const globex = await createBrandedTenant(stack, admin, {
      slug: "globex",
      name: "Globex Corporation",
      methods: ["email", "passkey"],
      brand,
    });
    const port = await freePort();
    const client = await registerClient(stack, admin, globex, `http://localhost:${port}`, { name: "Globex Portal" });
    const rp = await startRelyingParty({ issuer: `${stack.authUrl}/t/globex`, ...client, port });
    try {
      const page = await stack.newPage();
      await page.goto(`${rp.url}/login`);
      await page.getByRole("heading", { name: "Sign in to continue to Globex Portal" }).waitFor();
      await page.getByRole("heading", { name: "Globex", level: 1 }).waitFor();
      await page.getByText("Globex Portal uses your Globex Corporation account").waitFor();
      await page.getByRole("link", { name: brand.supportEmail }).waitFor();
      // That tenant's methods only (no wallets there), and its colour on the primary button, with
      // black text: the yellow is too light for white.
      expect(await page.getByRole("button", { name: /Ethereum|Solana|Arweave/ }).count()).toBe(0);
      const send = page.getByRole("button", { name: "Sign in with a passkey" });
      expect(await send.count()).toBe(1);
      const style = await page.evaluate("getComputedStyle(document.querySelector('main.hosted')).borderTopColor");
      expect(style).toBe("rgb(255, 210, 63)");
      await stack.screenshot(page, "oidc-hosted-login-brand");

      await page.getByRole("button", { name: "Cancel and go back to Globex Portal" }).click();
      await page.waitForURL(`${rp.url}/`);
      await page.getByText("access_denied").waitFor();

      await page.goto(`${rp.url}/login`);
      await page.getByRole("heading", { name: "Sign in to continue to Globex Portal" }).waitFor();
      const email = "globex-user@example.com";
      await addTenantPasskey(stack, page, "globex", await tenantEmailLogin(stack, "globex", email));
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await page.getByRole("heading", { name: "Globex Portal wants to use your Globex Corporation account" }).waitFor();
      for (const words of ["Know who you are", "See your name", "See your e-mail address", "Stay signed in"]) {
        await page.getByText(words).waitFor();
      }
      await page.getByText(`localhost:${port}`).waitFor();
      await stack.screenshot(page, "oidc-consent-brand");
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${rp.url}/`);
      await page.getByText(`Signed in as ${email}`).waitFor();
      await page.close();
    } finally {
      await rp.close();
    }
  });

  it("admins register an app (secret shown once), rotate its secret and delete it", async () => {
    const admin = "apps-admin@example.com";
    await platformAdmin(stack, admin);
    const page = await stack.newPage();
    await emailLogin(stack, page, admin);
    await page.getByRole("link", { name: "Admin" }).click();
    await page.getByRole("heading", { name: /Admin: apps that sign in/ }).waitFor();
    await page.getByText("No apps yet.").waitFor();

    await page.getByLabel("App name").fill("Notes");
    await page.getByLabel(/Redirect URIs/).fill("https://notes.example.com/callback");
    await page.getByLabel(/After sign-out/).fill("https://notes.example.com/");
    await page.getByRole("checkbox", { name: /Stay signed in/ }).check();
    await page.getByRole("button", { name: "Register app" }).click();
    const secret = (await page.getByTestId("client-secret").textContent()) ?? "";
    const clientId = (await page.getByTestId("client-id").textContent()) ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await stack.screenshot(page, "oidc-client-created");
    await page.getByRole("button", { name: "Copy secret" }).click();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);

    // Stored hashed: the secret is nowhere in the database; the list never shows it again.
    const row = await stack.t.deps.prisma.oidcClient.findUniqueOrThrow({ where: { id: clientId } });
    expect(JSON.stringify(row)).not.toContain(secret);
    await page.getByRole("button", { name: "I've saved it" }).click();
    await page.getByText(clientId).waitFor();
    expect(await page.getByText(secret).count()).toBe(0);
    const apps = await stack.t.deps.prisma.oidcClient.findMany({
      where: { tenantId: await tenantId(stack, "default") },
    });
    expect(apps.map((a) => a.name)).toEqual(["Notes"]);

    // Rotation: a new secret, once; the previous one keeps working for the overlap.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const rotated = (await page.getByTestId("client-secret").textContent()) ?? "";
    expect(rotated).not.toBe(secret);
    await page.getByText("The previous secret keeps working until").waitFor();
    await page.getByRole("button", { name: "I've saved it" }).click();

    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Delete app" }).click();
    await page.getByText("No apps yet.").waitFor();
    await page.close();
  });

  it("people without the admin role see no Admin tab; Connected apps starts empty", async () => {
    const page = await stack.newPage();
    await emailLogin(stack, page, "plain-user@example.com");
    await page.getByText("You're signed in").waitFor();
    expect(await page.getByRole("link", { name: "Admin" }).count()).toBe(0);
    await page.getByRole("link", { name: "Connected apps" }).click();
    await page.getByRole("heading", { name: "Connected apps", level: 1 }).waitFor();
    await page.getByText("No apps are connected").waitFor();
    await stack.screenshot(page, "connected-apps-empty");
    await page.close();
  });
});

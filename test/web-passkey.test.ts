// Passkeys end to end in a real browser: Debian's Chromium (playwright-core) with a CDP virtual
// authenticator runs navigator.credentials.create/get (through @simplewebauthn/browser) on a page
// of an allowed origin against the real service-auth endpoints over HTTP.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { freePort } from "@atlas/db";
import { type RunningServer, startHttpServer } from "@atlas/service-kit";
import { decodeJwt } from "jose";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginTestUser } from "../service-auth/test/fixtures.ts";
import { createTestApp, type TestApp } from "../service-auth/test/harness.ts";
import { CHROMIUM, launchChromium } from "./web/chromium.ts";

// Without Chromium a developer's run skips this file; CI must have it (and fails loudly without).
const skip = !existsSync(CHROMIUM) && !process.env.CI;
const root = new URL("..", import.meta.url).pathname;
const browserLib = join(root, "node_modules/@simplewebauthn/browser/esm");

/** The page: loads @simplewebauthn/browser as an ES module and exposes it to page.evaluate. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>passkey test</title>
<script type="module">import * as swa from "/swa/index.js"; window.swa = swa; document.title = "ready";</script>`;

/** A static server for the page and the library's ES modules (nothing else). */
async function startPageServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
      return;
    }
    const file = normalize(join(browserLib, path.replace(/^\/swa\//, "")));
    if (path.startsWith("/swa/") && file.startsWith(browserLib) && existsSync(file)) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

describe.skipIf(skip)("passkeys in Chromium with a virtual authenticator", () => {
  let t: TestApp;
  let authServer: RunningServer;
  let pageServer: Server;
  let browser: BrowserContext;
  let authUrl = "";
  let pageOrigin = "";
  const profile = mkdtempSync(join(tmpdir(), "atlas-chromium-"));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install chromium (.ci/run does)");
    const [authPort, pagePort] = [await freePort(), await freePort()];
    authUrl = `http://127.0.0.1:${authPort}`;
    // http://localhost is a secure context: WebAuthn works there without TLS.
    pageOrigin = `http://localhost:${pagePort}`;
    t = await createTestApp({ env: { PUBLIC_URL: authUrl, DEFAULT_TENANT_ORIGINS: pageOrigin } });
    await t.reset();
    authServer = await startHttpServer((req, env) => t.app.fetch(req, env), authPort, "127.0.0.1");
    pageServer = await startPageServer(pagePort);
    browser = await launchChromium(profile);
  });
  afterAll(async () => {
    await browser?.close();
    await authServer?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
    await t?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  /** A page of the allowed origin with a platform authenticator (resident keys, UV) attached. */
  async function pageWithAuthenticator(): Promise<Page> {
    const page = await browser.newPage();
    const cdp = await browser.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
        defaultBackupEligibility: true,
        defaultBackupState: true,
      },
    });
    await page.goto(`${pageOrigin}/`);
    await page.waitForFunction("document.title === 'ready'");
    return page;
  }

  it("a logged-in user registers a passkey, logs out, and logs back in with it (amr hwk)", async () => {
    const login = await loginTestUser(t, { email: "browser-passkey@example.test" });
    const page = await pageWithAuthenticator();

    // Registration: options → navigator.credentials.create → verify, all from the page.
    const registered = await page.evaluate(
      async ({ auth, token }) => {
        type Swa = typeof import("@simplewebauthn/browser");
        const swa = (globalThis as unknown as { swa: Swa }).swa;
        const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
        const optionsJSON = (await (
          await fetch(`${auth}/auth/passkey/register/options`, {
            method: "POST",
            headers,
            body: JSON.stringify({ friendlyName: "Chromium" }),
          })
        ).json()) as Parameters<Swa["startRegistration"]>[0]["optionsJSON"];
        const response = await swa.startRegistration({ optionsJSON });
        const res = await fetch(`${auth}/auth/passkey/register/verify`, {
          method: "POST",
          headers,
          body: JSON.stringify({ response }),
        });
        return { status: res.status, body: await res.json(), rpId: optionsJSON.rp.id };
      },
      { auth: authUrl, token: login.tokens.accessToken },
    );
    expect(registered.rpId).toBe("localhost");
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      friendlyName: "Chromium",
      deviceType: "multiDevice",
      backedUp: true,
      transports: expect.arrayContaining(["internal"]),
    });

    // Log out: that session's token stops working.
    const logout = await fetch(`${authUrl}/auth/logout`, { method: "POST", headers: login.auth });
    expect(logout.status).toBe(204);
    expect((await fetch(`${authUrl}/auth/me`, { headers: login.auth })).status).toBe(401);

    // Login with a discoverable credential: no e-mail, empty allowCredentials.
    const loggedIn = await page.evaluate(async (auth) => {
      type Swa = typeof import("@simplewebauthn/browser");
      const swa = (globalThis as unknown as { swa: Swa }).swa;
      const json = { "content-type": "application/json" };
      const optionsJSON = (await (
        await fetch(`${auth}/auth/passkey/login/options`, { method: "POST", headers: json, body: "{}" })
      ).json()) as Parameters<Swa["startAuthentication"]>[0]["optionsJSON"];
      const response = await swa.startAuthentication({ optionsJSON });
      const res = await fetch(`${auth}/auth/passkey/login/verify`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ response }),
      });
      return { status: res.status, body: await res.json(), allowCredentials: optionsJSON.allowCredentials };
    }, authUrl);
    expect(loggedIn.allowCredentials).toEqual([]);
    expect(loggedIn.status).toBe(200);
    const { accessToken, user } = loggedIn.body as { accessToken: string; user: { id: string } };
    expect(user.id).toBe(login.user.id);
    expect(decodeJwt(accessToken)).toMatchObject({ sub: login.user.id, amr: ["hwk"] });
    const me = await fetch(`${authUrl}/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toMatchObject({ session: { amr: ["hwk"] }, mfa: { passkeys: 1 } });
    const stored = await t.deps.prisma.webAuthnCredential.findFirstOrThrow({ where: { userId: login.user.id } });
    expect(stored.lastUsedAt).not.toBeNull();
    await page.close();
  });
});

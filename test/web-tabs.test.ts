// Token handling across tabs, in Chromium against the real service-auth: the access token lives
// in memory only, the refresh token in the HttpOnly cookie all tabs share; the refresh endpoint
// rotates it on every use. Several tabs must share one rotation (Web Locks + BroadcastChannel)
// and never log the user out.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";

const TTL_SEC = 60; // the shortest access-token lifetime service-auth allows

describe.skipIf(skipBrowser)("web-app: several tabs, one session", () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack({ env: async () => ({ ACCESS_TOKEN_TTL_SEC: String(TTL_SEC) }) });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const signedIn = (page: Page) => page.getByText(/^You're signed in as/).waitFor();
  const noTokenInStorage = async (page: Page) => {
    const stored = (await page.evaluate(
      "JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })",
    )) as string;
    expect(stored).not.toMatch(/eyJ|atlas_|refresh/i);
    expect(await page.evaluate("document.cookie")).toBe("");
  };

  it("renews the token once for all tabs, shares it, survives simultaneous reloads, and signs out everywhere", async () => {
    const refreshes: number[] = [];
    stack.browser.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/auth/token/refresh")) refreshes.push(Date.now());
    });
    const email = "tabs@example.test";
    const a = await stack.newPage();
    await emailLogin(stack, a, email);
    await signedIn(a);
    const loggedInAt = Date.now();
    refreshes.length = 0; // (the sign-in page's own attempt to resume, before the link, is not counted)

    // A second tab takes the first tab's token: no refresh of its own.
    const b = await stack.browser.newPage();
    await b.goto(`${stack.webUrl}/account/sessions`);
    await signedIn(b);
    await b.getByRole("region", { name: "Where you're signed in" }).getByText("this device").waitFor();
    expect(refreshes).toHaveLength(0);
    await noTokenInStorage(a);
    await noTokenInStorage(b);

    // Before the token expires, exactly one tab renews it, for both.
    const deadline = Date.now() + TTL_SEC * 1000 + 15_000;
    while (refreshes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(refreshes).toHaveLength(1);
    expect((refreshes[0] ?? 0) - loggedInAt).toBeLessThan(TTL_SEC * 1000);
    // Past the first token's expiry, both tabs work with the renewed one: no second refresh.
    const wait = loggedInAt + TTL_SEC * 1000 + 2_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const nav = (page: Page, name: string) =>
      page.getByRole("navigation", { name: "Account" }).getByRole("link", { name }).click();
    await nav(a, "Activity");
    await a.getByRole("region", { name: "Recent security activity" }).getByText("Signed in").first().waitFor();
    await nav(b, "Activity");
    await b.getByRole("region", { name: "Recent security activity" }).getByText("Signed in").first().waitFor();
    expect(refreshes).toHaveLength(1);

    // Both tabs reload at once: at most one refresh for both — one presents the cookie and the
    // other takes its token, or (when one page is still up as the other asks, which a loaded
    // machine makes likely) the first takes the token of the second before that one reloads too.
    await Promise.all([a.reload(), b.reload()]);
    await Promise.all([signedIn(a), signedIn(b)]);
    await new Promise((r) => setTimeout(r, 500));
    expect(refreshes.length).toBeLessThanOrEqual(2);

    // Nothing looked like theft; the login is intact.
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    expect(await stack.t.deps.prisma.authAuditLog.count({ where: { eventType: "refresh_token_reuse" } })).toBe(0);
    expect(await stack.t.deps.prisma.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(1);

    // Signing out in one tab signs out the other.
    await a.getByRole("button", { name: "Sign out" }).click();
    await a.getByRole("button", { name: "Continue", exact: true }).waitFor();
    await b.getByRole("button", { name: "Continue", exact: true }).waitFor();
    await a.close();
    await b.close();
  });
});

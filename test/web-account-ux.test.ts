// Issue 22, paths 8, 9 and 10 in Chromium at both window sizes (vitest projects desktop and phone):
// 8. phone sizes: the account tabs show where you are, the header keeps the address whole, TOTP
//    setup offers the otpauth:// link and a Copy button for the key;
// 9. destructive actions: no "Remove" on the only sign-in method (and the API refuses it), new
//    backup codes warn first, deleting the account asks for the address or a second factor, ends
//    on a confirmation page and e-mails the address;
// 10. plain words: a new account's first sign-ins are not "Risk medium", every activity reads as
//    words, and no page shows Markdown backticks.
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  addPasskey,
  apiEmailLogin,
  emailLogin,
  enableTotp,
  isPhone,
  skipBrowser,
  startWebStack,
  totpNow,
  type WebStack,
} from "./web/harness.ts";

describe.skipIf(skipBrowser)("web-app: account pages on a phone, destructive actions, plain words", () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack();
    await stack.browser.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.webUrl });
  });
  afterAll(async () => {
    await stack?.close();
  });
  // A tab left open by a failed test would hand its session to the next test's new tab.
  afterEach(async () => {
    for (const open of stack?.browser.pages() ?? []) await open.close();
  });

  const nav = (page: Page) => page.getByRole("navigation", { name: "Account" });
  const tab = (page: Page, name: string) => nav(page).getByRole("link", { name });
  /** A call to service-auth with a bearer token: status and problem code, as a script sees it. */
  async function call(method: string, path: string, token: string) {
    const res = await fetch(`${stack.authUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const body = res.status === 204 ? {} : ((await res.json()) as { code?: string; detail?: string });
    return { status: res.status, ...body };
  }

  it("path 8: the current tab is in view, the address is never broken, TOTP setup opens the app", async () => {
    const email = "maximilian.alexander.sample-person@example.test";
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByText("You're signed in").waitFor();

    // The header: the whole address on one line (ellipsis when it does not fit), all of it in the title.
    const who = page.locator(".who strong");
    expect(await who.getAttribute("title")).toBe(email);
    expect(await page.evaluate('document.querySelector(".who strong").getClientRects().length')).toBe(1);
    expect(await page.evaluate('getComputedStyle(document.querySelector(".who strong")).whiteSpace')).toBe("nowrap");

    // Opening a page further right (a bookmark, a reload): its tab is scrolled into view.
    await page.goto(`${stack.webUrl}/account/activity`);
    await page.getByRole("heading", { name: "Activity", level: 1 }).waitFor();
    const current = nav(page).locator('[aria-current="page"]');
    expect(await current.textContent()).toBe("Activity");
    const bar = await nav(page).locator("ul").boundingBox();
    const box = await current.boundingBox();
    if (!bar || !box) throw new Error("the tabs are not laid out");
    expect(box.x).toBeGreaterThanOrEqual(bar.x - 1);
    expect(box.x + box.width).toBeLessThanOrEqual(bar.x + bar.width + 1);
    // Nothing on the page is wider than the window (no sideways scrolling of the whole page).
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
      await page.evaluate("window.innerWidth"),
    );
    await stack.screenshot(page, "account-tabs-current");

    // TOTP setup: the otpauth:// link opens the authenticator app on this phone; the key copies.
    await tab(page, "Security").click();
    const twoStep = page.getByRole("region", { name: "Two-step verification" });
    await twoStep.getByRole("button", { name: "Set up an authenticator app" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const open = twoStep.getByRole("link", { name: "Open in your authenticator app" });
    const href = (await open.getAttribute("href")) ?? "";
    expect(href).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(href).searchParams.get("secret")).toBe(secret);
    await twoStep.getByRole("button", { name: "Copy key" }).click();
    await twoStep.getByText("Copied.").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);
    await stack.screenshot(page, "account-totp-setup");
    // The link and the key fit the window: nothing sticks out to the right.
    const keyBox = await page.getByTestId("totp-secret").boundingBox();
    expect((keyBox?.x ?? 0) + (keyBox?.width ?? 0)).toBeLessThanOrEqual(await page.evaluate("window.innerWidth"));
    await page.close();
  });

  it("path 9: the only sign-in method stays, new backup codes warn, deleting asks and confirms", async () => {
    // A new account with one e-mail address: "Remove" is not offered, the reason is; the API refuses too.
    const email = "only-way@example.test";
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    const methods = page.getByRole("region", { name: "Sign-in methods" });
    await methods.getByText("Your only way to sign in: add another before removing it.").waitFor();
    expect(await methods.getByRole("button", { name: "Remove" }).count()).toBe(0);
    const token = await apiEmailLogin(stack, email);
    const me = (await (
      await fetch(`${stack.authUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      identities: { id: string }[];
    };
    const refused = await call("DELETE", `/auth/identities/${me.identities[0]?.id}`, token);
    expect(refused).toMatchObject({
      status: 409,
      code: "CONFLICT",
      detail: expect.stringContaining("last way to log in"),
    });

    // Deleting it: the address must be typed first (no second factor here).
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    await page.getByRole("button", { name: "Delete my account" }).click();
    const confirm = page.getByLabel(`To confirm, type ${email}`);
    const destroy = page.getByRole("button", { name: "Delete my account for good" });
    await confirm.fill("someone-else@example.test");
    expect(await destroy.isDisabled()).toBe(true);
    await confirm.fill(email.toUpperCase());
    await stack.screenshot(page, "account-delete-confirm");
    await destroy.click();
    await page.getByRole("heading", { name: "Your account was deleted" }).waitFor();
    await page.getByText(`We sent a confirmation to ${email}.`).waitFor();
    await stack.screenshot(page, "account-deleted");
    const mail = (await stack.outbox()).find((m) => m.to === email && m.subject === "Your Atlas account was deleted");
    expect(mail?.text).toContain("was deleted");
    expect((await stack.t.deps.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).deletedAt).not.toBeNull();
    await page.getByRole("button", { name: "Back to the sign-in page" }).click();
    await page.getByLabel("Email").waitFor();
    await page.close();
  });

  it("path 9: a passkey as the only way in stays; MFA users confirm new codes and deletion with a factor", async () => {
    // A passkey-only account (the address removed over the API once the passkey existed).
    const passkeyOnly = "passkey-only@example.test";
    const page = await stack.newPage();
    await emailLogin(stack, page, passkeyOnly);
    await page.getByText("You're signed in").waitFor();
    const token = await apiEmailLogin(stack, passkeyOnly);
    await addPasskey(stack, page, token);
    const me = (await (
      await fetch(`${stack.authUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      identities: { id: string }[];
    };
    expect((await call("DELETE", `/auth/identities/${me.identities[0]?.id}`, token)).status).toBe(204);
    await tab(page, "Security").click();
    const passkeys = page.getByRole("region", { name: "Passkeys" });
    await passkeys.getByText("Your only way to sign in: add another before deleting it.").waitFor();
    expect(await passkeys.getByRole("button", { name: "Delete" }).count()).toBe(0);
    const [passkey] = (
      (await (
        await fetch(`${stack.authUrl}/auth/passkeys`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        items: { id: string }[];
      }
    ).items;
    expect(await call("DELETE", `/auth/passkeys/${passkey?.id}`, token)).toMatchObject({
      status: 409,
      code: "CONFLICT",
    });
    await page.close();

    // An account with an authenticator app: new backup codes warn that the old ones stop working.
    const email = "mfa-delete@example.test";
    const mfaPage = await stack.newPage();
    await emailLogin(stack, mfaPage, email);
    await mfaPage.getByText("You're signed in").waitFor();
    const { secret, backupCodes } = await enableTotp(stack, await apiEmailLogin(stack, email));
    await tab(mfaPage, "Security").click();
    const twoStep = mfaPage.getByRole("region", { name: "Two-step verification" });
    await twoStep.getByRole("button", { name: "Make new backup codes" }).click();
    await twoStep.getByText("Your current backup codes will stop working. Make new ones?").waitFor();
    await stack.screenshot(mfaPage, "account-backup-codes-confirm");
    await twoStep.getByRole("button", { name: "Make new codes" }).click();
    const dialog = mfaPage.getByRole("dialog", { name: "Confirm it's you" });
    await dialog.getByLabel("Authentication code").fill(await totpNow(secret));
    await dialog.getByRole("button", { name: "Verify" }).click();
    const codes = twoStep.getByRole("list", { name: "Backup codes" }).getByRole("listitem");
    await codes.first().waitFor();
    const fresh = await codes.allTextContents();
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => backupCodes.includes(c))).toBe(false);
    await twoStep.getByRole("button", { name: "Done" }).click();

    // Deleting: no address to type; the second factor is asked again once the last check is old.
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    await stack.t.deps.prisma.session.updateMany({ where: { userId: user.id }, data: { mfaVerifiedAt: new Date(0) } });
    await tab(mfaPage, "Profile").click();
    await mfaPage.getByRole("button", { name: "Delete my account" }).click();
    await mfaPage.getByText("You'll confirm it with your second factor").waitFor();
    expect(await mfaPage.getByLabel(/To confirm, type/).count()).toBe(0);
    await mfaPage.getByRole("button", { name: "Delete my account for good" }).click();
    await dialog.getByRole("radio", { name: "Backup code" }).check();
    await dialog.getByRole("textbox", { name: "Backup code" }).fill(fresh[0] ?? "");
    await dialog.getByRole("button", { name: "Verify" }).click();
    await mfaPage.getByRole("heading", { name: "Your account was deleted" }).waitFor();
    expect((await stack.t.deps.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).deletedAt).not.toBeNull();
    expect((await stack.outbox()).some((m) => m.to === email && m.subject === "Your Atlas account was deleted")).toBe(
      true,
    );
    await mfaPage.close();
  });

  it("path 10: a new account's first sign-ins are not risky, every event reads as words, no backticks", async () => {
    // Signed up from a script (as the CLI or an API client does), then in the browser the same day.
    const email = "plain-words@example.test";
    const token = await apiEmailLogin(stack, email);
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByText("You're signed in").waitFor();
    // A CLI signed in through the device flow (device_token_issued), approved in this account.
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    const { recordAudit } = await import("../service-auth/src/services/audit/audit.service.ts");
    await recordAudit(
      stack.t.deps.prisma,
      {
        eventType: "device_token_issued",
        tenantId: user.tenantId,
        userId: user.id,
        context: { ipAddress: "127.0.0.1", userAgent: "atlas-cli/1.0 node", deviceHash: null },
        details: { via: "device" },
      },
      new Date(),
    );
    // A token, so the Access tokens page has its "created" panel to read too.
    await tab(page, "Access tokens").click();
    await page.getByLabel("Token name").fill("Laptop script");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Token “Laptop script” created").waitFor();
    const tokensText = await page.locator("main").textContent();

    await tab(page, "Activity").click();
    const events = page.getByRole("region", { name: "Recent security activity" });
    await events.getByText("Another device (such as the CLI) signed in").waitFor();
    await events.getByText("Signed in").first().waitFor();
    const activity = await events.textContent();
    expect(activity).not.toMatch(/Risk (medium|high)/);
    expect(activity).not.toMatch(/device token issued|[a-z]+_[a-z]+/);
    await stack.screenshot(page, "account-activity-new");

    // No page shows Markdown backticks.
    const texts = [tokensText, activity];
    for (const name of ["Profile", "Security", "Sessions"]) {
      await tab(page, name).click();
      await page.locator("main .panel").first().waitFor();
      await page.getByText("Loading…").first().waitFor({ state: "detached" });
      texts.push(await page.locator("body").textContent());
    }
    for (const text of texts) expect(text).not.toContain("`");
    expect(token).toBeTruthy();
    if (isPhone) await stack.screenshot(page, "account-sessions-phone");
    await page.close();
  });
});

// The sign-in page as a newcomer meets it (issue 22, paths 2, 4 and 5), in Chromium against the
// real service-auth: e-mail first with one "Continue", the other methods as logo buttons, the
// methods that cannot work here hidden; the API's per-field messages next to their fields,
// cleared when switching forms; a phone typed as people write it; and "Check your inbox" as a
// screen with a resend countdown, "Use a different address" and the e-mail's 6-digit code.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthPeer } from "../service-auth/test/fakes/oauth-peer.ts";
import { skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";

describe.skipIf(skipBrowser)("web-app: the login page", () => {
  let stack: WebStack;
  let peer: OAuthPeer;

  beforeAll(async () => {
    stack = await startWebStack({
      env: async ({ authUrl }) => {
        peer = await OAuthPeer.start(authUrl);
        // Discord is allowed by the tenant but has no credentials on this server: not offered.
        return Object.fromEntries(Object.entries(peer.env()).filter(([k]) => !k.includes("DISCORD")));
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await peer?.stop();
  });

  const card = (page: Page) => page.locator("section.card").first();
  /** The card's controls in reading order, as "tag:name". */
  const controls = (page: Page) =>
    page.evaluate(
      `[...document.querySelector("section.card").querySelectorAll("input, button, a, select")]
        .map((e) => e.tagName.toLowerCase() + ":" + (e.getAttribute("aria-label") ?? e.textContent ?? "").trim())`,
    ) as Promise<string[]>;
  const fieldError = async (page: Page, label: string) => {
    const input = page.getByLabel(label, { exact: true });
    const ids = ((await input.getAttribute("aria-describedby")) ?? "").split(" ").filter(Boolean);
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
    return { invalid: await input.getAttribute("aria-invalid"), described: texts.join(" ").trim() };
  };

  it("is focused: e-mail first with one Continue, then logo buttons; what cannot work here is hidden", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("heading", { name: "Sign in or create an account" }).waitFor();
    await page.getByRole("link", { name: "Continue with Google" }).waitFor();
    const order = await controls(page);
    expect(order[0]).toBe("input:");
    expect(order[1]).toBe("button:Continue");
    expect(order.filter((c) => c === "button:Continue")).toHaveLength(1);
    expect(order.slice(2)).toEqual([
      "button:Continue with phone",
      "button:Sign in with a passkey",
      "a:Continue with Google",
      "a:Continue with GitHub",
      "a:Continue with X (Twitter)",
      "a:Continue with Single sign-on",
    ]);
    expect(await page.getByLabel("Email").getAttribute("type")).toBe("email");
    // Every other method is a logo button: an inline SVG, not an image file and not an emoji.
    const logos = (await page.evaluate(
      `[...document.querySelectorAll("section.card .method-list li")].map((li) => li.querySelectorAll("svg path").length)`,
    )) as number[];
    expect(logos).toHaveLength(6);
    expect(logos.every((n) => n > 0)).toBe(true);
    expect(await card(page).locator("img").count()).toBe(0);
    expect((await card(page).textContent()) ?? "").not.toMatch(/\p{Extended_Pictographic}/u);
    // Hidden: Discord (no credentials here) and the wallets (no extension in this browser).
    expect(await page.getByText(/Discord|wallet|Ethereum|Solana|Arweave|no wallet found|install/i).count()).toBe(0);
    await stack.readmeScreenshot(page, "login");
    await page.close();
  });

  it("shows the API's message next to the field, and clears it when switching forms", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByLabel("Email").fill("bob@");
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByText("Must be an e-mail address, like you@example.com.").waitFor();
    expect(await fieldError(page, "Email")).toMatchObject({
      invalid: "true",
      described: expect.stringContaining("Must be an e-mail address, like you@example.com."),
    });
    expect((await page.locator("body").textContent()) ?? "").not.toMatch(/request (json )?is invalid/i);
    await stack.screenshot(page, "login-field-error");

    await page.getByRole("button", { name: "Continue with phone" }).click();
    expect(await page.getByText("Must be an e-mail address").count()).toBe(0);
    await page.getByLabel("Country").selectOption("US");
    await page.getByLabel("Phone", { exact: true }).fill("555 01");
    await page.getByRole("button", { name: "Text me a code" }).click();
    await page.getByText("Must be a valid phone number").waitFor();
    expect((await fieldError(page, "Phone")).invalid).toBe("true");
    expect((await fieldError(page, "Phone")).described).toContain("Must be a valid phone number");

    await page.getByRole("button", { name: "Continue with e-mail" }).click();
    await page.getByLabel("Email").waitFor();
    expect(await page.getByText(/Must be a valid phone number|Must be an e-mail address/).count()).toBe(0);
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBeNull();
    await page.close();
  });

  it("takes a phone number as people type it, with a country, and signs in", async () => {
    const page = await stack.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("button", { name: "Continue with phone" }).click();
    await page.getByLabel("Country").selectOption("US");
    // The placeholder is a real number: the API takes it as it stands.
    const placeholder = (await page.getByLabel("Phone", { exact: true }).getAttribute("placeholder")) ?? "";
    expect(placeholder).toMatch(/\d{3}.*\d{4}/);
    await page.getByLabel("Phone", { exact: true }).fill(placeholder);
    await page.getByRole("button", { name: "Text me a code" }).click();
    await page.getByText("We texted a 6-digit code to +1 ").waitFor();
    expect(await page.locator("[aria-invalid=true]").count()).toBe(0);

    await page.getByLabel("Phone", { exact: true }).fill("(415) 555-0199");
    await page.getByRole("button", { name: "Text me a code" }).click();
    await page.getByText("We texted a 6-digit code to +1 415 555 0199").waitFor();
    // A code is expected: the cursor is in the code field.
    await page.waitForFunction(`document.activeElement?.getAttribute("autocomplete") === "one-time-code"`);
    const sms = await stack.lastMessage("sms", "+14155550199");
    await page.keyboard.type(sms.code ?? "");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("You're signed in").waitFor();
    expect((await page.locator("strong").first().textContent())?.trim()).toBe("+14155550199");
    await page.close();
  });

  it("'Check your inbox' names the address and expiry, counts down Resend, goes back, and takes the code", async () => {
    const page = await stack.newPage();
    await page.clock.install();
    await page.goto(`${stack.webUrl}/`);
    const first = `inbox-first-${Date.now()}@example.test`;
    await page.getByLabel("Email").fill(first);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await page.getByText(`We sent a sign-in link to ${first}. It works once and expires in 15 minutes`).waitFor();
    // The code field has the focus; Resend waits 30 s, visibly.
    expect(await page.evaluate("document.activeElement?.id")).toBe(
      await page.getByLabel("Code from the e-mail").getAttribute("id"),
    );
    const resend = page.getByRole("button", { name: /^Resend/ });
    expect(await resend.textContent()).toMatch(/^Resend in (30|29) s$/);
    expect(await resend.isDisabled()).toBe(true);
    await page.clock.runFor(5_000);
    expect(await resend.textContent()).toMatch(/^Resend in 2[45] s$/);
    await stack.screenshot(page, "login-check-inbox");
    // The API enforces it too, per address.
    const early = await fetch(`${stack.authUrl}/auth/email/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: first }),
    });
    expect(early.status).toBe(429);
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(0);

    // A typo in the address: back to the form, the address kept for editing.
    await page.getByRole("button", { name: "Use a different address" }).click();
    expect(await page.getByLabel("Email").inputValue()).toBe(first);
    const second = `inbox-second-${Date.now()}@example.test`;
    await page.getByLabel("Email").fill(second);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByText(`We sent a sign-in link to ${second}.`).waitFor();

    // After the countdown, Resend sends a new link and code (the server's cooldown has passed too).
    await stack.t.deps.prisma.magicLink.updateMany({
      where: { email: second },
      data: { createdAt: new Date(Date.now() - 31_000) },
    });
    await page.clock.runFor(31_000);
    expect(await resend.textContent()).toBe("Resend");
    await resend.click();
    await page.getByText("We sent a new link and code.").waitFor();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    const mails = (await stack.outbox()).filter((m) => m.channel === "email" && m.to === second);
    expect(mails).toHaveLength(2);
    const newest = mails[0]?.code ?? "";
    expect(newest).toMatch(/^\d{6}$/);

    // A wrong code is answered next to the field; the newest e-mail's code signs in.
    const wrong = String((Number(newest) + 1) % 1_000_000).padStart(6, "0");
    await page.getByLabel("Code from the e-mail").fill(wrong);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("The code is invalid or expired").waitFor();
    expect((await fieldError(page, "Code from the e-mail")).invalid).toBe("true");
    await page.getByLabel("Code from the e-mail").fill(newest);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("You're signed in").waitFor();
    expect((await page.locator("strong").first().textContent())?.trim()).toBe(second);
    await page.close();
  });
});

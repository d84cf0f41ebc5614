// The billing dashboard in Chromium against the real service-auth with Stripe pointed at a local
// fake Stripe: the plan in force, changing plan (subscribe, upgrade, cancel at period end, keep),
// payment methods (default, remove), and the notice shown when no publishable key is configured.
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRIPE_ENV } from "../service-auth/test/billing-fixtures.ts";
import { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { api, apiEmailLogin, emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";

describe.skipIf(skipBrowser)("web-app: billing dashboard", () => {
  let stack: WebStack;
  let stripe: FakeStripe;
  beforeAll(async () => {
    stack = await startWebStack({
      env: async () => {
        stripe = await FakeStripe.start();
        return STRIPE_ENV(stripe);
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await stripe?.stop();
  });

  /** A call to the real cloud-api, as a script holding the user's token would make it. */
  const cloud = (path: string, token: string, init: { method?: string; body?: Uint8Array } = {}) =>
    fetch(`${stack.cloud.url}${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}` },
      ...(init.body ? { body: init.body } : {}),
    });

  /**
   * A user on Pro with a card (Stripe collects the plan fee), known to cloud-api: the API token.
   * The Stripe subscription's 30-day period ends `periodEndsInSec` from now (the browser lives in
   * real time: the running cloud-api invoices the period once it is over).
   */
  async function subscribedToPro(
    email: string,
    options: { periodEndsInSec: number; payInCrypto?: boolean },
  ): Promise<{ token: string; periodEnd: Date }> {
    const token = await apiEmailLogin(stack, email);
    const profile = await api<{ stripeCustomerId: string }>(stack, "/billing/customer", {
      token,
      method: "POST",
      headers: { "idempotency-key": `customer-${email}` },
    });
    stripe.attachCard(profile.stripeCustomerId, { last4: "4242" });
    if (options.payInCrypto) {
      await api(stack, "/billing/profile", {
        token,
        method: "PATCH",
        body: { preferredProvider: "crypto" },
        headers: { "idempotency-key": `crypto-${email}` },
      });
    }
    stripe.nowSec = Math.floor(Date.now() / 1000) - 30 * 86_400 + options.periodEndsInSec;
    await api(stack, "/billing/subscriptions", {
      token,
      body: { planId: "pro" },
      headers: { "idempotency-key": `pro-${email}` },
    });
    // cloud-api's consumer applies subscription.updated from the outbox.
    await waitFor(async () => {
      const res = await cloud("/v1/entitlements", token);
      return res.ok && ((await res.json()) as { planId: string }).planId === "pro";
    });
    return { token, periodEnd: new Date((stripe.nowSec + 30 * 86_400) * 1000) };
  }

  it("shows the plan, changes it, cancels and keeps it, and manages cards", async () => {
    const email = "billing@example.test";
    // The customer and two cards, as Stripe Elements would have left them.
    const token = await apiEmailLogin(stack, email);
    const profile = await api<{ stripeCustomerId: string }>(stack, "/billing/customer", {
      token,
      method: "POST",
      headers: { "idempotency-key": "setup-customer" },
    });
    stripe.attachCard(profile.stripeCustomerId, { last4: "4242" });
    stripe.attachCard(profile.stripeCustomerId, { brand: "mastercard", last4: "4444" });

    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    const current = page.getByRole("region", { name: "Your plan" });
    await current.getByText("No subscription").waitFor();
    await current.getByText("Free", { exact: true }).waitFor();
    const plans = page.getByRole("region", { name: "Plans" });
    await plans.getByText("Current plan").waitFor();
    await plans.getByText("$20.00 / month").waitFor();
    await page.getByText("no Stripe publishable key configured").waitFor();
    await stack.screenshot(page, "billing-free");

    await plans.getByRole("button", { name: "Switch to Pro" }).click();
    await plans.getByRole("button", { name: "Switch to Pro" }).last().click();
    await current.getByText("Pro", { exact: true }).waitFor();
    await current.getByText(/renews on/).waitFor();
    await plans.getByRole("listitem").filter({ hasText: "Pro" }).getByText("Current plan").waitFor();

    await plans.getByRole("button", { name: "Switch to Business" }).click();
    await plans.getByRole("button", { name: "Switch to Business" }).last().click();
    await current.getByText("Business", { exact: true }).waitFor();
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    const sub = await stack.t.deps.prisma.subscription.findFirstOrThrow({
      where: { billingProfile: { customerId: user.id } },
      orderBy: { createdAt: "desc" },
    });
    expect(sub.planId).toBe("business");

    await current.getByRole("button", { name: "Cancel subscription" }).click();
    await current.getByRole("button", { name: "Cancel at period end" }).click();
    await current.getByText(/ends on/).waitFor();
    await current.getByRole("button", { name: "Keep my subscription" }).click();
    await current.getByRole("button", { name: "Keep it" }).click();
    await current.getByText(/renews on/).waitFor();

    const cards = page.getByRole("region", { name: "Payment methods" });
    const master = cards.getByRole("listitem").filter({ hasText: "4444" });
    await master.getByRole("button", { name: "Make default" }).click();
    await master.getByRole("button", { name: "Make default" }).last().click();
    await master.getByText("default", { exact: true }).waitFor();
    const visa = cards.getByRole("listitem").filter({ hasText: "4242" });
    await visa.getByRole("button", { name: "Remove" }).click();
    await visa.getByRole("button", { name: "Remove card" }).click();
    await visa.waitFor({ state: "detached" });
    await stack.screenshot(page, "billing-business");
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);
    await page.close();
  });

  it("billing page shows usage and an invoice (real cloud-api: metered requests, an object, a finalized period)", async () => {
    const email = "usage@example.test";
    // The period ends in 25 s: the usage below falls in it, and cloud-api invoices it right after.
    const { token, periodEnd } = await subscribedToPro(email, { periodEndsInSec: 25 });
    // Real usage at the real cloud-api, with the user's token: an object stored and read back, and
    // a few calls. The meter writes it to Postgres within its flush interval.
    const object = Buffer.alloc(300 * 1024, 7);
    expect((await cloud("/v1/objects/q3-report.bin", token, { method: "PUT", body: object })).status).toBe(200);
    expect((await cloud("/v1/objects/q3-report.bin", token)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await cloud("/v1/me", token)).status).toBe(200);
    await stack.cloud.deps.meter.flush();

    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    const usage = page.getByRole("region", { name: "Usage this billing period" });
    // Pro includes 1,000,000 requests, 100 GB of transfer and 50 GB of storage: drawn as limits.
    await usage.getByRole("img", { name: /^Requests: [1-9][\d,]* so far this period of 1,000,000 included/ }).waitFor();
    await usage
      .getByRole("img", { name: /^Transfer: [\d.,]+ (KB|MB) so far this period of 100 GB included/ })
      .waitFor();
    await usage.getByRole("img", { name: /^Storage: .* on average today of 50 GB included/ }).waitFor();
    expect(await usage.getByTestId("limit-line").count()).toBe(3);
    await usage.getByText("Show as a table").first().click();
    await usage.getByRole("table").first().waitFor();
    const invoices = page.getByRole("region", { name: "Invoices" });
    await invoices.getByText(/^No invoices yet/).waitFor();

    // The period ends: cloud-api's periodic job finalizes its invoice (the plan fee, prepaid by
    // the Stripe subscription); service-auth's charge saga settles the $0 due; cloud-api marks the
    // invoice paid — every step through the shared outbox, on the real clock.
    expect(Date.now()).toBeLessThan(periodEnd.getTime());
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    const paid = () => stack.cloud.deps.prisma.invoice.count({ where: { userId: user.id, status: "paid" } });
    await waitFor(async () => (await paid()) === 1, 60_000);
    await page.reload();
    await invoices.getByText("Invoice #1").waitFor();
    await invoices.getByText("Paid", { exact: true }).waitFor();
    await invoices.getByRole("button", { name: "View Invoice #1" }).click();
    const detail = invoices.getByRole("region", { name: "Invoice #1" });
    await detail.getByRole("cell", { name: /^Pro plan, .* \(collected by the subscription\)$/ }).waitFor();
    await detail.getByRole("row", { name: /Total \$20\.00/ }).waitFor();
    await detail.getByRole("row", { name: /Prepaid with your subscription −\$20\.00/ }).waitFor();
    await detail.getByRole("row", { name: /Paid \$0\.00/ }).waitFor();
    const download = page.waitForEvent("download");
    await detail.getByRole("button", { name: "Download PDF" }).click();
    const pdf = await download;
    expect(pdf.suggestedFilename()).toBe("invoice-1.pdf");
    const path = await pdf.path();
    expect(readFileSync(path).subarray(0, 5).toString()).toBe("%PDF-");
    await stack.screenshot(page, "billing-usage-invoice");
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);
    await stack.screenshot(page, "billing-usage-invoice-phone");
    await expectNoStoredTokens(page);
    await page.close();
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Tokens live in memory only (acceptance criterion): nothing in localStorage or sessionStorage. */
async function expectNoStoredTokens(page: Page): Promise<void> {
  const stored = (await page.evaluate(
    "JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })",
  )) as string;
  expect(stored).not.toMatch(/eyJ|atlas_pat_|atlas_rt_|token/i);
}

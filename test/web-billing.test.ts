// The billing dashboard in Chromium against the real service-auth with Stripe pointed at a local
// fake Stripe: the plan in force, changing plan (subscribe, upgrade, cancel at period end, keep),
// payment methods (default, remove), and the notice shown when no publishable key is configured.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRIPE_ENV } from "../service-auth/test/billing-fixtures.ts";
import { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { type FakeCloudApi, startFakeCloudApi } from "./web/fake-cloud-api.ts";
import { api, apiEmailLogin, emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";

describe.skipIf(skipBrowser)("web-app: billing dashboard", () => {
  let stack: WebStack;
  let stripe: FakeStripe;
  let cloud: FakeCloudApi;
  beforeAll(async () => {
    cloud = await startFakeCloudApi();
    stack = await startWebStack({
      apiUrl: cloud.url,
      env: async () => {
        stripe = await FakeStripe.start();
        return STRIPE_ENV(stripe);
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await stripe?.stop();
    await cloud?.stop();
  });

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

  it("charts this month's usage against the plan's included amounts and shows an invoice", async () => {
    const email = "usage@example.test";
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    const usage = page.getByRole("region", { name: "Usage this month" });
    // The free plan includes 10,000 requests and 1 GB of transfer and storage: the charts say how far along.
    await usage.getByRole("img", { name: /^Requests: [\d,]+ so far this period of 10,000 included/ }).waitFor();
    await usage.getByRole("img", { name: /^Transfer: .* of 1 GB included/ }).waitFor();
    await usage.getByRole("img", { name: /^Storage: .* now of 1 GB included/ }).waitFor();
    expect(await usage.getByTestId("limit-line").count()).toBe(3);
    await usage.getByText("Show as a table").first().click();
    await usage.getByRole("table").first().waitFor();

    const invoices = page.getByRole("region", { name: "Invoices" });
    await invoices.getByText("Invoice #42").waitFor();
    await invoices.getByText("Paid", { exact: true }).waitFor();
    await invoices.getByRole("button", { name: "View Invoice #42" }).click();
    const detail = invoices.getByRole("region", { name: "Invoice #42" });
    await detail.getByRole("cell", { name: "Requests over the included 1,000,000" }).waitFor();
    await detail.getByRole("cell", { name: "$20.45" }).waitFor();
    await detail.getByRole("button", { name: /Download PDF/ }).waitFor();
    await stack.screenshot(page, "billing-usage-invoices");
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    expect(new Set(cloud.callers)).toEqual(new Set([user.id])); // with the user's own access token
    await page.close();
  });
});

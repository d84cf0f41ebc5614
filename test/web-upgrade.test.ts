// Upgrading from the billing page as a newcomer would (issue 22, path 1), in Chromium against the
// real service-auth and cloud-api, with Stripe.js served by the local Stripe.js peer
// (test/web/stripe-js-peer.js, talking to the Stripe peer with the publishable key): no billing
// customer and no card beforehand, the card typed into the card form, 3-D Secure when the bank
// asks, the plan cards' words, and what a deployment without a publishable key says to whom.
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { registerPlanPrices, STRIPE_ENV } from "../service-auth/test/billing-fixtures.ts";
import { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";
import { serveStripeJs } from "./web/stripe-js.ts";

describe.skipIf(skipBrowser)("web-app: upgrading from the billing page", () => {
  let stack: WebStack;
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = registerPlanPrices(await FakeStripe.start());
    stack = await startWebStack({
      env: async () => {
        // The browser lives in real time: so do Stripe's periods and the cards' expiry checks.
        stripe.nowSec = Math.floor(Date.now() / 1000);
        return STRIPE_ENV(stripe);
      },
      webEnv: { STRIPE_PUBLISHABLE_KEY: FakeStripe.publishableKey },
    });
    await serveStripeJs(stack.browser, stripe.url);
  });
  // A page left open by a failed test would share its session with the next one's.
  afterEach(async () => {
    for (const open of stack?.browser.pages() ?? []) await open.close();
  });
  afterAll(async () => {
    await stack?.close();
    await stripe?.stop();
  });

  async function openBilling(email: string): Promise<Page> {
    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    await page.getByRole("region", { name: "Plans" }).getByText("Current plan").waitFor();
    return page;
  }

  /** Types a card into the card form, as a person would. */
  async function typeCard(page: Page, number: string) {
    await page.getByLabel("Card number").fill(number);
    await page.getByLabel("Expiry (MM / YY)").fill(`12 / ${String(new Date().getUTCFullYear() + 3).slice(2)}`);
    await page.getByLabel("CVC").fill("123");
  }

  async function switchTo(page: Page, plan: string) {
    const plans = page.getByRole("region", { name: "Plans" });
    await plans.getByRole("button", { name: `Switch to ${plan}` }).click();
    await plans
      .getByRole("button", { name: `Switch to ${plan}` })
      .last()
      .click();
  }

  const userOf = (email: string) => stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });

  it("plan cards show overage prices and the object size limit; the free plan reads Free once", async () => {
    const page = await openBilling("plans@example.test");
    const plans = page.getByRole("region", { name: "Plans" });
    const pro = plans.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Pro" }) });
    await pro.getByText("$0.09 per extra GiB of transfer").waitFor();
    await pro.getByText("$0.05 per extra 10,000 requests").waitFor();
    await pro.getByText("$0.03 per extra GiB stored for a month").waitFor();
    await pro.getByText("Objects up to 1 GiB each").waitFor();
    const free = plans.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Free" }) });
    await free.getByText("Objects up to 10 MiB each").waitFor();
    await free.getByText("Usage beyond that is refused.").waitFor();
    expect(await free.getByText(/\bFree\b/).count()).toBe(1);
    const current = page.getByRole("region", { name: "Your plan" });
    await current.getByText("No subscription").waitFor();
    expect(await current.getByText(/\bFree\b/).count()).toBe(1);
    await page.close();
  });

  it("a new user with no customer and no card switches to Pro: card form, card saved, on Pro", async () => {
    const email = "upgrade@example.test";
    const page = await openBilling(email);
    // Nothing was asked of the API first: no billing customer exists yet, and the page says nothing red.
    const user = await userOf(email);
    expect(await stack.t.deps.prisma.billingProfile.findUnique({ where: { customerId: user.id } })).toBeNull();
    const cards = page.getByRole("region", { name: "Payment methods" });
    await cards.getByText("No payment methods yet.").waitFor();
    expect(await page.getByText(/POST \/billing\/customer/).count()).toBe(0);
    expect(await cards.getByRole("button", { name: "Try again" }).count()).toBe(0);

    await switchTo(page, "Pro");
    const checkout = page.getByRole("region", { name: "Start Pro" });
    await checkout.getByLabel("Card number").waitFor();
    // A mistyped number is refused by Stripe with its words, next to the form.
    await typeCard(page, "4242 4242 4242 4241");
    await checkout.getByRole("button", { name: "Save card and start Pro" }).click();
    await checkout.getByRole("alert").filter({ hasText: "Your card number is incorrect." }).waitFor();
    await typeCard(page, "4242 4242 4242 4242");
    await stack.screenshot(page, "billing-checkout");
    await checkout.getByRole("button", { name: "Save card and start Pro" }).click();

    const current = page.getByRole("region", { name: "Your plan" });
    await current.getByText("You're on Pro. Thank you!").waitFor();
    await current.getByText("Pro", { exact: true }).waitFor();
    await current.getByText(/Active · renews on/).waitFor();
    await cards.getByRole("listitem").filter({ hasText: "Visa •••• 4242" }).getByText("default").waitFor();
    expect(await checkout.count()).toBe(0);

    // One Stripe customer, made on the way; the card is attached to it and is its default.
    const profile = await stack.t.deps.prisma.billingProfile.findUniqueOrThrow({ where: { customerId: user.id } });
    const customer = stripe.customers.get(profile.stripeCustomerId as string);
    expect(customer).toBeDefined();
    const saved = [...stripe.paymentMethods.values()].filter((pm) => pm.customer === profile.stripeCustomerId);
    expect(saved).toHaveLength(1);
    const settings = customer?.invoice_settings as { default_payment_method: string } | undefined;
    expect(settings?.default_payment_method).toBe(saved[0]?.id);
    const sub = await stack.t.deps.prisma.subscription.findFirstOrThrow({ where: { billingProfileId: profile.id } });
    expect(sub).toMatchObject({ planId: "pro", status: "active" });
    await page.evaluate("window.scrollTo(0, 0)");
    await stack.readmeScreenshot(page, "billing");
    await page.close();
  });

  it("a card that needs 3-D Secure: authenticated when saved, then the first payment completes (clientSecret path)", async () => {
    const email = "sca@example.test";
    const page = await openBilling(email);
    await switchTo(page, "Pro");
    const checkout = page.getByRole("region", { name: "Start Pro" });
    await checkout.getByLabel("Card number").waitFor();
    await typeCard(page, "4000 0027 6000 3184");
    await checkout.getByRole("button", { name: "Save card and start Pro" }).click();
    // The bank's window for saving the card.
    const bank = page.getByRole("dialog", { name: "3D Secure 2 Test Page" });
    await bank.getByRole("button", { name: "Complete" }).click();
    await bank.waitFor({ state: "detached" });
    // service-auth's on-session charge asks for authentication too: the subscription answers
    // `incomplete` with the first payment's client secret, and Stripe.js asks the bank again.
    await bank.getByRole("button", { name: "Complete" }).click();
    const current = page.getByRole("region", { name: "Your plan" });
    await current.getByText("You're on Pro. Thank you!").waitFor();
    await current.getByText(/Active · renews on/).waitFor();

    const user = await userOf(email);
    const profile = await stack.t.deps.prisma.billingProfile.findUniqueOrThrow({ where: { customerId: user.id } });
    const intents = [...stripe.paymentIntents.values()].filter((pi) => pi.customer === profile.stripeCustomerId);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ status: "succeeded", amount: 2_000 });
    const sub = await stack.t.deps.prisma.subscription.findFirstOrThrow({ where: { billingProfileId: profile.id } });
    expect(sub).toMatchObject({ planId: "pro", status: "active" });
    await page.close();
  });

  it("Add a card in Payment methods works for a newcomer, with Stripe's refusal shown when the bank declines", async () => {
    const page = await openBilling("addcard@example.test");
    const cards = page.getByRole("region", { name: "Payment methods" });
    await cards.getByRole("button", { name: "Add a card" }).click();
    await cards.getByLabel("Card number").waitFor();
    await typeCard(page, "4000 0000 0000 0002");
    await cards.getByRole("button", { name: "Save card" }).click();
    await cards.getByRole("alert").filter({ hasText: "Your card was declined." }).waitFor();
    await typeCard(page, "5555 5555 5555 4444");
    await cards.getByRole("button", { name: "Save card" }).click();
    await cards.getByRole("listitem").filter({ hasText: "Mastercard •••• 4444" }).getByText("default").waitFor();
    await page.close();
  });

  describe("a deployment without a publishable key", () => {
    /** The web-app as served without STRIPE_PUBLISHABLE_KEY: its runtime config has none. */
    async function withoutKey(page: Page) {
      await page.route("**/config.json", async (route) => {
        const response = await route.fetch();
        const config = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...config, stripePublishableKey: null } });
      });
      expect(await (await fetch(`${stack.webUrl}/config.json`)).json()).toMatchObject({
        stripePublishableKey: FakeStripe.publishableKey,
      });
    }

    it("a user reads that payments are not set up yet; an admin reads which setting is missing", async () => {
      const page = await stack.newPage();
      await withoutKey(page);
      await emailLogin(stack, page, "nokey@example.test");
      await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
      await switchTo(page, "Pro");
      const checkout = page.getByRole("region", { name: "Start Pro" });
      await checkout.getByText("Payments are not set up on this deployment yet.").waitFor();
      const cards = page.getByRole("region", { name: "Payment methods" });
      await cards.getByText("Payments are not set up on this deployment yet.").waitFor();
      expect(await page.getByText(/STRIPE_PUBLISHABLE_KEY/).count()).toBe(0);
      await stack.screenshot(page, "billing-no-key-user");
      await page.unrouteAll({ behavior: "ignoreErrors" });
      await page.close();

      const admin = "operator@example.test";
      const adminPage = await stack.newPage();
      await withoutKey(adminPage);
      await emailLogin(stack, adminPage, admin);
      await adminPage.getByRole("navigation", { name: "Account" }).waitFor();
      await stack.t.deps.prisma.user.update({ where: { id: (await userOf(admin)).id }, data: { roles: ["admin"] } });
      await adminPage.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
      await switchTo(adminPage, "Pro");
      await adminPage
        .getByRole("region", { name: "Start Pro" })
        .getByText(/Set STRIPE_PUBLISHABLE_KEY \(pk_live_… or pk_test_…\) in the web-app's environment/)
        .waitFor();
      await adminPage
        .getByRole("region", { name: "Payment methods" })
        .getByText(/Set STRIPE_PUBLISHABLE_KEY/)
        .waitFor();
      expect(await adminPage.getByText("Payments are not set up on this deployment yet.").count()).toBe(0);
      await adminPage.unrouteAll({ behavior: "ignoreErrors" });
      await adminPage.close();
    });
  });
});

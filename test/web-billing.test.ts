// The billing dashboard in Chromium against the real service-auth with Stripe pointed at a local
// fake Stripe: the plan in force, changing plan (subscribe, upgrade, cancel at period end, keep),
// payment methods (default, remove), and the notice shown when no publishable key is configured.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { HDKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordCredit } from "../service-auth/src/services/billing/invoices/credits.ts";
import { deliverWebhook, registerPlanPrices, STRIPE_ENV } from "../service-auth/test/billing-fixtures.ts";
import { Anvil, compileTestToken } from "../service-auth/test/fakes/anvil.ts";
import { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { finalizeDueInvoices } from "../service-cloud-api/src/services/invoicing/finalize-invoice.ts";
import { api, apiEmailLogin, emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";

const CHAIN = 31337;

describe.skipIf(skipBrowser)("web-app: billing dashboard", () => {
  let stack: WebStack;
  let stripe: FakeStripe;
  // A real local EVM chain with a solc-compiled ERC-20 "USDC": invoices can be paid on it.
  let anvil: Anvil;
  let usdc: `0x${string}`;
  const token = compileTestToken();
  // The collecting wallet: service-auth gets its xpub and derives a deposit address per quote.
  const xpub = HDKey.fromMasterSeed(randomBytes(64)).derive("m/44'/60'/0'/0").publicExtendedKey;
  beforeAll(async () => {
    stripe = registerPlanPrices(await FakeStripe.start());
    stack = await startWebStack({
      env: async () => {
        // The browser lives in real time: so do Stripe's subscription periods.
        stripe.nowSec = Math.floor(Date.now() / 1000);
        anvil = await Anvil.start();
        usdc = await anvil.deploy(token, ["USD Coin", "USDC", 6]);
        return {
          ...STRIPE_ENV(stripe),
          CRYPTO_DEPOSIT_XPUB: xpub,
          CRYPTO_RPC_URLS: `${CHAIN}=${anvil.rpcUrl}`,
          CRYPTO_CONFIRMATIONS: `${CHAIN}=3`,
          CRYPTO_TOKENS: `${CHAIN}:USDC:${usdc}:6:100`,
        };
      },
      // Pay now confirms in the browser against the Stripe peer (the plain confirm Stripe.js makes).
      webEnv: {
        CRYPTO_PAYMENT_OPTIONS: `${CHAIN}:USDC`,
        STRIPE_PUBLISHABLE_KEY: FakeStripe.publishableKey,
        STRIPE_API_URL: stripe.url,
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await stripe?.stop();
    await anvil?.stop();
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
  ): Promise<{ token: string; periodEnd: Date; card: string }> {
    const token = await apiEmailLogin(stack, email);
    const profile = await api<{ stripeCustomerId: string }>(stack, "/billing/customer", {
      token,
      method: "POST",
      headers: { "idempotency-key": `customer-${email}` },
    });
    const card = stripe.attachCard(profile.stripeCustomerId, { last4: "4242" });
    // The default card pays the subscription's first invoice when subscribing.
    await api(stack, `/billing/payment-methods/${card}/default`, {
      token,
      method: "POST",
      headers: { "idempotency-key": `default-${email}` },
    });
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
    return { token, periodEnd: new Date((stripe.nowSec + 30 * 86_400) * 1000), card };
  }

  /**
   * cloud-api finalizes a period's invoice once the usage hour holding the period's end has
   * closed (plus the grace): on the wall clock that is up to an hour after the end. The test runs
   * the same finalization as the periodic job, as of that hour's close, once the period is over;
   * the charge and the payment then flow through the real outbox consumers.
   */
  async function finalizeOnceOver(periodEnd: Date) {
    await waitFor(async () => Date.now() > periodEnd.getTime() + 1_000, 60_000);
    const hourClosed = Math.ceil(periodEnd.getTime() / 3_600_000) * 3_600_000;
    const db = stack.cloud.deps.database;
    await finalizeDueInvoices(db, new Date(hourClosed + 2_000), 1_000);
    // The finalizer announced `invoice.finalized` as of that close, up to an hour ahead of the
    // wall clock, so the outbox would hold it until then: the test lets the clock get there.
    await db.query(
      `UPDATE "billing"."billing_events" SET "availableAt" = now() WHERE "eventType" = 'invoice.finalized' AND "availableAt" > now()`,
    );
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
    await page.getByRole("button", { name: "Add a card" }).waitFor();
    await stack.screenshot(page, "billing-free");

    // The first card added became the default (listing the cards resolved it at Stripe), so the
    // server makes the first payment with it while the customer is here: Pro starts at once.
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
    await expect.poll(() => page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);
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
    // Pro includes 1,000,000 requests, 100 GiB of transfer and 50 GiB of storage: "x of y included".
    await usage.getByText(/^[1-9][\d,]* of 1,000,000 included$/).waitFor();
    await usage.getByText(/^[\d.,]+ (KiB|MiB) of 100 GiB included$/).waitFor();
    // Storage is the level: the 300 KiB object, whole, stored now and in the day it was stored.
    await usage.getByText("300 KiB of 50 GiB included").waitFor();
    await usage.getByRole("img", { name: /^Storage per day, .*: highest 300 KiB \(/ }).waitFor();
    expect(await usage.getByRole("progressbar").count()).toBe(3);
    await usage.getByText("Show as a table").first().click();
    await usage.getByRole("table").first().waitFor();
    const invoices = page.getByRole("region", { name: "Invoices" });
    await invoices.getByText(/^No invoices yet/).waitFor();

    // The period ends: cloud-api's periodic job finalizes its invoice (the plan fee, prepaid by
    // the Stripe subscription); service-auth's charge saga settles the $0 due; cloud-api marks the
    // invoice paid — every step through the shared outbox, on the real clock.
    expect(Date.now()).toBeLessThan(periodEnd.getTime());
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    const paid = () => stack.cloud.prisma.invoice.count({ where: { userId: user.id, status: "paid" } });
    await finalizeOnceOver(periodEnd);
    await waitFor(async () => (await paid()) === 1, 60_000);
    const { number } = await stack.cloud.prisma.invoice.findFirstOrThrow({ where: { userId: user.id } });
    const title = `Invoice #${number}`; // numbered per tenant
    await page.reload();
    await invoices.getByText(title).waitFor();
    await invoices.getByText("Paid", { exact: true }).waitFor();
    await invoices.getByRole("button", { name: `View ${title}` }).click();
    const detail = invoices.getByRole("region", { name: title });
    await detail.getByRole("cell", { name: /^Pro plan, .* \(collected by the subscription\)$/ }).waitFor();
    await detail.getByRole("row", { name: /Total \$20\.00/ }).waitFor();
    await detail.getByRole("row", { name: /Prepaid with your subscription −\$20\.00/ }).waitFor();
    await detail.getByRole("row", { name: /Paid \$0\.00/ }).waitFor();
    const download = page.waitForEvent("download");
    await detail.getByRole("button", { name: "Download PDF" }).click();
    const pdf = await download;
    expect(pdf.suggestedFilename()).toBe(`invoice-${number}.pdf`);
    const path = await pdf.path();
    expect(readFileSync(path).subarray(0, 5).toString()).toBe("%PDF-");
    await stack.screenshot(page, "billing-usage-invoice");
    await page.setViewportSize({ width: 375, height: 800 });
    await expect.poll(() => page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);
    await stack.screenshot(page, "billing-usage-invoice-phone");
    await expectNoStoredTokens(page);
    await page.close();
  });

  it("pays an invoice with crypto: quote, transfer from the browser wallet on a local chain, confirmations, paid", async () => {
    const email = "crypto@example.test";
    const { token: apiToken, periodEnd } = await subscribedToPro(email, { periodEndsInSec: 20, payInCrypto: true });
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    // Overage to pay: 1,200,000 requests written as the meter's hourly counter, in the period's
    // first full hour (a million real requests do not fit in a browser test), plus the real ones
    // made here: 21 started blocks of 10,000 beyond the 1,000,000 Pro includes, 5 cents each.
    const hour = new Date(Math.ceil((periodEnd.getTime() - 30 * 86_400_000) / 3_600_000) * 3_600_000);
    await stack.cloud.deps.database.query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, 'requests', $3, 1200000)`,
      [user.tenantId, user.id, hour],
    );
    expect((await cloud("/v1/me", apiToken)).status).toBe(200);
    await stack.cloud.deps.meter.flush();
    // The running cloud-api invoices the period once it is over; service-auth opens a crypto charge.
    await finalizeOnceOver(periodEnd);
    await waitFor(async () => (await stack.t.deps.prisma.charge.count({ where: { userId: user.id } })) === 1, 60_000);
    const invoice = await stack.cloud.prisma.invoice.findFirstOrThrow({ where: { userId: user.id } });
    expect(invoice).toMatchObject({ status: "finalized", totalMinor: 2_105, amountDueMinor: 105 });
    const title = `Invoice #${invoice.number}`;

    // The browser's wallet: an EIP-1193 provider announced over EIP-6963 whose requests are
    // answered by a key holder outside the page (as an extension's are): it signs and sends
    // with anvil's first development account, which holds the USDC.
    const payer = anvil.deployer.account;
    if (!payer) throw new Error("anvil's deployer has no account");
    const minted = await anvil.deployer.writeContract({
      address: usdc,
      abi: token.abi,
      functionName: "mint",
      args: [payer.address, 1_000_000_000n],
      account: payer,
      chain: anvil.deployer.chain,
    });
    await anvil.publicClient.waitForTransactionReceipt({ hash: minted, pollingInterval: 50 });
    const walletCalls: string[] = [];
    const page = await stack.newPage();
    await page.exposeFunction("__anvilWallet", async (method: string, params: unknown[]) => {
      walletCalls.push(method);
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [payer.address];
        case "eth_chainId":
          return `0x${CHAIN.toString(16)}`;
        case "eth_sendTransaction": {
          // The user declines the first time (EIP-1193 error 4001), then approves.
          if (walletCalls.filter((m) => m === "eth_sendTransaction").length === 1) {
            return { rpcError: { code: 4001, message: "User rejected the request." } };
          }
          const tx = params[0] as { from: string; to: `0x${string}`; data?: `0x${string}`; value?: string };
          expect(tx.from.toLowerCase()).toBe(payer.address.toLowerCase());
          return anvil.deployer.sendTransaction({
            account: payer,
            chain: anvil.deployer.chain,
            to: tx.to,
            ...(tx.data ? { data: tx.data } : {}),
            value: BigInt(tx.value ?? "0x0"),
          });
        }
        default:
          throw new Error(`unsupported ${method}`);
      }
    });
    await page.addInitScript(`(() => {
      const provider = {
        request: async ({ method, params }) => {
          const result = await window.__anvilWallet(method, params ?? []);
          if (result && result.rpcError) throw Object.assign(new Error(result.rpcError.message), result.rpcError);
          return result;
        },
        on() {},
        removeListener() {},
      };
      const info = Object.freeze({
        uuid: "00000000-0000-4000-8000-0000000a0171",
        name: "Anvil Wallet",
        icon: "data:image/svg+xml;base64," + btoa('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#963"/></svg>'),
        rdns: "test.atlas.anvil",
      });
      const announce = () =>
        window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
      window.addEventListener("eip6963:requestProvider", announce);
    })();`);
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    const invoices = page.getByRole("region", { name: "Invoices" });
    await invoices.getByText("Due", { exact: true }).waitFor();
    await invoices.getByRole("button", { name: `View ${title}` }).click();
    const detail = invoices.getByRole("region", { name: title });
    await detail.getByRole("cell", { name: /over the .* included, per/ }).waitFor();
    await detail.getByRole("row", { name: /Amount due \$1\.05/ }).waitFor();
    const pay = detail.getByRole("region", { name: "Pay $1.05 with crypto" });
    await pay.getByRole("button", { name: "Pay in USDC on Local test chain" }).click();
    await pay
      .getByRole("alert")
      .filter({ hasText: "You declined the request in your wallet. Nothing was sent." })
      .waitFor();
    await pay.getByRole("button", { name: "Try again" }).click();

    // Mined at once (anvil automines), but 3 confirmations are required: the page says how far.
    await pay.getByRole("status").filter({ hasText: "Transfer mined: 1 of 3 confirmations" }).waitFor();
    await pay.getByText("1.05 USDC on Local test chain to").waitFor();
    await stack.screenshot(page, "billing-crypto-confirming");
    await anvil.mine(2);
    // cloud-api learns of the payment from the outbox: the invoice turns paid on the page.
    await invoices.getByRole("row", { name: /Paid \$1\.05/ }).waitFor();
    await invoices
      .getByRole("status")
      .filter({ hasText: `Payment confirmed: ${title} is paid.` })
      .waitFor();
    await invoices.getByText("Paid", { exact: true }).first().waitFor();
    await stack.screenshot(page, "billing-crypto-paid");
    expect(walletCalls).toContain("eth_sendTransaction");

    // On chain: the quote's deposit address holds exactly the quoted amount; the charge and the invoice agree.
    const paid = await stack.t.deps.prisma.cryptoPayment.findFirstOrThrow({
      where: { userId: user.id, status: "confirmed" },
    });
    const recipient = paid.recipient as `0x${string}`;
    const balance = await anvil.publicClient.readContract({
      address: usdc,
      abi: token.abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    expect(balance).toBe(1_050_000n);
    expect(await stack.t.deps.prisma.charge.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      status: "succeeded",
      provider: "crypto",
      amountMinor: 105,
    });
    expect(await stack.cloud.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
      status: "paid",
      paidAmountMinor: 105,
    });
    // Customer credit (e.g. an overpayment's excess, booked as the settlement books it) shows on
    // the billing page, next to the plan.
    const profile = await stack.t.deps.prisma.billingProfile.findUniqueOrThrow({ where: { customerId: user.id } });
    await stack.t.deps.database.transaction((q) =>
      recordCredit(
        q,
        {
          billingProfileId: profile.id,
          tenantId: profile.tenantId,
          userId: user.id,
          amountMinor: 45,
          currency: "usd",
          reason: "overpayment",
          source: `eip155:${CHAIN}:${paid.txHash}:excess-test`,
          invoiceId: invoice.id,
        },
        new Date(),
      ),
    );
    const nav = page.getByRole("navigation", { name: "Account" });
    await nav.getByRole("link", { name: "Profile" }).click();
    await nav.getByRole("link", { name: "Billing" }).click();
    await page.getByRole("status", { name: "Account credit" }).filter({ hasText: "$0.45" }).waitFor();
    await page.setViewportSize({ width: 375, height: 800 });
    await expect.poll(() => page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);
    await expectNoStoredTokens(page);
    await page.close();
  });

  it("Pay now: a failed card charge is paid from the invoice list, confirmed with Stripe in the browser", async () => {
    const email = "paynow@example.test";
    const { token: apiToken, periodEnd, card } = await subscribedToPro(email, { periodEndsInSec: 20 });
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email } });
    // Overage beyond what the subscription collects: 1,200,000 requests in the period's first hour.
    const hour = new Date(Math.ceil((periodEnd.getTime() - 30 * 86_400_000) / 3_600_000) * 3_600_000);
    await stack.cloud.deps.database.query(
      `INSERT INTO "cloud"."cloud_usage_records" ("tenantId", "userId", "metric", "hourStart", "value") VALUES ($1, $2, 'requests', $3, 1200000)`,
      [user.tenantId, user.id, hour],
    );
    expect((await cloud("/v1/me", apiToken)).status).toBe(200);
    await stack.cloud.deps.meter.flush();
    // The card paid the plan fee, but by the end of the period its account has run dry: the bank
    // declines the off-session charge (insufficient_funds), so it fails and dunning starts.
    stripe.setCardDecline(card, "insufficient_funds");
    await finalizeOnceOver(periodEnd);
    await waitFor(
      async () => (await stack.t.deps.prisma.charge.count({ where: { userId: user.id, status: "failed" } })) === 1,
      60_000,
    );
    const invoice = await stack.cloud.prisma.invoice.findFirstOrThrow({ where: { userId: user.id } });
    await waitFor(
      async () =>
        (await stack.cloud.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status === "failed",
    );
    const title = `Invoice #${invoice.number}`;

    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    const invoices = page.getByRole("region", { name: "Invoices" });
    await invoices.getByText("Payment failed").waitFor();
    await stack.screenshot(page, "billing-pay-now");
    // The user tops the account up, then pays from the invoice list.
    stripe.setCardDecline(card, null);
    await invoices.getByRole("button", { name: `Pay now: ${title}` }).click();
    // The browser confirmed the invoice's one PaymentIntent with the card; Stripe announces it.
    const charge = await stack.t.deps.prisma.charge.findFirstOrThrow({ where: { userId: user.id } });
    let pi: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const id = (await stack.t.deps.prisma.charge.findUniqueOrThrow({ where: { id: charge.id } }))
        .stripePaymentIntentId;
      pi = id ? stripe.paymentIntents.get(id) : undefined;
      return pi?.status === "succeeded";
    });
    const delivered = await deliverWebhook(
      stack.t,
      stripe.event("payment_intent.succeeded", pi as Record<string, unknown>),
      {
        timestampSec: Math.floor(Date.now() / 1000),
      },
    );
    expect(await delivered.json()).toMatchObject({ outcome: "applied" });
    await waitFor(
      async () => (await stack.cloud.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status === "paid",
      30_000,
    );
    await page.reload();
    const row = invoices.getByRole("listitem").filter({ hasText: title });
    await row.getByText("Paid", { exact: true }).waitFor({ timeout: 30_000 });
    expect(await invoices.getByRole("button", { name: `Pay now: ${title}` }).count()).toBe(0);
    expect(
      [...stripe.paymentIntents.values()].filter(
        (p) => p.metadata && (p.metadata as { atlasInvoiceId?: string }).atlasInvoiceId === invoice.id,
      ),
    ).toHaveLength(1);
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

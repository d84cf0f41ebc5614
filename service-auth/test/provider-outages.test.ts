import { randomBytes } from "node:crypto";
// Provider outages are not our 500s (api.md, "Provider outages"): when Stripe, the chain RPC or
// Relay cannot serve a request, the answer is 503 PROVIDER_UNAVAILABLE problem+json with
// Retry-After and one error-level log line naming the provider (no secrets); with the provider
// back, the same call works. Resend and Twilio are called after the answer (a login answer must not
// depend on delivery), so there the answer stays 202 and the outage is logged as the provider's.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "@atlas/db";
import { HDKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { billingHeaders, emitInvoiceFinalized, STRIPE_ENV } from "./billing-fixtures.ts";
import { Anvil } from "./fakes/anvil.ts";
import { FakeRelay } from "./fakes/relay.ts";
import { FakeResend } from "./fakes/resend.ts";
import { FakeStripe } from "./fakes/stripe.ts";
import { FakeTwilio } from "./fakes/twilio.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

const CHAIN = 31337;

/** Error-level (pino 50) log lines written since `from`. */
function errorLines(t: TestApp, from: number): { provider?: string; msg: string; cause?: string }[] {
  return t.logs
    .slice(from)
    .map((l) => JSON.parse(l) as { level: number; provider?: string; msg: string; cause?: string })
    .filter((l) => l.level >= 50);
}

async function expectOutage(t: TestApp, res: Response, provider: string, from: number) {
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  const body = (await res.json()) as { code: string; detail: string };
  expect(body.code).toBe("PROVIDER_UNAVAILABLE");
  const lines = errorLines(t, from);
  expect(lines).toContainEqual(expect.objectContaining({ provider, msg: `provider unavailable: ${provider}` }));
  // The log names the provider's failure, never our key; the client sees neither.
  const text = t.logs.slice(from).join("");
  expect(text).not.toContain("sk_test_atlas");
  expect(JSON.stringify(body)).not.toMatch(/Stripe|HttpRequestError|relay quote|127\.0\.0\.1/);
}

describe("Stripe outages answer 503 PROVIDER_UNAVAILABLE", () => {
  let stripe: FakeStripe;
  let t: TestApp;
  beforeAll(async () => {
    stripe = await FakeStripe.start();
    t = await createTestApp({ env: STRIPE_ENV(stripe) });
    await t.reset();
  });
  afterAll(async () => {
    await t.close();
    await stripe.stop();
  });

  const createCustomer = (auth: Record<string, string>) =>
    t.app.request("/billing/customer", { method: "POST", headers: billingHeaders(auth) });

  it.each([
    [401, "StripeAuthenticationError"],
    [429, "StripeRateLimitError"],
    [500, "StripeAPIError"],
  ])(
    "Stripe answering %i (%s) → 503 with Retry-After and a logged error; with Stripe back it works",
    async (status, cls) => {
      const who = await loginTestUser(t);
      stripe.failWith = status;
      const from = t.logs.length;
      try {
        await expectOutage(t, await createCustomer(who.auth), "stripe", from);
        expect(errorLines(t, from).find((l) => l.provider === "stripe")?.cause).toContain(cls);
      } finally {
        stripe.failWith = null;
      }
      expect((await createCustomer(who.auth)).status).toBeLessThan(300);
    },
    30_000,
  );

  it("Stripe unreachable (StripeConnectionError) → 503 with Retry-After and a logged error", async () => {
    const down = await createTestApp({
      env: { ...STRIPE_ENV(stripe), STRIPE_API_BASE_URL: `http://127.0.0.1:${await freePort()}` },
    });
    try {
      await down.reset();
      const who = await loginTestUser(down);
      const from = down.logs.length;
      const res = await down.app.request("/billing/customer", { method: "POST", headers: billingHeaders(who.auth) });
      await expectOutage(down, res, "stripe", from);
      expect(errorLines(down, from).find((l) => l.provider === "stripe")?.cause).toContain("StripeConnectionError");
    } finally {
      await down.close();
    }
  }, 30_000);
});

/** A JSON-RPC gateway in front of anvil that can be taken down (answers 503, as a provider's edge does). */
class RpcGateway {
  up = true;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}
  static async start(upstream: string): Promise<RpcGateway> {
    let gateway: RpcGateway | undefined;
    const server = createServer(async (req, res) => {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      if (!gateway?.up) {
        res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
        return;
      }
      const answer = await fetch(upstream, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: raw,
      });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    gateway = new RpcGateway(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return gateway;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe("chain RPC and Relay outages answer 503 PROVIDER_UNAVAILABLE", () => {
  let anvil: Anvil;
  let gateway: RpcGateway;
  let relay: FakeRelay;
  let t: TestApp;
  beforeAll(async () => {
    anvil = await Anvil.start();
    gateway = await RpcGateway.start(anvil.rpcUrl);
    relay = await FakeRelay.start();
    t = await createTestApp({
      env: {
        // The collecting wallet's receiving branch: each quote gets its own deposit address.
        CRYPTO_DEPOSIT_XPUB: HDKey.fromMasterSeed(randomBytes(64)).derive("m/44'/60'/0'/0").publicExtendedKey,
        CRYPTO_RPC_URLS: `${CHAIN}=${gateway.url}`,
        CRYPTO_CONFIRMATIONS: `${CHAIN}=1`,
        CRYPTO_TOKENS: `${CHAIN}:ETH:native:18:300000`,
        RELAY_API_URL: relay.url,
        RELAY_API_KEY: "relay-test-key",
      },
    });
    await t.reset();
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await relay.stop();
    await gateway.stop();
    await anvil.stop();
  });

  async function invoiceDue() {
    const login = await loginTestUser(t);
    await t.app.request("/billing/customer", { method: "POST", headers: billingHeaders(login.auth) });
    await t.app.request("/billing/profile", {
      method: "PATCH",
      headers: billingHeaders(login.auth),
      body: JSON.stringify({ preferredProvider: "crypto" }),
    });
    const invoiceId = await emitInvoiceFinalized(t, {
      tenantId: login.tenant.id,
      userId: login.user.id,
      totalMinor: 900,
    });
    await billingConsumer(t.deps, { listen: false })?.drain();
    return { ...login, invoiceId };
  }
  const post = (path: string, auth: Record<string, string>, body: unknown) =>
    t.app.request(path, { method: "POST", headers: billingHeaders(auth), body: JSON.stringify(body) });

  it("RPC node down (HTTP 503 at the transport) → 503 with Retry-After and a logged error; back → an on-chain answer, not an outage", async () => {
    const who = await invoiceDue();
    const quoted = await post("/billing/crypto/quote", who.auth, {
      invoiceId: who.invoiceId,
      chainId: CHAIN,
      currency: "ETH",
    });
    expect(quoted.status).toBe(201);
    const txHash = `0x${"ab".repeat(32)}`;
    gateway.up = false;
    const from = t.logs.length;
    try {
      const res = await post("/billing/crypto/confirm", who.auth, { invoiceId: who.invoiceId, chainId: CHAIN, txHash });
      await expectOutage(t, res, "rpc", from);
      expect(errorLines(t, from).find((l) => l.provider === "rpc")?.cause).toContain("HttpRequestError");
    } finally {
      gateway.up = true;
    }
    // Reachable again: an unknown transaction is the payer's problem (402), never PROVIDER_UNAVAILABLE.
    const back = await post("/billing/crypto/confirm", who.auth, { invoiceId: who.invoiceId, chainId: CHAIN, txHash });
    expect(back.status).toBe(402);
    expect(await back.json()).toMatchObject({ code: "PAYMENT_FAILED" });
  }, 30_000);

  it("Relay failing (HTTP 502) → 503 with Retry-After and a logged error; with Relay back the quote works", async () => {
    const who = await invoiceDue();
    relay.failWith = 502;
    const from = t.logs.length;
    try {
      const res = await post("/billing/crypto/quote", who.auth, {
        invoiceId: who.invoiceId,
        chainId: CHAIN,
        currency: "ETH",
      });
      await expectOutage(t, res, "relay", from);
      expect(t.logs.slice(from).join("")).not.toContain("relay-test-key");
    } finally {
      relay.failWith = null;
    }
    const back = await post("/billing/crypto/quote", who.auth, {
      invoiceId: who.invoiceId,
      chainId: CHAIN,
      currency: "ETH",
    });
    expect(back.status).toBe(201);
  }, 30_000);
});

describe("Resend and Twilio outages: the login answer stays 202, the outage is logged as the provider's", () => {
  it("Resend answering 503 → 202, an error-level line naming resend; back → the mail is delivered", async () => {
    const resend = await FakeResend.start();
    const t = await createTestApp({
      env: {
        RESEND_API_KEY: "re_test_key_secret",
        RESEND_BASE_URL: resend.url,
        EMAIL_FROM: "Atlas <login@atlas.test>",
      },
    });
    try {
      await t.reset();
      resend.failWith = 503;
      const from = t.logs.length;
      expect((await t.app.request("/auth/email/start", jsonPost({ email: "down@example.test" }))).status).toBe(202);
      await waitForLog(t, from, "resend unavailable");
      expect(t.logs.slice(from).join("")).not.toContain("re_test_key_secret");
      resend.failWith = null;
      expect((await t.app.request("/auth/email/start", jsonPost({ email: "up@example.test" }))).status).toBe(202);
      const mails = await resend.waitFor(1);
      expect(mails.at(-1)?.body.to).toBe("up@example.test");
    } finally {
      await t.close();
      await resend.stop();
    }
  });

  it.each([500, 401])(
    "Twilio answering %i → 202, an error-level line naming twilio; back → the SMS is delivered",
    async (status) => {
      const twilio = await FakeTwilio.start();
      const t = await createTestApp({
        env: {
          TWILIO_ACCOUNT_SID: "ACtest",
          TWILIO_AUTH_TOKEN: "tok3n-secret",
          TWILIO_FROM: "+15005550006",
          TWILIO_BASE_URL: twilio.url,
        },
      });
      try {
        await t.reset();
        twilio.failWith = status;
        const from = t.logs.length;
        expect((await t.app.request("/auth/sms/start", jsonPost({ phone: "+14155550100" }))).status).toBe(202);
        await waitForLog(t, from, "twilio unavailable");
        expect(t.logs.slice(from).join("")).not.toContain("tok3n-secret");
        twilio.failWith = null;
        expect((await t.app.request("/auth/sms/start", jsonPost({ phone: "+14155550101" }))).status).toBe(202);
        const sms = await twilio.waitFor(1);
        expect(sms.at(-1)?.to).toBe("+14155550101");
      } finally {
        await t.close();
        await twilio.stop();
      }
    },
  );
});

/** Waits for an error-level line containing `text` (delivery runs after the answer). */
async function waitForLog(t: TestApp, from: number, text: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!errorLines(t, from).some((l) => JSON.stringify(l).includes(text))) {
    if (Date.now() > deadline)
      throw new Error(`no error-level log containing "${text}": ${t.logs.slice(from).join("")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

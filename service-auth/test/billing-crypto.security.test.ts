// Crypto payments on a real local chain (anvil) with a solc-compiled ERC-20: a transfer pays an
// invoice only when it is confirmed, to us, in the quoted token, for at least the amount due, and
// only once.

import { createWalletClient, type Hex, http, keccak256, parseEther, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { billingEvents, billingHeaders, emitInvoiceFinalized } from "./billing-fixtures.ts";
import { Anvil, compileTestToken } from "./fakes/anvil.ts";
import { FakeRelay } from "./fakes/relay.ts";
import { loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

/** anvil's second pre-funded development account (public, well-known test key). */
const PAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as Hex;
const CHAIN = 31337;

let anvil: Anvil;
let relay: FakeRelay;
let t: TestApp;
let withRelay: TestApp;
let usdc: Hex;
let other: Hex;
const recipient = privateKeyToAccount(generatePrivateKey()).address;
const payer = createWalletClient({ account: privateKeyToAccount(PAYER_KEY), chain: foundry, transport: http() });
let tokenAbi: ReturnType<typeof compileTestToken>["abi"];

beforeAll(async () => {
  anvil = await Anvil.start();
  relay = await FakeRelay.start();
  const token = compileTestToken();
  tokenAbi = token.abi;
  usdc = await anvil.deploy(token, ["USD Coin", "USDC", 6]);
  other = await anvil.deploy(token, ["Other", "OTH", 6]);
  const payerClient = createWalletClient({
    account: privateKeyToAccount(PAYER_KEY),
    chain: foundry,
    transport: http(anvil.rpcUrl),
  });
  Object.assign(payer, payerClient);
  for (const address of [usdc, other]) {
    const hash = await payerClient.writeContract({
      address,
      abi: tokenAbi,
      functionName: "mint",
      args: [payerClient.account.address, 1_000_000_000_000n],
    });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  }
  const env = {
    CRYPTO_RECIPIENT_ADDRESS: recipient,
    CRYPTO_RPC_URLS: `${CHAIN}=${anvil.rpcUrl}`,
    CRYPTO_CONFIRMATIONS: `${CHAIN}=3`,
    CRYPTO_TOKENS: `${CHAIN}:USDC:${usdc}:6:100,${CHAIN}:ETH:native:18:300000`,
  };
  t = await createTestApp({ env });
  withRelay = await createTestApp({ env: { ...env, RELAY_API_URL: relay.url, RELAY_API_KEY: "relay-test-key" } });
});
beforeEach(async () => {
  await t.reset();
});
afterAll(async () => {
  await t.close();
  await withRelay.close();
  await relay.stop();
  await anvil.stop();
});

const post = (app: TestApp, path: string, auth: Record<string, string>, body: unknown) =>
  app.app.request(path, { method: "POST", headers: billingHeaders(auth), body: JSON.stringify(body) });

/** A crypto-paying customer with a finalized invoice of `totalMinor` cents awaiting payment. */
async function invoiceDue(app: TestApp, totalMinor = 2_500, who?: Awaited<ReturnType<typeof loginTestUser>>) {
  const login = who ?? (await loginTestUser(app));
  await app.app.request("/billing/customer", { method: "POST", headers: billingHeaders(login.auth) });
  const chosen = await app.app.request("/billing/profile", {
    method: "PATCH",
    headers: billingHeaders(login.auth),
    body: JSON.stringify({ preferredProvider: "crypto" }),
  });
  expect(await chosen.json()).toMatchObject({ preferredProvider: "crypto", cryptoEnabled: true });
  const invoiceId = await emitInvoiceFinalized(app, { tenantId: login.tenant.id, userId: login.user.id, totalMinor });
  await billingConsumer(app.deps, { listen: false })?.drain();
  return { ...login, invoiceId };
}

async function quote(app: TestApp, auth: Record<string, string>, invoiceId: string, currency = "USDC") {
  const res = await post(app, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency });
  expect(res.status).toBe(201);
  return (await res.json()) as { amount: string; address: string; tokenAddress: string | null; relay: unknown };
}

async function sendToken(token: Hex, to: Hex, value: bigint): Promise<Hex> {
  const hash = await payer.writeContract({
    address: token,
    abi: tokenAbi,
    functionName: "transfer",
    args: [to, value],
  });
  await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  return hash;
}

const confirm = (app: TestApp, auth: Record<string, string>, invoiceId: string, txHash: Hex) =>
  post(app, "/billing/crypto/confirm", auth, { invoiceId, chainId: CHAIN, txHash });

async function expectRefused(res: Response, status: number, code: string, reason?: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: string; reason?: string };
  expect(body.code).toBe(code);
  if (reason) expect(body.reason).toBe(reason);
}

async function unchanged(app: TestApp, invoiceId: string) {
  expect((await app.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } })).status).toBe("pending");
  expect(await billingEvents(app, "payment.succeeded")).toHaveLength(0);
}

describe("crypto payments", () => {
  it("quotes an invoice in a token and settles it once the transfer has its confirmations", async () => {
    const { auth, invoiceId, user } = await invoiceDue(t);
    const request = await quote(t, auth, invoiceId);
    expect(request).toMatchObject({ amount: "25000000", address: recipient, tokenAddress: usdc, relay: null });
    const hash = await sendToken(usdc, recipient, 25_000_000n);
    await expectRefused(await confirm(t, auth, invoiceId, hash), 402, "PAYMENT_FAILED", "unconfirmed");
    await unchanged(t, invoiceId);
    await anvil.mine(2);
    const ok = await confirm(t, auth, invoiceId, hash);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ invoiceId, txHash: hash, status: "confirmed" });
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } })).toMatchObject({
      status: "succeeded",
      provider: "crypto",
    });
    const paid = await billingEvents(t, "payment.succeeded");
    expect(paid).toHaveLength(1);
    expect(paid[0]?.payload).toMatchObject({ invoiceId, userId: user.id, provider: "crypto", amountMinor: 2_500 });
    expect(JSON.stringify(paid[0]?.payload)).toContain(hash);
    // Paid: confirming again is a conflict, quoting too.
    await expectRefused(await confirm(t, auth, invoiceId, hash), 409, "CONFLICT");
    await expectRefused(
      await post(t, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "USDC" }),
      409,
      "CONFLICT",
    );
  });

  it("accepts the chain's native coin by value", async () => {
    const { auth, invoiceId } = await invoiceDue(t, 3_000);
    const request = await quote(t, auth, invoiceId, "ETH");
    expect(request.amount).toBe(parseEther("0.01").toString());
    const hash = await payer.sendTransaction({ to: recipient, value: BigInt(request.amount) });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    await anvil.mine(2);
    expect((await confirm(t, auth, invoiceId, hash)).status).toBe(200);
  });

  it("refuses a transfer of the wrong amount, to the wrong recipient, of the wrong token, reverted or unknown", async () => {
    const { auth, invoiceId } = await invoiceDue(t);
    await quote(t, auth, invoiceId);
    const short = await sendToken(usdc, recipient, 24_999_999n);
    const elsewhere = await sendToken(usdc, privateKeyToAccount(generatePrivateKey()).address, 25_000_000n);
    const wrongToken = await sendToken(other, recipient, 25_000_000n);
    const lowNative = await payer.sendTransaction({ to: recipient, value: 1n });
    const reverted = await payer.writeContract({
      address: usdc,
      abi: tokenAbi,
      functionName: "transfer",
      args: [recipient, 10n ** 30n],
      gas: 100_000n,
    });
    await anvil.publicClient.waitForTransactionReceipt({ hash: reverted, pollingInterval: 50 });
    await anvil.mine(3);
    await expectRefused(await confirm(t, auth, invoiceId, short), 402, "PAYMENT_FAILED", "amount_too_low");
    await expectRefused(await confirm(t, auth, invoiceId, elsewhere), 402, "PAYMENT_FAILED", "wrong_recipient");
    await expectRefused(await confirm(t, auth, invoiceId, wrongToken), 402, "PAYMENT_FAILED", "wrong_token");
    await expectRefused(await confirm(t, auth, invoiceId, lowNative), 402, "PAYMENT_FAILED", "wrong_token");
    await expectRefused(await confirm(t, auth, invoiceId, reverted), 402, "PAYMENT_FAILED", "reverted");
    await expectRefused(
      await confirm(t, auth, invoiceId, keccak256(toHex("nothing"))),
      402,
      "PAYMENT_FAILED",
      "not_found",
    );
    await unchanged(t, invoiceId);
    // A native quote refuses a token transfer's transaction (its value goes to the token contract).
    await quote(t, auth, invoiceId, "ETH");
  });

  it("the same transfer confirmed for two invoices: the second is refused", async () => {
    const first = await invoiceDue(t);
    const second = await invoiceDue(t, 2_500, first);
    await quote(t, first.auth, first.invoiceId);
    await quote(t, first.auth, second.invoiceId);
    const hash = await sendToken(usdc, recipient, 25_000_000n);
    await anvil.mine(2);
    expect((await confirm(t, first.auth, first.invoiceId, hash)).status).toBe(200);
    await expectRefused(await confirm(t, first.auth, second.invoiceId, hash), 409, "CONFLICT");
    expect((await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId: second.invoiceId } })).status).toBe(
      "pending",
    );
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
  });

  it("never lets a user quote or confirm another user's invoice, an expired quote, or an unaccepted token", async () => {
    const { auth, invoiceId } = await invoiceDue(t);
    const mallory = await loginTestUser(t);
    await expectRefused(
      await post(t, "/billing/crypto/quote", mallory.auth, { invoiceId, chainId: CHAIN, currency: "USDC" }),
      404,
      "NOT_FOUND",
    );
    await expectRefused(
      await post(t, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "DOGE" }),
      400,
      "VALIDATION_FAILED",
    );
    await expectRefused(
      await post(t, "/billing/crypto/quote", auth, { invoiceId, chainId: 1, currency: "USDC" }),
      400,
      "VALIDATION_FAILED",
    );
    await quote(t, auth, invoiceId);
    const hash = await sendToken(usdc, recipient, 25_000_000n);
    await anvil.mine(2);
    await expectRefused(await confirm(t, mallory.auth, invoiceId, hash), 404, "NOT_FOUND");
    // The quote has expired (moved in the data: the access token would expire first): no open request.
    await t.deps.prisma.cryptoPayment.updateMany({ where: { invoiceId }, data: { expiresAt: t.clock.now } });
    await expectRefused(await confirm(t, auth, invoiceId, hash), 404, "NOT_FOUND");
    await unchanged(t, invoiceId);
  });

  it("quotes through the Relay API when it is configured", async () => {
    await withRelay.reset();
    const { auth, invoiceId } = await invoiceDue(withRelay);
    const request = (await quote(withRelay, auth, invoiceId)) as { relay: { amountIn: string; requestId: string } };
    expect(request.relay.amountIn).toBe("25001000");
    expect(relay.received.at(-1)).toMatchObject({
      apiKey: "relay-test-key",
      body: { destinationCurrency: usdc, recipient, amount: "25000000", tradeType: "EXACT_OUTPUT" },
    });
    const stored = await withRelay.deps.prisma.cryptoPayment.findFirstOrThrow({ where: { invoiceId } });
    expect(stored.relayQuoteId).toBe(request.relay.requestId);
    relay.failWith = 502;
    const down = await post(withRelay, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "USDC" });
    expect(down.status).toBe(503);
    relay.failWith = null;
  });
});

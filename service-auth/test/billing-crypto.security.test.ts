// Crypto payments on a real local chain (anvil) with solc-compiled contracts: a transfer pays an
// invoice only when it is confirmed, into the quote's own deposit address, in the quoted token,
// mined after the quote and still in the chain when it settles; prices come from a fresh feed;
// over- and underpayments are credited, never lost.

import { type Hex, keccak256, parseEther, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadAuthConfig } from "../src/config.ts";
import { ChainlinkRateSource } from "../src/services/billing/crypto/crypto-rates.ts";
import { depositAddress } from "../src/services/billing/crypto/deposit-addresses.ts";
import { billingEvents } from "./billing-fixtures.ts";
import {
  CHAIN,
  confirm,
  credits,
  ETH_USD,
  expectRefused,
  invoiceDue,
  post,
  quote,
  sendToken,
  setPrice,
  startTestChain,
  type TestChain,
  walletAddressAt,
} from "./crypto-fixtures.ts";
import { FakeRelay } from "./fakes/relay.ts";
import { RpcProxy } from "./fakes/rpc-proxy.ts";
import { loginTestUser } from "./fixtures.ts";
import { createTestApp, FIXED_NOW, TEST_ENV, type TestApp } from "./harness.ts";

let chain: TestChain;
let relay: FakeRelay;
let proxy: RpcProxy;
let t: TestApp;
let withRelay: TestApp;
let viaProxy: TestApp;

beforeAll(async () => {
  chain = await startTestChain();
  relay = await FakeRelay.start();
  proxy = await RpcProxy.start(chain.anvil.rpcUrl);
  t = await createTestApp({ env: chain.env() });
  withRelay = await createTestApp({
    env: { ...chain.env(), RELAY_API_URL: relay.url, RELAY_API_KEY: "relay-test-key" },
  });
  viaProxy = await createTestApp({ env: chain.env(proxy.url) });
});
beforeEach(async () => {
  await t.reset();
  await setPrice(chain, ETH_USD, new Date(FIXED_NOW.getTime() - 60_000));
});
afterAll(async () => {
  await t.close();
  await withRelay.close();
  await viaProxy.close();
  await proxy.stop();
  await relay.stop();
  await chain.anvil.stop();
});

async function unchanged(app: TestApp, invoiceId: string) {
  expect((await app.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId } })).status).toBe("pending");
  expect(await billingEvents(app, "payment.succeeded")).toHaveLength(0);
}

const send = (to: Hex, value: bigint, token: Hex = chain.usdc) => sendToken(chain, token, to, value);

describe("crypto payments", () => {
  it("quotes an invoice into a deposit address of its own and settles it once the transfer has its confirmations", async () => {
    const { auth, invoiceId, user } = await invoiceDue(t);
    const request = await quote(t, auth, invoiceId);
    expect(request).toMatchObject({ amount: "25000000", tokenAddress: chain.usdc, relay: null });
    // The address is child N of the xpub: the operator's wallet holds its key.
    const stored = await t.deps.prisma.cryptoPayment.findUniqueOrThrow({ where: { id: request.paymentId } });
    expect(request.address).toBe(walletAddressAt(chain, stored.depositIndex as number));
    expect(depositAddress(chain.xpub, stored.depositIndex as number)).toBe(request.address);
    // Another quote, another address.
    const again = await quote(t, auth, invoiceId);
    expect(again.address).not.toBe(request.address);
    const hash = await send(request.address, 25_000_000n);
    await expectRefused(await confirm(t, auth, invoiceId, hash), 402, "PAYMENT_FAILED", "unconfirmed");
    await unchanged(t, invoiceId);
    await chain.anvil.mine(2);
    const ok = await confirm(t, auth, invoiceId, hash);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ invoiceId, txHash: hash, status: "confirmed", creditedMinor: 0 });
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
    expect((await credits(t, auth)).balances).toEqual([]);
  });

  it("accepts the chain's native coin by value, priced by the ETH/USD feed", async () => {
    const { auth, invoiceId } = await invoiceDue(t, 3_000);
    const request = await quote(t, auth, invoiceId, "ETH");
    expect(request.amount).toBe(parseEther("0.01").toString());
    const stored = await t.deps.prisma.cryptoPayment.findUniqueOrThrow({ where: { id: request.paymentId } });
    expect(stored).toMatchObject({ rateAnswer: ETH_USD.toString(), rateDecimals: 8, quotedMinor: 3_000 });
    // The price moves: the next quote follows it ($2,000 → 0.015 ETH).
    await setPrice(chain, 2_000_00000000n, FIXED_NOW);
    expect((await quote(t, auth, invoiceId, "ETH")).amount).toBe(parseEther("0.015").toString());
    const hash = await chain.payer.sendTransaction({ to: request.address, value: BigInt(request.amount) });
    await chain.anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    await chain.anvil.mine(2);
    expect((await confirm(t, auth, invoiceId, hash)).status).toBe(200);
  });

  it("native coin forwarded by a contract wallet (an internal transfer) is found in the call trace", async () => {
    const { auth, invoiceId } = await invoiceDue(t, 3_000);
    const request = await quote(t, auth, invoiceId, "ETH");
    const hash = await chain.payer.writeContract({
      address: chain.forwarder,
      abi: chain.forwarderAbi,
      functionName: "forward",
      args: [request.address],
      value: BigInt(request.amount),
    });
    await chain.anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    await chain.anvil.mine(2);
    const ok = await confirm(t, auth, invoiceId, hash);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ logIndex: -1, status: "confirmed" });
  });

  it("refuses a transfer to the wrong address, of the wrong token, reverted or unknown", async () => {
    const { auth, invoiceId } = await invoiceDue(t);
    const { address } = await quote(t, auth, invoiceId);
    const elsewhere = await send(privateKeyToAccount(generatePrivateKey()).address, 25_000_000n);
    const wrongToken = await send(address, 25_000_000n, chain.other);
    const lowNative = await chain.payer.sendTransaction({ to: address, value: 1n });
    const reverted = await chain.payer.writeContract({
      address: chain.usdc,
      abi: chain.tokenAbi,
      functionName: "transfer",
      args: [address, 10n ** 30n],
      gas: 100_000n,
    });
    await chain.anvil.publicClient.waitForTransactionReceipt({ hash: reverted, pollingInterval: 50 });
    await chain.anvil.mine(3);
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
  });

  it("an attacker cannot claim the victim's transfer for their own invoice: each quote has its own address", async () => {
    const victim = await invoiceDue(t);
    const mallory = await invoiceDue(t);
    const victimQuote = await quote(t, victim.auth, victim.invoiceId);
    await quote(t, mallory.auth, mallory.invoiceId);
    const hash = await send(victimQuote.address, 25_000_000n);
    await chain.anvil.mine(2);
    // Mallory sees the transfer on chain and confirms it first, for her own invoice.
    await expectRefused(
      await confirm(t, mallory.auth, mallory.invoiceId, hash),
      402,
      "PAYMENT_FAILED",
      "wrong_recipient",
    );
    await unchanged(t, mallory.invoiceId);
    expect((await confirm(t, victim.auth, victim.invoiceId, hash)).status).toBe(200);
    // And once used, the transfer pays nothing else.
    await expectRefused(await confirm(t, mallory.auth, mallory.invoiceId, hash), 409, "CONFLICT");
  });

  it("refuses a transfer mined before the quote was made", async () => {
    const { auth, invoiceId } = await invoiceDue(t);
    const head = await chain.anvil.publicClient.getBlock();
    // The quote is made two minutes after the chain's latest block; the transfer lands in a block
    // stamped before it (anvil's clock is set back to the head's time).
    t.clock.now = new Date(Number(head.timestamp) * 1000 + 120_000);
    const { address } = await quote(t, auth, invoiceId);
    await chain.anvil.rpc("evm_setNextBlockTimestamp", [Number(head.timestamp) + 1]);
    const hash = await send(address, 25_000_000n);
    await chain.anvil.mine(2);
    await expectRefused(await confirm(t, auth, invoiceId, hash), 402, "PAYMENT_FAILED", "before_quote");
    await unchanged(t, invoiceId);
  });

  it("refuses a transfer reorganized out of the chain between its verification and the settlement", async () => {
    await viaProxy.reset();
    const { auth, invoiceId } = await invoiceDue(viaProxy);
    const { address } = await quote(viaProxy, auth, invoiceId);
    const hash = await send(address, 25_000_000n);
    await chain.anvil.mine(3);
    const before = await chain.anvil.publicClient.getBlockNumber();
    // The node answers the block of the transfer, then the chain reorganizes 5 blocks deep (the
    // transfer's block included, replaced by empty ones) before the answer reaches service-auth.
    proxy.after("eth_getBlockByHash", async () => {
      await chain.anvil.rpc("anvil_reorg", [5, []]);
    });
    await expectRefused(await confirm(viaProxy, auth, invoiceId, hash), 402, "PAYMENT_FAILED", "reorged");
    expect(await chain.anvil.publicClient.getBlockNumber()).toBe(before);
    expect(await chain.anvil.publicClient.getTransactionReceipt({ hash }).catch(() => null)).toBeNull();
    await unchanged(viaProxy, invoiceId);
    await expectRefused(await confirm(viaProxy, auth, invoiceId, hash), 402, "PAYMENT_FAILED", "not_found");
  });

  it("refuses to quote at a stale price: 503 until the feed answers again within the age limit", async () => {
    const { auth, invoiceId } = await invoiceDue(t, 3_000);
    await setPrice(chain, ETH_USD, new Date(FIXED_NOW.getTime() - 3_601_000));
    const stale = await expectRefused(
      await post(t, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "ETH" }),
      503,
      "SERVICE_UNAVAILABLE",
      "stale_rate",
    );
    expect(stale).toMatchObject({ ageSec: 3_601, maxAgeSec: 3_600 });
    expect(String(stale.detail)).toContain("ETH/USD price is 3601 s old");
    expect(await t.deps.prisma.cryptoPayment.count({ where: { invoiceId } })).toBe(0);
    // A pegged stablecoin has no feed to go stale.
    await quote(t, auth, invoiceId, "USDC");
    await setPrice(chain, ETH_USD, FIXED_NOW);
    await quote(t, auth, invoiceId, "ETH");
  });

  it("a feed without a valid answer, unreadable, or on a chain without RPC is an outage (503), never a guess", async () => {
    const eth = t.deps.config.CRYPTO_TOKENS.find((x) => x.symbol === "ETH");
    if (!eth) throw new Error("ETH not configured");
    const rates = new ChainlinkRateSource(() => chain.anvil.publicClient);
    expect(await rates.latest(eth)).toMatchObject({ answer: ETH_USD, decimals: 8 });
    const codeless = privateKeyToAccount(generatePrivateKey()).address;
    await expect(rates.latest({ ...eth, feed: codeless })).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: "The ETH/USD price feed cannot be read",
    });
    await expect(new ChainlinkRateSource(() => null).latest(eth)).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
    });
    await setPrice(chain, 0n, FIXED_NOW);
    await expect(rates.latest(eth)).rejects.toMatchObject({ message: "The ETH/USD price feed has no valid answer" });
    const { auth, invoiceId } = await invoiceDue(t, 3_000);
    await expectRefused(
      await post(t, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "ETH" }),
      503,
      "SERVICE_UNAVAILABLE",
    );
  });

  it("configuration: an xpub (never an xprv), tokens priced by a feed address or a pegged fixed price", () => {
    const config = loadAuthConfig({ ...TEST_ENV, ...chain.env() });
    expect(config.CRYPTO_TOKENS).toEqual([
      { chainId: CHAIN, symbol: "USDC", address: chain.usdc, decimals: 6, usdMinorPerToken: 100, feed: null },
      { chainId: CHAIN, symbol: "ETH", address: null, decimals: 18, usdMinorPerToken: null, feed: chain.feed },
    ]);
    expect(() => loadAuthConfig({ ...TEST_ENV, CRYPTO_DEPOSIT_XPUB: chain.master.privateExtendedKey })).toThrow();
    expect(() => loadAuthConfig({ ...TEST_ENV, CRYPTO_DEPOSIT_XPUB: "xpub-not-really" })).toThrow();
    expect(() => loadAuthConfig({ ...TEST_ENV, CRYPTO_TOKENS: `${CHAIN}:ETH:native:18:0` })).toThrow();
    expect(() => loadAuthConfig({ ...TEST_ENV, CRYPTO_TOKENS: `${CHAIN}:ETH:native:18:0x12` })).toThrow();
  });

  it("an overpayment settles the invoice and credits the excess, applied to the next invoice", async () => {
    const { auth, invoiceId, user, tenant, ...login } = await invoiceDue(t);
    const { address } = await quote(t, auth, invoiceId);
    const hash = await send(address, 30_000_000n);
    await chain.anvil.mine(2);
    const ok = await confirm(t, auth, invoiceId, hash);
    expect(await ok.json()).toMatchObject({ status: "confirmed", creditedMinor: 500 });
    const ledger = await credits(t, auth);
    expect(ledger.balances).toEqual([{ currency: "usd", amountMinor: 500 }]);
    expect(ledger.entries).toMatchObject([
      { amountMinor: 500, reason: "overpayment", source: `eip155:${CHAIN}:${hash}:0`, invoiceId },
    ]);
    // The next invoice is charged less the credit: the quote asks for $15.00, not $20.00.
    const next = await invoiceDue(t, 2_000, { auth, user, tenant, ...login });
    expect(await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId: next.invoiceId } })).toMatchObject({
      amountMinor: 2_000,
      creditAppliedMinor: 500,
    });
    expect((await quote(t, auth, next.invoiceId)).amount).toBe("15000000");
    const after = await credits(t, auth);
    expect(after.balances).toEqual([{ currency: "usd", amountMinor: 0 }]);
    expect(after.entries.find((e) => e.reason === "applied")).toMatchObject({
      amountMinor: -500,
      invoiceId: next.invoiceId,
      source: `applied:${next.invoiceId}:0`,
    });
  });

  it("an underpayment is credited toward the invoice, which stays unpaid with the rest due", async () => {
    const { auth, invoiceId } = await invoiceDue(t);
    const { address } = await quote(t, auth, invoiceId);
    const short = await send(address, 24_000_000n);
    await chain.anvil.mine(2);
    const partial = await expectRefused(
      await confirm(t, auth, invoiceId, short),
      402,
      "PAYMENT_FAILED",
      "amount_too_low",
    );
    expect(partial).toMatchObject({ creditedMinor: 2_400, remainingMinor: 100 });
    // A retried confirm answers the same, and records nothing twice.
    expect(
      await expectRefused(await confirm(t, auth, invoiceId, short), 402, "PAYMENT_FAILED", "amount_too_low"),
    ).toMatchObject({ creditedMinor: 2_400, remainingMinor: 100 });
    await unchanged(t, invoiceId);
    const ledger = await credits(t, auth);
    expect(ledger.balances).toEqual([{ currency: "usd", amountMinor: 0 }]);
    expect(ledger.entries.map((e) => [e.reason, e.amountMinor]).sort()).toEqual([
      ["applied", -2_400],
      ["underpayment", 2_400],
    ]);
    // The rest: $1.00 on a new quote, and then the invoice is paid.
    const rest = await quote(t, auth, invoiceId);
    expect(rest.amount).toBe("1000000");
    const hash = await send(rest.address, 1_000_000n);
    await chain.anvil.mine(2);
    expect(await (await confirm(t, auth, invoiceId, hash)).json()).toMatchObject({ status: "confirmed" });
    const paid = await billingEvents(t, "payment.succeeded");
    expect(paid.map((e) => e.payload)).toMatchObject([{ invoiceId, amountMinor: 2_500 }]);
  });

  it("the same transfer confirmed for two invoices: the second is refused", async () => {
    const first = await invoiceDue(t);
    const second = await invoiceDue(t, 2_500, first);
    const { address } = await quote(t, first.auth, first.invoiceId);
    await quote(t, first.auth, second.invoiceId);
    const hash = await send(address, 25_000_000n);
    await chain.anvil.mine(2);
    expect((await confirm(t, first.auth, first.invoiceId, hash)).status).toBe(200);
    await expectRefused(await confirm(t, first.auth, second.invoiceId, hash), 409, "CONFLICT");
    expect((await t.deps.prisma.charge.findUniqueOrThrow({ where: { invoiceId: second.invoiceId } })).status).toBe(
      "pending",
    );
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
  });

  it("never lets a user quote or confirm another user's invoice, or an unaccepted token", async () => {
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
    const { address } = await quote(t, auth, invoiceId);
    const hash = await send(address, 25_000_000n);
    await chain.anvil.mine(2);
    await expectRefused(await confirm(t, mallory.auth, invoiceId, hash), 404, "NOT_FOUND");
    await unchanged(t, invoiceId);
  });

  it("a transfer mined after its quote expired still counts, at the lower of the quote's and today's price", async () => {
    const { auth, invoiceId } = await invoiceDue(t, 3_000);
    const request = await quote(t, auth, invoiceId, "ETH");
    // The quote expired before the transfer's block; ETH fell from $3,000 to $2,000 meanwhile.
    await t.deps.prisma.cryptoPayment.updateMany({
      where: { id: request.paymentId },
      data: { expiresAt: new Date(FIXED_NOW.getTime() - 1) },
    });
    await setPrice(chain, 2_000_00000000n, FIXED_NOW);
    const hash = await chain.payer.sendTransaction({ to: request.address, value: BigInt(request.amount) });
    await chain.anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    await chain.anvil.mine(2);
    // 0.01 ETH is worth $20.00 now: credited toward the $30.00 invoice, $10.00 left.
    const late = await expectRefused(await confirm(t, auth, invoiceId, hash), 402, "PAYMENT_FAILED", "amount_too_low");
    expect(late).toMatchObject({ creditedMinor: 2_000, remainingMinor: 1_000 });
    // A late transfer at a price that rose since counts at the quote's price, not more.
    const second = await quote(t, auth, invoiceId, "ETH");
    expect(second.amount).toBe(parseEther("0.005").toString());
    await t.deps.prisma.cryptoPayment.updateMany({
      where: { id: second.paymentId },
      data: { expiresAt: new Date(FIXED_NOW.getTime() - 1) },
    });
    await setPrice(chain, 4_000_00000000n, FIXED_NOW);
    const rest = await chain.payer.sendTransaction({ to: second.address, value: BigInt(second.amount) });
    await chain.anvil.publicClient.waitForTransactionReceipt({ hash: rest, pollingInterval: 50 });
    await chain.anvil.mine(2);
    expect(await (await confirm(t, auth, invoiceId, rest)).json()).toMatchObject({
      status: "confirmed",
      creditedMinor: 0,
    });
    expect(await billingEvents(t, "payment.succeeded")).toHaveLength(1);
  });

  it("quotes through the Relay API when it is configured, to the quote's deposit address", async () => {
    await withRelay.reset();
    const { auth, invoiceId } = await invoiceDue(withRelay);
    const request = (await quote(withRelay, auth, invoiceId)) as Awaited<ReturnType<typeof quote>> & {
      relay: { amountIn: string; requestId: string };
    };
    expect(request.relay.amountIn).toBe("25001000");
    expect(relay.received.at(-1)).toMatchObject({
      apiKey: "relay-test-key",
      body: {
        destinationCurrency: chain.usdc,
        recipient: request.address,
        amount: "25000000",
        tradeType: "EXACT_OUTPUT",
      },
    });
    const stored = await withRelay.deps.prisma.cryptoPayment.findFirstOrThrow({ where: { invoiceId } });
    expect(stored.relayQuoteId).toBe(request.relay.requestId);
    relay.failWith = 502;
    const down = await post(withRelay, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency: "USDC" });
    expect(down.status).toBe(503);
    relay.failWith = null;
  });
});

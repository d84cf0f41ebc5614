// A local chain for crypto payment tests: anvil started at the test clock's time, an ERC-20
// "USDC" (pegged), a second token, an ETH/USD Chainlink-style feed, a value forwarder (a contract
// wallet's way of paying), and the collecting wallet's xpub (deposit addresses per quote).

import { randomBytes } from "node:crypto";
import { createWalletClient, type Hex, http } from "viem";
import { HDKey, hdKeyToAccount, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { expect } from "vitest";
import { billingConsumer } from "../src/services/billing/jobs.ts";
import { billingHeaders, emitInvoiceFinalized } from "./billing-fixtures.ts";
import { Anvil, compileFeedContracts, compileTestToken } from "./fakes/anvil.ts";
import { loginTestUser } from "./fixtures.ts";
import { FIXED_NOW, type TestApp } from "./harness.ts";

/** anvil's second pre-funded development account (public, well-known test key). */
export const PAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as Hex;
export const CHAIN = 31337;
/** ETH at $3,000.00 with 8 feed decimals, as Chainlink's ETH/USD feed answers. */
export const ETH_USD = 3_000_00000000n;

export interface TestChain {
  anvil: Anvil;
  usdc: Hex;
  other: Hex;
  feed: Hex;
  forwarder: Hex;
  /** The collecting wallet's master key (the operator's; the service only gets the xpub). */
  master: HDKey;
  xpub: string;
  payer: ReturnType<typeof payerWallet>;
  tokenAbi: ReturnType<typeof compileTestToken>["abi"];
  feedAbi: ReturnType<typeof compileFeedContracts>["TestPriceFeed"]["abi"];
  forwarderAbi: ReturnType<typeof compileFeedContracts>["Forwarder"]["abi"];
  env: (rpcUrl?: string) => Record<string, string>;
}

const payerWallet = (rpcUrl: string) =>
  createWalletClient({ account: privateKeyToAccount(PAYER_KEY), chain: foundry, transport: http(rpcUrl) });

/** Starts the chain at FIXED_NOW (quotes are made at the test clock: blocks come after them). */
export async function startTestChain(): Promise<TestChain> {
  const anvil = await Anvil.start(["--timestamp", String(Math.floor(FIXED_NOW.getTime() / 1000))]);
  const token = compileTestToken();
  const { TestPriceFeed, Forwarder } = compileFeedContracts();
  const usdc = await anvil.deploy(token, ["USD Coin", "USDC", 6]);
  const other = await anvil.deploy(token, ["Other", "OTH", 6]);
  const feed = await anvil.deploy(TestPriceFeed, [8]);
  const forwarder = await anvil.deploy(Forwarder, []);
  const payer = payerWallet(anvil.rpcUrl);
  for (const address of [usdc, other]) {
    const hash = await payer.writeContract({
      address,
      abi: token.abi,
      functionName: "mint",
      args: [payer.account.address, 1_000_000_000_000n],
    });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  }
  const master = HDKey.fromMasterSeed(randomBytes(64));
  const xpub = master.derive("m/44'/60'/0'/0").publicExtendedKey;
  const chain: TestChain = {
    anvil,
    usdc,
    other,
    feed,
    forwarder,
    master,
    xpub,
    payer,
    tokenAbi: token.abi,
    feedAbi: TestPriceFeed.abi,
    forwarderAbi: Forwarder.abi,
    env: (rpcUrl = anvil.rpcUrl) => ({
      CRYPTO_DEPOSIT_XPUB: xpub,
      CRYPTO_RPC_URLS: `${CHAIN}=${rpcUrl}`,
      CRYPTO_CONFIRMATIONS: `${CHAIN}=3`,
      CRYPTO_TOKENS: `${CHAIN}:USDC:${usdc}:6:100,${CHAIN}:ETH:native:18:${feed}`,
      CRYPTO_RATE_MAX_AGE_SEC: "3600",
    }),
  };
  await setPrice(chain, ETH_USD, FIXED_NOW);
  return chain;
}

/** A new feed round: `answer` (8 decimals) as of `updatedAt`. */
export async function setPrice(chain: TestChain, answer: bigint, updatedAt: Date): Promise<void> {
  const hash = await chain.anvil.deployer.writeContract({
    address: chain.feed,
    abi: chain.feedAbi,
    functionName: "setAnswer",
    args: [answer, BigInt(Math.floor(updatedAt.getTime() / 1000))],
    account: chain.anvil.deployer.account ?? null,
    chain: foundry,
  });
  await chain.anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
}

/** The address the operator's wallet (which has the keys) holds at receiving index `index`. */
export const walletAddressAt = (chain: TestChain, index: number) =>
  hdKeyToAccount(chain.master, { addressIndex: index }).address;

export const post = (app: TestApp, path: string, auth: Record<string, string>, body: unknown) =>
  app.app.request(path, { method: "POST", headers: billingHeaders(auth), body: JSON.stringify(body) });

/** A crypto-paying customer with a finalized invoice of `totalMinor` cents awaiting payment. */
export async function invoiceDue(
  app: TestApp,
  totalMinor = 2_500,
  who?: Awaited<ReturnType<typeof loginTestUser>>,
  extra: { dueAt?: string } = {},
) {
  const login = who ?? (await loginTestUser(app));
  await app.app.request("/billing/customer", { method: "POST", headers: billingHeaders(login.auth) });
  const chosen = await app.app.request("/billing/profile", {
    method: "PATCH",
    headers: billingHeaders(login.auth),
    body: JSON.stringify({ preferredProvider: "crypto" }),
  });
  expect(await chosen.json()).toMatchObject({ preferredProvider: "crypto", cryptoEnabled: true });
  const invoiceId = await emitInvoiceFinalized(app, {
    tenantId: login.tenant.id,
    userId: login.user.id,
    totalMinor,
    ...extra,
  });
  await billingConsumer(app.deps, { listen: false })?.drain();
  return { ...login, invoiceId };
}

export interface Quote {
  paymentId: string;
  amount: string;
  address: Hex;
  tokenAddress: string | null;
  relay: unknown;
}

export async function quote(app: TestApp, auth: Record<string, string>, invoiceId: string, currency = "USDC") {
  const res = await post(app, "/billing/crypto/quote", auth, { invoiceId, chainId: CHAIN, currency });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Quote;
}

export async function sendToken(chain: TestChain, token: Hex, to: Hex, value: bigint): Promise<Hex> {
  const hash = await chain.payer.writeContract({
    address: token,
    abi: chain.tokenAbi,
    functionName: "transfer",
    args: [to, value],
  });
  await chain.anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  return hash;
}

export const confirm = (app: TestApp, auth: Record<string, string>, invoiceId: string, txHash: Hex) =>
  post(app, "/billing/crypto/confirm", auth, { invoiceId, chainId: CHAIN, txHash });

export async function expectRefused(res: Response, status: number, code: string, reason?: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: string; reason?: string };
  expect(body.code).toBe(code);
  if (reason) expect(body.reason).toBe(reason);
  return body as Record<string, unknown>;
}

export async function credits(app: TestApp, auth: Record<string, string>) {
  const res = await app.app.request("/billing/credits", { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    balances: { currency: string; amountMinor: number }[];
    entries: { amountMinor: number; reason: string; source: string; invoiceId: string | null }[];
  };
}

// Contract wallets across chains (issue 18 §5): the same smart-contract address can have different
// owners on different chains, so its SIWE identity is keyed by CAIP-10; an EOA stays one account.
import { readFileSync } from "node:fs";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Anvil, type Compiled, compileWalletContracts } from "./fakes/anvil.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

// Two real chains: anvil's default 31337, and one started as chain 10 (an allowed SIWE chain).
const OTHER_CHAIN = 10;
let chainA: Anvil;
let chainB: Anvil;
let contracts: Record<"OwnedWallet" | "WalletFactory", Compiled>;
let t: TestApp;

beforeAll(async () => {
  contracts = compileWalletContracts();
  [chainA, chainB] = await Promise.all([Anvil.start(), Anvil.start({ chainId: OTHER_CHAIN })]);
  t = await createTestApp({ env: { SIWE_RPC_URLS: `31337=${chainA.rpcUrl},${OTHER_CHAIN}=${chainB.rpcUrl}` } });
}, 60_000);
beforeEach(() => t.reset());
afterAll(async () => {
  await t?.close();
  await Promise.all([chainA?.stop(), chainB?.stop()]);
});

const alice = privateKeyToAccount(generatePrivateKey());
const mallory = privateKeyToAccount(generatePrivateKey());

function siweMessage(address: string, chainId: number, nonce: string): string {
  return [
    "localhost:3000 wants you to sign in with your Ethereum account:",
    address,
    "",
    "Sign in to Atlas",
    "",
    "URI: http://localhost:3000",
    "Version: 1",
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${t.clock.now.toISOString()}`,
  ].join("\n");
}

/** A SIWE login for `address` on `chainId`, signed by `signer`; answers the user id (or the status). */
async function login(address: Hex, chainId: number, signer = alice): Promise<string | number> {
  const nonceRes = await t.app.request("/auth/siwe/nonce");
  const { nonce } = (await nonceRes.json()) as { nonce: string };
  const message = siweMessage(address, chainId, nonce);
  const res = await t.app.request(
    "/auth/siwe/verify",
    jsonPost({ message, signature: await signer.signMessage({ message }) }),
  );
  if (res.status !== 200) return res.status;
  return ((await res.json()) as { user: { id: string } }).user.id;
}

describe("SIWE identities of contract wallets are per chain (CAIP-10)", () => {
  it("attack: the same contract address on another chain with another owner — logs into its own account, never the first owner's", async () => {
    // The deployer's first transaction on each fresh chain: the same CREATE address on both.
    const onA = await chainA.deploy(contracts.OwnedWallet, [alice.address]);
    const onB = await chainB.deploy(contracts.OwnedWallet, [mallory.address]);
    expect(onB).toBe(onA);
    const aliceAccount = await login(onA, 31337, alice);
    expect(typeof aliceAccount).toBe("string");
    const malloryAccount = await login(onB, OTHER_CHAIN, mallory);
    expect(typeof malloryAccount).toBe("string");
    expect(malloryAccount).not.toBe(aliceAccount);
    // Each owner only on the chain where the wallet is theirs.
    expect(await login(onA, 31337, mallory)).toBe(401);
    expect(await login(onA, OTHER_CHAIN, alice)).toBe(401);
    expect(await login(onA, 31337, alice)).toBe(aliceAccount);
    const subjects = await t.deps.prisma.identity.findMany({
      where: { provider: "siwe" },
      orderBy: { createdAt: "asc" },
    });
    expect(subjects.map((i) => i.subject).sort()).toEqual([`eip155:${OTHER_CHAIN}:${onA}`, `eip155:31337:${onA}`]);
    expect(subjects.every((i) => (i.metadata as { signer?: string }).signer === "contract")).toBe(true);
  });

  it("an EOA signing in on two chains stays one account, keyed by its address", async () => {
    const first = await login(alice.address, 31337);
    const second = await login(alice.address, OTHER_CHAIN);
    const third = await login(alice.address, 1);
    expect(typeof first).toBe("string");
    expect(second).toBe(first);
    expect(third).toBe(first);
    const identities = await t.deps.prisma.identity.findMany({ where: { provider: "siwe" } });
    expect(identities.map((i) => i.subject)).toEqual([alice.address]);
  });

  it("the migration moves address-keyed identities to their creation chain: the contract's owner keeps the account there, an EOA takes its own back", async () => {
    const wallet = await chainA.deploy(contracts.OwnedWallet, [alice.address]);
    const eoa = privateKeyToAccount(generatePrivateKey());
    const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    // Rows as the code before CAIP-10 wrote them: keyed by the address, with the creation chain.
    const legacy = async (subject: string, chainId: string) => {
      const user = await t.deps.prisma.user.create({ data: { tenantId: tenant.id } });
      await t.deps.prisma.identity.create({
        data: {
          tenantId: tenant.id,
          userId: user.id,
          provider: "siwe",
          subject,
          chainFamily: "eip155",
          metadata: { chainId },
        },
      });
      return user.id;
    };
    const walletOwner = await legacy(wallet, "31337");
    const eoaOwner = await legacy(eoa.address, "1");
    const sql = readFileSync(
      new URL("../prisma/migrations/20261207140000_siwe_caip10/migration.sql", import.meta.url),
      "utf8",
    );
    await t.deps.prisma.$executeRawUnsafe(sql);
    const moved = await t.deps.prisma.identity.findMany({ where: { provider: "siwe" } });
    expect(moved.map((i) => i.subject).sort()).toEqual([`eip155:1:${eoa.address}`, `eip155:31337:${wallet}`].sort());
    // Running it again changes nothing.
    await t.deps.prisma.$executeRawUnsafe(sql);
    expect(
      await t.deps.prisma.identity.count({ where: { provider: "siwe", subject: { startsWith: "eip155:" } } }),
    ).toBe(2);

    expect(await login(wallet, 31337, alice)).toBe(walletOwner);
    // The same address on the other chain is not the legacy account.
    const elsewhere = await login(wallet, OTHER_CHAIN, alice);
    expect(elsewhere).toBe(401); // not deployed on chain 10: no owner there at all
    expect(await login(eoa.address, OTHER_CHAIN, eoa)).toBe(eoaOwner);
    const reclaimed = await t.deps.prisma.identity.findFirstOrThrow({ where: { userId: eoaOwner } });
    expect(reclaimed.subject).toBe(eoa.address);
    expect(reclaimed.metadata).toMatchObject({ chainId: "1", signer: "eoa" });
  });
});

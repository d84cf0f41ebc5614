import { decodeJwt } from "jose";
import { encodeFunctionData, getContractAddress, type Hex, keccak256, serializeErc6492Signature, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Anvil, type Compiled, compileWalletContracts } from "./fakes/anvil.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const alice = privateKeyToAccount(generatePrivateKey());
const mallory = privateKeyToAccount(generatePrivateKey());

const nonce = async (app = t, headers: Record<string, string> = {}) => {
  const res = await app.app.request("/auth/siwe/nonce", { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { nonce: string }).nonce;
};

interface Fields {
  domain?: string;
  address?: string;
  statement?: string | null;
  uri?: string;
  version?: string;
  chainId?: number;
  nonce: string;
  issuedAt?: string;
  expirationTime?: string;
  notBefore?: string;
}

/** An EIP-4361 message, field by field in the order the spec fixes. */
function message(f: Fields): string {
  const lines = [
    `${f.domain ?? "localhost:3000"} wants you to sign in with your Ethereum account:`,
    f.address ?? alice.address,
    "",
    ...(f.statement === null ? [] : [f.statement ?? "Sign in to Atlas", ""]),
    `URI: ${f.uri ?? "http://localhost:3000"}`,
    `Version: ${f.version ?? "1"}`,
    `Chain ID: ${f.chainId ?? 1}`,
    `Nonce: ${f.nonce}`,
    `Issued At: ${f.issuedAt ?? t.clock.now.toISOString()}`,
  ];
  if (f.statement === null) lines.splice(3, 0, "");
  if (f.expirationTime) lines.push(`Expiration Time: ${f.expirationTime}`);
  if (f.notBefore) lines.push(`Not Before: ${f.notBefore}`);
  return lines.join("\n");
}

const verify = (body: unknown, app = t, headers: Record<string, string> = {}) =>
  app.app.request("/auth/siwe/verify", jsonPost(body, headers));

async function expectRejected(res: Response, reason: string, status = 401) {
  expect(res.status).toBe(status);
  expect(await res.json()).toMatchObject({ code: status === 400 ? "VALIDATION_FAILED" : "INVALID_CREDENTIALS" });
  const failure = await t.deps.prisma.authAuditLog.findFirst({
    where: { eventType: "login_failure" },
    orderBy: { createdAt: "desc" },
  });
  expect(failure?.details).toMatchObject({ method: "siwe", reason });
  await t.deps.prisma.authAuditLog.deleteMany({ where: { eventType: "login_failure" } });
}

describe("Sign-In with Ethereum (EOA)", () => {
  it("nonce → signed message → tokens with amr wallet; the address becomes an EIP-55 identity", async () => {
    const n = await nonce();
    expect(n).toMatch(/^[0-9a-f]{32}$/);
    const msg = message({ nonce: n });
    const res = await verify({ message: msg, signature: await alice.signMessage({ message: msg }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; refreshToken: string; user: { id: string } };
    expect(decodeJwt(body.accessToken).amr).toEqual(["wallet"]);
    const identity = await t.deps.prisma.identity.findFirstOrThrow({ where: { userId: body.user.id } });
    expect(identity).toMatchObject({ provider: "siwe", subject: alice.address, chainFamily: "eip155" });
    // The same wallet later, on another allowed chain: the same user.
    const n2 = await nonce();
    const msg2 = message({ nonce: n2, chainId: 8453, statement: null });
    const again = await verify({ message: msg2, signature: await alice.signMessage({ message: msg2 }) });
    expect(((await again.json()) as { user: { id: string } }).user.id).toBe(body.user.id);
    expect(await t.deps.prisma.user.count()).toBe(1);
  });

  it("rejects a reused nonce, another tenant's nonce and an unknown one", async () => {
    const n = await nonce();
    const msg = message({ nonce: n });
    const signature = await alice.signMessage({ message: msg });
    expect((await verify({ message: msg, signature })).status).toBe(200);
    await expectRejected(await verify({ message: msg, signature }), "nonce_unknown_used_or_expired");

    await t.deps.prisma.tenant.create({
      data: {
        slug: "acme",
        name: "Acme",
        allowedOrigins: ["http://localhost:3000"],
        allowedMethods: ["siwe"],
        jwtAudience: "acme",
      },
    });
    const foreign = await nonce(t, { "x-tenant": "acme" });
    const msgF = message({ nonce: foreign });
    await expectRejected(
      await verify({ message: msgF, signature: await alice.signMessage({ message: msgF }) }),
      "nonce_unknown_used_or_expired",
    );
    const msgU = message({ nonce: "0123456789abcdef0123456789abcdef" });
    await expectRejected(
      await verify({ message: msgU, signature: await alice.signMessage({ message: msgU }) }),
      "nonce_unknown_used_or_expired",
    );
    // An expired nonce (10 minutes).
    const late = await nonce();
    t.clock.now = new Date(t.clock.now.getTime() + 10 * 60_000 + 1);
    const msgL = message({ nonce: late });
    await expectRejected(
      await verify({ message: msgL, signature: await alice.signMessage({ message: msgL }) }),
      "nonce_unknown_used_or_expired",
    );
  });

  it("rejects wrong domain, wrong uri, a disallowed chain, expired, not-yet-valid and future messages", async () => {
    const now = t.clock.now.getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const cases: [Partial<Fields>, string][] = [
      [{ domain: "evil.example" }, "wrong_domain"],
      [{ domain: "localhost:3001" }, "wrong_domain"],
      [{ uri: "https://evil.example/login" }, "wrong_uri"],
      [{ chainId: 56 }, "chain_not_allowed"],
      [{ expirationTime: iso(now - 120_000) }, "expired"],
      [{ notBefore: iso(now + 120_000) }, "not_yet_valid"],
      [{ issuedAt: iso(now + 120_000) }, "issued_in_future"],
      [{ issuedAt: iso(now - 30 * 60_000) }, "issued_too_long_ago"],
    ];
    for (const [fields, reason] of cases) {
      const msg = message({ nonce: await nonce(), ...fields });
      await expectRejected(
        await verify({ message: msg, signature: await alice.signMessage({ message: msg }) }),
        reason,
      );
    }
    // Within the skew (60 s) and a path under the origin: accepted.
    const ok = message({ nonce: await nonce(), issuedAt: iso(now + 30_000), uri: "http://localhost:3000/login" });
    expect((await verify({ message: ok, signature: await alice.signMessage({ message: ok }) })).status).toBe(200);
    expect(await t.deps.prisma.user.count()).toBe(1);
  });

  it("rejects malformed messages: missing fields, wrong order, non-EIP-55 address, version 2", async () => {
    const n = await nonce();
    const good = message({ nonce: n });
    const malformed = [
      good.replace(`Nonce: ${n}\n`, ""),
      good.replace(/\nIssued At: .*$/, ""),
      good.replace("Version: 1\nChain ID: 1", "Chain ID: 1\nVersion: 1"),
      good.replace(alice.address, alice.address.toLowerCase()),
      good.replace("Version: 1", "Version: 2"),
      "hello",
    ];
    for (const msg of malformed) {
      await expectRejected(
        await verify({ message: msg, signature: await alice.signMessage({ message: msg }) }),
        "malformed_message",
        400,
      );
    }
    for (const body of [
      { message: good },
      { message: good, signature: "nothex" },
      { message: good, signature: "0x", x: 1 },
    ]) {
      expect((await verify(body)).status).toBe(400);
    }
  });

  it("rejects a signature by another key and a tampered message", async () => {
    const msg = message({ nonce: await nonce() });
    await expectRejected(
      await verify({ message: msg, signature: await mallory.signMessage({ message: msg }) }),
      "bad_signature",
    );
    const signed = message({ nonce: await nonce() });
    const signature = await alice.signMessage({ message: signed });
    await expectRejected(
      await verify({ message: signed.replace("Sign in to Atlas", "Sign in to Atlas and send funds"), signature }),
      "bad_signature",
    );
    // A bad signature does not burn the nonce: the genuine message still logs in once.
    expect((await verify({ message: signed, signature })).status).toBe(200);
  });

  it("is refused (403) at nonce and verify when the tenant does not allow it", async () => {
    await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { allowedMethods: ["email"] } });
    t.app = (await import("../src/app.ts")).createApp(t.deps);
    expect((await t.app.request("/auth/siwe/nonce")).status).toBe(403);
    const res = await verify({ message: "x", signature: "0x00" });
    expect(res.status).toBe(403);
  });
});

describe("smart-contract wallets on a local chain (anvil)", () => {
  let chain: Anvil;
  let contracts: Record<"OwnedWallet" | "WalletFactory", Compiled>;
  let rpc: TestApp;
  beforeAll(async () => {
    contracts = compileWalletContracts();
    chain = await Anvil.start();
    rpc = await createTestApp({ env: { SIWE_RPC_URLS: `31337=${chain.rpcUrl}` } });
  }, 60_000);
  beforeEach(() => rpc.reset());
  afterAll(async () => {
    await rpc?.close();
    await chain?.stop();
  });

  const login = async (app: TestApp, address: Hex, sign: (m: string) => Promise<Hex>) => {
    const msg = message({ nonce: await nonce(app), address, chainId: 31337 });
    return verify({ message: msg, signature: await sign(msg) }, app);
  };

  it("ERC-1271: the wallet's owner logs in as the wallet; anyone else is refused", async () => {
    const wallet = await chain.deploy(contracts.OwnedWallet, [alice.address]);
    const ok = await login(rpc, wallet, (m) => alice.signMessage({ message: m }));
    expect(ok.status).toBe(200);
    const { user } = (await ok.json()) as { user: { id: string } };
    const identity = await rpc.deps.prisma.identity.findFirstOrThrow({ where: { userId: user.id } });
    expect(identity.subject).toBe(`eip155:31337:${wallet}`);
    const denied = await login(rpc, wallet, (m) => mallory.signMessage({ message: m }));
    expect(denied.status).toBe(401);
    // Without an RPC for the chain, a contract wallet cannot be verified: refused, never trusted.
    expect((await login(t, wallet, (m) => alice.signMessage({ message: m }))).status).toBe(401);
  });

  it("ERC-6492: a counterfactual (not yet deployed) wallet logs in through its factory", async () => {
    const factory = await chain.deploy(contracts.WalletFactory, []);
    const salt = keccak256(toHex(`salt-${Date.now()}`));
    const initCode = `${contracts.OwnedWallet.bytecode}${encodeAbi(alice.address)}` as Hex;
    const wallet = getContractAddress({ opcode: "CREATE2", from: factory, salt, bytecode: initCode });
    expect(await chain.publicClient.getCode({ address: wallet })).toBeUndefined();
    const wrap = async (m: string, signer = alice) =>
      serializeErc6492Signature({
        address: factory,
        data: encodeFunctionData({
          abi: contracts.WalletFactory.abi,
          functionName: "deploy",
          args: [alice.address, salt],
        }),
        signature: await signer.signMessage({ message: m }),
      });
    const ok = await login(rpc, wallet, (m) => wrap(m));
    expect(ok.status).toBe(200);
    expect((await login(rpc, wallet, (m) => wrap(m, mallory))).status).toBe(401);
  });
});

/** ABI-encodes one address constructor argument (32-byte left-padded). */
function encodeAbi(address: Hex): string {
  return address.slice(2).toLowerCase().padStart(64, "0");
}

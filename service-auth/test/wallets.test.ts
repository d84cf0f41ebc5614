import { createHash } from "node:crypto";
import { createSignInMessageText } from "@solana/wallet-standard-util";
import Arweave from "arweave";
import bs58 from "bs58";
import { decodeJwt } from "jose";
import nacl from "tweetnacl";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSignInMessage } from "../src/services/methods/wallet/sign-in-message.ts";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

type Method = "siws" | "arweave";

const nonce = async (method: Method, headers: Record<string, string> = {}) => {
  const res = await t.app.request(`/auth/${method}/nonce`, { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { nonce: string }).nonce;
};

const verify = (method: Method, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(`/auth/${method}/verify`, jsonPost(body, headers));

async function lastFailure() {
  const row = await t.deps.prisma.authAuditLog.findFirst({
    where: { eventType: "login_failure" },
    orderBy: { createdAt: "desc" },
  });
  await t.deps.prisma.authAuditLog.deleteMany({ where: { eventType: "login_failure" } });
  return row?.details as { method: string; reason: string } | undefined;
}

async function expectRejected(res: Response, method: Method, reason: string) {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
  expect(await lastFailure()).toMatchObject({ method, reason });
}

interface Fields {
  domain?: string;
  statement?: string;
  uri?: string;
  version?: string;
  chainId?: string;
  nonce: string;
  issuedAt?: string;
  expirationTime?: string;
  notBefore?: string;
}

// ---------------------------------------------------------------------------------------------
// Solana: tweetnacl keys sign messages built by the reference implementation of the format.

const solana = nacl.sign.keyPair();
const solanaOther = nacl.sign.keyPair();
const solanaAddress = bs58.encode(solana.publicKey);

function siwsMessage(f: Fields, address = solanaAddress): string {
  return createSignInMessageText({
    domain: f.domain ?? "localhost:3000",
    address,
    statement: f.statement ?? "Sign in to Atlas",
    uri: f.uri ?? "http://localhost:3000",
    version: f.version ?? "1",
    chainId: f.chainId ?? "mainnet",
    nonce: f.nonce,
    issuedAt: f.issuedAt ?? t.clock.now.toISOString(),
    ...(f.expirationTime ? { expirationTime: f.expirationTime } : {}),
    ...(f.notBefore ? { notBefore: f.notBefore } : {}),
  });
}

const siwsSign = (message: string, keys = solana, encoding: "base58" | "base64" = "base58") => {
  const sig = nacl.sign.detached(new TextEncoder().encode(message), keys.secretKey);
  return encoding === "base58" ? bs58.encode(sig) : Buffer.from(sig).toString("base64");
};

describe("Sign-In With Solana", () => {
  it("nonce → reference-format message signed with ed25519 → tokens with amr wallet", async () => {
    const message = siwsMessage({ nonce: await nonce("siws") });
    const res = await verify("siws", { message, signature: siwsSign(message), publicKey: solanaAddress });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; user: { id: string } };
    expect(decodeJwt(body.accessToken).amr).toEqual(["wallet"]);
    const identity = await t.deps.prisma.identity.findFirstOrThrow();
    expect(identity).toMatchObject({ provider: "siws", subject: solanaAddress, chainFamily: "solana" });
    // base64 signatures too; the same key is the same user.
    const again = siwsMessage({ nonce: await nonce("siws"), chainId: "solana:devnet" });
    const res2 = await verify("siws", {
      message: again,
      signature: siwsSign(again, solana, "base64"),
      publicKey: solanaAddress,
    });
    expect(((await res2.json()) as { user: { id: string } }).user.id).toBe(body.user.id);
  });

  it("rejects reused and foreign nonces, wrong domain/uri/chain, stale messages, other keys, tampering", async () => {
    const n = await nonce("siws");
    const message = siwsMessage({ nonce: n });
    const body = { message, signature: siwsSign(message), publicKey: solanaAddress };
    expect((await verify("siws", body)).status).toBe(200);
    await expectRejected(await verify("siws", body), "siws", "nonce_unknown_used_or_expired");

    await t.deps.prisma.tenant.create({
      data: {
        slug: "acme",
        name: "Acme",
        allowedOrigins: ["http://localhost:3000"],
        allowedMethods: ["siws"],
        jwtAudience: "acme",
      },
    });
    const foreign = siwsMessage({ nonce: await nonce("siws", { "x-tenant": "acme" }) });
    await expectRejected(
      await verify("siws", { message: foreign, signature: siwsSign(foreign), publicKey: solanaAddress }),
      "siws",
      "nonce_unknown_used_or_expired",
    );

    const now = t.clock.now.getTime();
    const cases: [Partial<Fields>, string][] = [
      [{ domain: "evil.example" }, "wrong_domain"],
      [{ uri: "http://evil.example/" }, "wrong_uri"],
      [{ chainId: "solana:someothernet" }, "chain_not_allowed"],
      [{ expirationTime: new Date(now - 120_000).toISOString() }, "expired"],
      [{ notBefore: new Date(now + 120_000).toISOString() }, "not_yet_valid"],
      [{ issuedAt: new Date(now + 120_000).toISOString() }, "issued_in_future"],
    ];
    for (const [fields, reason] of cases) {
      const m = siwsMessage({ nonce: await nonce("siws"), ...fields });
      await expectRejected(
        await verify("siws", { message: m, signature: siwsSign(m), publicKey: solanaAddress }),
        "siws",
        reason,
      );
    }
    const m = siwsMessage({ nonce: await nonce("siws") });
    await expectRejected(
      await verify("siws", { message: m, signature: siwsSign(m, solanaOther), publicKey: solanaAddress }),
      "siws",
      "bad_signature",
    );
    await expectRejected(
      await verify("siws", {
        message: m.replace("Sign in to Atlas", "Sign in to Atlaz"),
        signature: siwsSign(m),
        publicKey: solanaAddress,
      }),
      "siws",
      "bad_signature",
    );
    // Another key claiming this address.
    await expectRejected(
      await verify("siws", {
        message: m,
        signature: siwsSign(m, solanaOther),
        publicKey: bs58.encode(solanaOther.publicKey),
      }),
      "siws",
      "address_not_signer",
    );
    // The genuine message still works once: failures did not burn its nonce.
    expect((await verify("siws", { message: m, signature: siwsSign(m), publicKey: solanaAddress })).status).toBe(200);
  });

  it("rejects malformed messages and encodings with 400", async () => {
    const message = siwsMessage({ nonce: await nonce("siws") });
    const bad = [
      message.replace(/\nNonce: .*/, ""),
      message.replace(/\nIssued At: .*/, ""),
      message.replace("Version: 1\nChain ID: mainnet", "Chain ID: mainnet\nVersion: 1"),
      message.replace("Solana account", "Ethereum account"),
      `${message}\n`,
      `${message}\nNonce: again`,
    ];
    for (const m of bad) {
      const res = await verify("siws", { message: m, signature: siwsSign(m), publicKey: solanaAddress });
      expect(res.status).toBe(400);
      expect(await lastFailure()).toMatchObject({ method: "siws", reason: "malformed_message" });
    }
    expect((await verify("siws", { message, signature: "!!", publicKey: solanaAddress })).status).toBe(400);
    expect((await verify("siws", { message, signature: siwsSign(message), publicKey: "0OIl" })).status).toBe(400);
    expect(
      (await verify("siws", { message, signature: siwsSign(message), publicKey: bs58.encode(Buffer.alloc(31, 1)) }))
        .status,
    ).toBe(400);
    expect((await verify("siws", { message, signature: siwsSign(message) })).status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// Arweave: a real JWK wallet from arweave-js signs SHA-256(message) with RSA-PSS, salt 32.

const arweave = Arweave.init({});
let jwk: { n: string };
let otherJwk: { n: string };
const arweaveAddressOf = (n: string) => createHash("sha256").update(Buffer.from(n, "base64url")).digest("base64url");

function arweaveMessage(f: Fields, address = arweaveAddressOf(jwk.n)): string {
  return [
    `${f.domain ?? "localhost:3000"} wants you to sign in with your Arweave account:`,
    address,
    "",
    f.statement ?? "Sign in to Atlas",
    "",
    `URI: ${f.uri ?? "http://localhost:3000"}`,
    `Version: ${f.version ?? "1"}`,
    `Chain ID: ${f.chainId ?? "arweave:mainnet"}`,
    `Nonce: ${f.nonce}`,
    `Issued At: ${f.issuedAt ?? t.clock.now.toISOString()}`,
    ...(f.expirationTime ? [`Expiration Time: ${f.expirationTime}`] : []),
    ...(f.notBefore ? [`Not Before: ${f.notBefore}`] : []),
  ].join("\n");
}

/** What ArConnect's signMessage does: RSA-PSS (salt 32) over SHA-256(message). */
async function arSign(message: string, key: object = jwk) {
  const digest = createHash("sha256").update(message, "utf8").digest();
  return Buffer.from(await arweave.crypto.sign(key as never, digest, { saltLength: 32 })).toString("base64url");
}

describe("Arweave", () => {
  beforeAll(async () => {
    jwk = (await arweave.wallets.generate()) as { n: string };
    otherJwk = (await arweave.wallets.generate()) as { n: string };
  }, 60_000);

  it("nonce → message signed by the JWK wallet → tokens; the address is base64url(SHA-256(n))", async () => {
    const message = arweaveMessage({ nonce: await nonce("arweave") });
    const res = await verify("arweave", { message, signature: await arSign(message), publicKey: jwk.n });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string };
    expect(decodeJwt(body.accessToken).amr).toEqual(["wallet"]);
    const identity = await t.deps.prisma.identity.findFirstOrThrow();
    expect(identity).toMatchObject({
      provider: "arweave",
      subject: await arweave.wallets.jwkToAddress(jwk as never),
      chainFamily: "arweave",
    });
  });

  it("rejects reuse, wrong domain/uri/chain, stale, another key, an address that is not the key's, tampering", async () => {
    const message = arweaveMessage({ nonce: await nonce("arweave") });
    const body = { message, signature: await arSign(message), publicKey: jwk.n };
    expect((await verify("arweave", body)).status).toBe(200);
    await expectRejected(await verify("arweave", body), "arweave", "nonce_unknown_used_or_expired");
    const now = t.clock.now.getTime();
    const cases: [Partial<Fields>, string][] = [
      [{ domain: "evil.example" }, "wrong_domain"],
      [{ uri: "http://localhost:3000.evil.example/" }, "wrong_uri"],
      [{ chainId: "arweave:testnet" }, "chain_not_allowed"],
      [{ expirationTime: new Date(now - 120_000).toISOString() }, "expired"],
      [{ notBefore: new Date(now + 120_000).toISOString() }, "not_yet_valid"],
    ];
    for (const [fields, reason] of cases) {
      const m = arweaveMessage({ nonce: await nonce("arweave"), ...fields });
      await expectRejected(
        await verify("arweave", { message: m, signature: await arSign(m), publicKey: jwk.n }),
        "arweave",
        reason,
      );
    }
    const m = arweaveMessage({ nonce: await nonce("arweave") });
    await expectRejected(
      await verify("arweave", { message: m, signature: await arSign(m, otherJwk), publicKey: jwk.n }),
      "arweave",
      "bad_signature",
    );
    await expectRejected(
      await verify("arweave", { message: m, signature: await arSign(m, otherJwk), publicKey: otherJwk.n }),
      "arweave",
      "address_not_signer",
    );
    const tampered = m.replace("Sign in to Atlas", "Sign in to Atlas!");
    await expectRejected(
      await verify("arweave", { message: tampered, signature: await arSign(m), publicKey: jwk.n }),
      "arweave",
      "bad_signature",
    );
    // A signature with another salt length (0) is not what the contract accepts.
    const digest = createHash("sha256").update(m, "utf8").digest();
    const salt0 = Buffer.from(await arweave.crypto.sign(jwk as never, digest, { saltLength: 0 })).toString("base64url");
    await expectRejected(
      await verify("arweave", { message: m, signature: salt0, publicKey: jwk.n }),
      "arweave",
      "bad_signature",
    );
  });

  it("rejects malformed messages and keys with 400", async () => {
    const m = arweaveMessage({ nonce: await nonce("arweave") });
    const sig = await arSign(m);
    expect(
      (await verify("arweave", { message: m.replace(/\nURI: .*/, ""), signature: sig, publicKey: jwk.n })).status,
    ).toBe(400);
    expect((await verify("arweave", { message: m, signature: sig, publicKey: "AQAB" })).status).toBe(400);
    expect((await verify("arweave", { message: m, signature: "not base64url!", publicKey: jwk.n })).status).toBe(400);
  });
});

describe("the shared sign-in message parser", () => {
  const base = (extra: string[] = []) =>
    [
      "https://example.com wants you to sign in with your Solana account:",
      "Addr",
      "",
      "URI: https://example.com",
      "Version: 1",
      "Nonce: abcdefgh",
      "Issued At: 2026-01-15T12:00:00Z",
      ...extra,
    ].join("\n");

  it("parses the optional parts: scheme, no statement, request id, resources", () => {
    expect(
      parseSignInMessage(base(["Request ID: r1", "Resources:", "- https://a.example", "- ipfs://b"]), "Solana"),
    ).toEqual({
      domain: "example.com",
      scheme: "https",
      address: "Addr",
      uri: "https://example.com",
      version: "1",
      nonce: "abcdefgh",
      issuedAt: "2026-01-15T12:00:00Z",
      requestId: "r1",
      resources: ["https://a.example", "ipfs://b"],
    });
  });

  it("refuses bad times, bad resources, unknown lines and the wrong chain label", () => {
    expect(parseSignInMessage(base(["Expiration Time: tomorrow"]), "Solana")).toBeNull();
    expect(parseSignInMessage(base(["Resources:", "not a list item"]), "Solana")).toBeNull();
    expect(parseSignInMessage(base(["Hello: there"]), "Solana")).toBeNull();
    expect(parseSignInMessage(base(), "Arweave")).toBeNull();
    expect(parseSignInMessage(base().replace("\n\nURI", "\nURI"), "Solana")).toBeNull();
    expect(parseSignInMessage(base().replace("Version: 1", "Version:  1"), "Solana")).toBeNull();
  });
});

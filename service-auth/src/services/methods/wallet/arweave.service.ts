import { createHash, webcrypto } from "node:crypto";
import { AppError } from "@atlas/errors";
import type { Deps } from "../../../ports.ts";
import type { RequestContext } from "../../login/request-context.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";
import type { TokenResponse } from "../../tokens/session.service.ts";
import { parseSignInMessage } from "./sign-in-message.ts";
import {
  completeWalletLogin,
  guardWallet,
  malformedWalletMessage,
  signInMessageFailure,
  walletFailure,
} from "./wallet.service.ts";

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** An Arweave address: base64url(SHA-256(owner modulus)). */
export function arweaveAddress(modulus: Buffer): string {
  return createHash("sha256").update(modulus).digest("base64url");
}

/**
 * Arweave login (api.md "Wallet messages"): the wallet signed SHA-256(message) with RSA-PSS
 * (SHA-256, salt length 32), as ArConnect's `signMessage` does. The key is the owner modulus
 * `n` (e = 65537); the message's address must be base64url(SHA-256(n)). Verified with WebCrypto.
 */
export async function verifyArweave(
  deps: Deps,
  input: { tenant: ResolvedTenant; message: string; signature: string; publicKey: string; context: RequestContext },
): Promise<TokenResponse> {
  const { tenant, context } = input;
  const parsed = parseSignInMessage(input.message, "Arweave");
  if (!parsed) throw await malformedWalletMessage(deps, { tenant, method: "arweave", context });
  const fail = (reason: string) =>
    walletFailure(deps, { tenant, method: "arweave", reason, context, address: parsed.address });
  if (!BASE64URL.test(input.publicKey) || !BASE64URL.test(input.signature)) {
    throw new AppError("VALIDATION_FAILED", { detail: "publicKey and signature must be base64url" });
  }
  const modulus = Buffer.from(input.publicKey, "base64url");
  if (modulus.length < 256 || modulus.length > 512) {
    throw new AppError("VALIDATION_FAILED", { detail: "publicKey must be an RSA modulus of 2048 to 4096 bits" });
  }
  if (parsed.version !== "1") throw await fail("unsupported_version");
  if (parsed.chainId !== "arweave:mainnet") throw await fail("chain_not_allowed");
  if (parsed.address !== arweaveAddress(modulus)) throw await fail("address_not_signer");
  const refused = signInMessageFailure(deps, tenant, parsed);
  if (refused) throw await fail(refused);
  await guardWallet(deps, { tenant, address: parsed.address, context });
  const key = await webcrypto.subtle.importKey(
    "jwk",
    { kty: "RSA", n: input.publicKey, e: "AQAB", ext: true },
    { name: "RSA-PSS", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const digest = createHash("sha256").update(input.message, "utf8").digest();
  const ok = await webcrypto.subtle.verify(
    { name: "RSA-PSS", saltLength: 32 },
    key,
    Buffer.from(input.signature, "base64url"),
    digest,
  );
  if (!ok) throw await fail("bad_signature");
  return completeWalletLogin(deps, {
    tenant,
    method: "arweave",
    nonce: parsed.nonce,
    subject: parsed.address,
    chainFamily: "arweave",
    context,
  });
}

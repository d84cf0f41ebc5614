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

type Base58 = typeof import("bs58").default;

const CLUSTERS = ["mainnet", "devnet", "testnet"];

/** Solana clusters a message may name (`mainnet` or `solana:mainnet`); localnet outside production. */
export function allowedSolanaChain(chainId: string | undefined, production: boolean): boolean {
  if (chainId === undefined) return true;
  const cluster = chainId.startsWith("solana:") ? chainId.slice("solana:".length) : chainId;
  return CLUSTERS.includes(cluster) || (!production && cluster === "localnet");
}

function decodeSignature(bs58: Base58, signature: string): Uint8Array | null {
  try {
    const raw = bs58.decode(signature);
    if (raw.length === 64) return raw;
  } catch {
    // not base58: try base64
  }
  const raw = Buffer.from(signature, "base64");
  return raw.length === 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(signature) ? new Uint8Array(raw) : null;
}

/**
 * Sign-In With Solana: the Phantom message format, parsed strictly; the signer's public key is
 * the message's address; ed25519 verified with tweetnacl; then the checks every wallet login
 * shares (domain/uri, freshness — which the reference verifier leaves out — and the nonce).
 */
export async function verifySiws(
  deps: Deps,
  input: { tenant: ResolvedTenant; message: string; signature: string; publicKey: string; context: RequestContext },
): Promise<TokenResponse> {
  const { tenant, context } = input;
  // bs58 and tweetnacl load at the first Solana login, not at boot.
  const [{ default: bs58 }, { default: nacl }] = await Promise.all([import("bs58"), import("tweetnacl")]);
  const parsed = parseSignInMessage(input.message, "Solana");
  if (!parsed) throw await malformedWalletMessage(deps, { tenant, method: "siws", context });
  const fail = (reason: string) =>
    walletFailure(deps, { tenant, method: "siws", reason, context, address: parsed.address });
  let publicKey: Uint8Array;
  try {
    publicKey = bs58.decode(input.publicKey);
  } catch {
    throw new AppError("VALIDATION_FAILED", { detail: "publicKey must be base58" });
  }
  if (publicKey.length !== 32) throw new AppError("VALIDATION_FAILED", { detail: "publicKey must be 32 bytes" });
  if (parsed.version !== "1") throw await fail("unsupported_version");
  if (parsed.address !== input.publicKey) throw await fail("address_not_signer");
  if (!allowedSolanaChain(parsed.chainId, !deps.config.dev.localChains)) throw await fail("chain_not_allowed");
  const refused = signInMessageFailure(deps, tenant, parsed);
  if (refused) throw await fail(refused);
  await guardWallet(deps, { tenant, address: parsed.address, context });
  const signature = decodeSignature(bs58, input.signature);
  if (!signature) throw new AppError("VALIDATION_FAILED", { detail: "signature must be 64 bytes, base58 or base64" });
  if (!nacl.sign.detached.verify(new TextEncoder().encode(input.message), signature, publicKey)) {
    throw await fail("bad_signature");
  }
  return completeWalletLogin(deps, {
    tenant,
    method: "siws",
    nonce: parsed.nonce,
    subject: parsed.address,
    chainFamily: "solana",
    context,
  });
}

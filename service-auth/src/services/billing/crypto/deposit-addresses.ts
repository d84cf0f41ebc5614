import type { Hex } from "viem";
import { viemAccountsSync } from "../../../providers/sdks.ts";

/** secp256k1's field prime: y² = x³ + 7 (mod P). */
const P = 2n ** 256n - 2n ** 32n - 977n;

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** A compressed secp256k1 public key (0x02/0x03 ‖ x) → uncompressed (0x04 ‖ x ‖ y). */
function decompress(compressed: Uint8Array): Hex {
  const x = BigInt(`0x${Buffer.from(compressed.slice(1)).toString("hex")}`);
  // P ≡ 3 (mod 4): the square root is a single exponentiation.
  let y = modPow((x ** 3n + 7n) % P, (P + 1n) / 4n, P);
  if ((y & 1n) !== BigInt((compressed[0] as number) & 1)) y = P - y;
  return `0x04${x.toString(16).padStart(64, "0")}${y.toString(16).padStart(64, "0")}`;
}

/**
 * The deposit address of quote number `index`: non-hardened child `index` of the configured
 * extended public key (BIP-32). Only the operator's wallet, which holds the private keys, can move
 * what arrives there; the service derives addresses without ever holding a key.
 */
export function depositAddress(xpub: string, index: number): Hex {
  const { HDKey, publicKeyToAddress } = viemAccountsSync();
  const child = HDKey.fromExtendedKey(xpub).deriveChild(index);
  if (!child.publicKey) throw new Error("extended key has no public key");
  return publicKeyToAddress(decompress(child.publicKey));
}

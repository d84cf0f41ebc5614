import { keccak_256 } from "@noble/hashes/sha3";

/** What every sign-in message names: the page asking, and the server's single-use nonce. */
export interface SignInFields {
  /** Host (with port) of the page: service-auth checks it against the tenant's origins. */
  domain: string;
  /** The page's origin. */
  uri: string;
  nonce: string;
  statement: string;
  issuedAt: Date;
  /** How long the signature may be used (the nonce itself lives 10 minutes). */
  expiresInMs?: number;
}

const utf8 = new TextEncoder();

/** EIP-55 mixed-case checksum encoding of a 20-byte hex address (SIWE requires it). */
export function toChecksumAddress(address: string): string {
  const hex = address.toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new TypeError("not an Ethereum address");
  const hash = keccak_256(utf8.encode(hex));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? (hex[i] as string).toUpperCase() : hex[i];
  }
  return out;
}

function timeLines(f: SignInFields): string[] {
  const lines = [`Nonce: ${f.nonce}`, `Issued At: ${f.issuedAt.toISOString()}`];
  if (f.expiresInMs) lines.push(`Expiration Time: ${new Date(f.issuedAt.getTime() + f.expiresInMs).toISOString()}`);
  return lines;
}

/**
 * An EIP-4361 (Sign-In with Ethereum) message.
 *
 * @example
 * siweMessage({ domain: "app.example", uri: "https://app.example", nonce, statement, issuedAt: new Date() }, "0xAb…", 1)
 */
export function siweMessage(f: SignInFields, address: string, chainId: number): string {
  return [
    `${f.domain} wants you to sign in with your Ethereum account:`,
    toChecksumAddress(address),
    "",
    f.statement,
    "",
    `URI: ${f.uri}`,
    "Version: 1",
    `Chain ID: ${chainId}`,
    ...timeLines(f),
  ].join("\n");
}

/**
 * The CAIP-122 style text Sign-In With Solana (Phantom's format) and Atlas's Arweave login use:
 * same layout, the chain named in the first line.
 */
export function caip122Message(f: SignInFields, chain: "Solana" | "Arweave", address: string, chainId: string): string {
  return [
    `${f.domain} wants you to sign in with your ${chain} account:`,
    address,
    "",
    f.statement,
    "",
    `URI: ${f.uri}`,
    "Version: 1",
    `Chain ID: ${chainId}`,
    ...timeLines(f),
  ].join("\n");
}

/** Standard base64 of bytes (Solana signatures), and base64url (Arweave). */
export function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export const toUtf8 = (text: string) => utf8.encode(text);

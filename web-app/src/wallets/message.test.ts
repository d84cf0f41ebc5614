import { describe, expect, it } from "vitest";
import { base64url, caip122Message, siweMessage, toChecksumAddress } from "./message.ts";

const fields = {
  domain: "localhost:3000",
  uri: "http://localhost:3000",
  nonce: "abcdef0123456789",
  statement: "Sign in to Atlas.",
  issuedAt: new Date("2026-01-15T12:00:00.000Z"),
};

describe("sign-in messages", () => {
  it("checksums addresses as EIP-55 says (the EIP's own vectors)", () => {
    for (const a of [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]) {
      expect(toChecksumAddress(a.toLowerCase())).toBe(a);
    }
    expect(() => toChecksumAddress("0x123")).toThrow();
  });

  it("writes an EIP-4361 message", () => {
    expect(siweMessage({ ...fields, expiresInMs: 600_000 }, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", 1)).toBe(
      [
        "localhost:3000 wants you to sign in with your Ethereum account:",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "",
        "Sign in to Atlas.",
        "",
        "URI: http://localhost:3000",
        "Version: 1",
        "Chain ID: 1",
        "Nonce: abcdef0123456789",
        "Issued At: 2026-01-15T12:00:00.000Z",
        "Expiration Time: 2026-01-15T12:10:00.000Z",
      ].join("\n"),
    );
  });

  it("writes the Solana / Arweave text with the chain in the first line", () => {
    const text = caip122Message(fields, "Arweave", "addr", "arweave:mainnet");
    expect(text.split("\n")[0]).toBe("localhost:3000 wants you to sign in with your Arweave account:");
    expect(text).toContain("\nChain ID: arweave:mainnet\nNonce: abcdef0123456789\n");
    expect(base64url(new Uint8Array([251, 255, 191]))).toBe("-_-_");
  });
});

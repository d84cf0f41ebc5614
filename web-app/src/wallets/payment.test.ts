import { describe, expect, it } from "vitest";
import type { CryptoQuote } from "../account-api.ts";
import { parseConfig } from "../config.ts";
import { formatUnits, paymentTransaction } from "./payment.ts";

const quote = (over: Partial<CryptoQuote>): CryptoQuote => ({
  paymentId: "p1",
  invoiceId: "i1",
  chainId: 8453,
  currency: "USDC",
  tokenAddress: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
  decimals: 6,
  address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
  amount: "1050000",
  expiresAt: "2026-01-15T12:15:00.000Z",
  ...over,
});

describe("paying a crypto quote", () => {
  it("shows base units as exact decimal amounts", () => {
    expect(formatUnits("1050000", 6)).toBe("1.05");
    expect(formatUnits("25000000", 6)).toBe("25");
    expect(formatUnits("1", 18)).toBe("0.000000000000000001");
    expect(formatUnits("123456789012345678901234567890", 18)).toBe("123456789012.34567890123456789");
    expect(formatUnits("42", 0)).toBe("42");
  });

  it("pays a token with an ERC-20 transfer(recipient, amount) to the token contract, no value", () => {
    expect(paymentTransaction("0xabc", quote({}))).toEqual({
      from: "0xabc",
      to: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
      data:
        "0xa9059cbb" +
        "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed" +
        "0000000000000000000000000000000000000000000000000000000000100590",
      value: "0x0",
    });
  });

  it("pays the native coin by value to the recipient", () => {
    const tx = paymentTransaction("0xabc", quote({ tokenAddress: null, decimals: 18, amount: "350000000000000" }));
    expect(tx).toEqual({ from: "0xabc", to: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", value: "0x13e52b9abe000" });
  });

  it("reads the offered chains and currencies from /config.json, dropping malformed entries", () => {
    const base = { authUrl: "http://a.test", apiUrl: "http://b.test", tenant: "default" };
    expect(
      parseConfig({
        ...base,
        cryptoPayments: [
          { chainId: 8453, currency: "USDC" },
          { chainId: -1, currency: "ETH" },
          { chainId: 1, currency: "<script>" },
          "1:ETH",
        ],
      })?.cryptoPayments,
    ).toEqual([{ chainId: 8453, currency: "USDC" }]);
    expect(parseConfig(base)?.cryptoPayments).toEqual([]);
  });
});

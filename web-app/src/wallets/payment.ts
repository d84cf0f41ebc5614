import type { CryptoQuote } from "../account-api.ts";

/** Base units as a decimal amount ("25000000", 6 → "25"), exact (no floating point). */
export function formatUnits(amount: string, decimals: number): string {
  const digits = BigInt(amount)
    .toString()
    .padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

const word = (hex: string) => hex.replace(/^0x/, "").toLowerCase().padStart(64, "0");

/** The transaction that pays a quote: an ERC-20 `transfer(recipient, amount)`, or native value. */
export function paymentTransaction(from: string, quote: CryptoQuote): Record<string, string> {
  const value = `0x${BigInt(quote.amount).toString(16)}`;
  if (!quote.tokenAddress) return { from, to: quote.address, value };
  // transfer(address,uint256): selector a9059cbb, then the two arguments as 32-byte words.
  const data = `0xa9059cbb${word(quote.address)}${word(BigInt(quote.amount).toString(16))}`;
  return { from, to: quote.tokenAddress, data, value: "0x0" };
}

import { AppError } from "@atlas/errors";
import type { PublicClient } from "viem";
import type { CryptoToken } from "../../../billing-config.ts";

/**
 * A token's USD price: `answer / 10^decimals` USD per whole token, as of `updatedAt` (null for a
 * pegged token, whose price is configured, not observed).
 */
export interface Rate {
  answer: bigint;
  decimals: number;
  updatedAt: Date | null;
}

/** Where quotes get prices from. */
export interface RateSource {
  latest(token: CryptoToken): Promise<Rate>;
}

/** Chainlink's AggregatorV3Interface, the two reads a quote needs. */
const aggregatorV3Abi = [
  {
    type: "function",
    name: "decimals",
    stateMutability: "view",
    inputs: [],
    outputs: [{ name: "", type: "uint8" }],
  },
  {
    type: "function",
    name: "latestRoundData",
    stateMutability: "view",
    inputs: [],
    outputs: [
      { name: "roundId", type: "uint80" },
      { name: "answer", type: "int256" },
      { name: "startedAt", type: "uint256" },
      { name: "updatedAt", type: "uint256" },
      { name: "answeredInRound", type: "uint80" },
    ],
  },
] as const;

const unavailable = (detail: string, cause?: unknown) =>
  new AppError("SERVICE_UNAVAILABLE", { detail, headers: { "Retry-After": "60" }, cause });

/**
 * Prices from Chainlink AggregatorV3 feeds on the token's own chain (`latestRoundData`,
 * `decimals`), or the configured fixed price of a pegged stablecoin. A feed that cannot be read,
 * answers a non-positive price or an incomplete round is an outage (503), never a guess.
 */
export class ChainlinkRateSource implements RateSource {
  constructor(private readonly clientOf: (chainId: number) => PublicClient | null | Promise<PublicClient | null>) {}

  async latest(token: CryptoToken): Promise<Rate> {
    if (!token.feed) return { answer: BigInt(token.usdMinorPerToken ?? 0), decimals: 2, updatedAt: null };
    const client = await this.clientOf(token.chainId);
    if (!client) throw unavailable("No RPC endpoint for this chain's price feed");
    try {
      const [decimals, round] = await Promise.all([
        client.readContract({ address: token.feed, abi: aggregatorV3Abi, functionName: "decimals" }),
        client.readContract({ address: token.feed, abi: aggregatorV3Abi, functionName: "latestRoundData" }),
      ]);
      const [roundId, answer, , updatedAt, answeredInRound] = round;
      if (answer <= 0n || updatedAt === 0n || answeredInRound < roundId) {
        throw unavailable(`The ${token.symbol}/USD price feed has no valid answer`);
      }
      return { answer, decimals, updatedAt: new Date(Number(updatedAt) * 1000) };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw unavailable(`The ${token.symbol}/USD price feed cannot be read`, error);
    }
  }
}

/** Refuses a price older than `maxAgeSec` at `now` (a stalled feed must not price a quote). */
export function assertFresh(rate: Rate, token: CryptoToken, maxAgeSec: number, now: Date): void {
  if (!rate.updatedAt) return;
  const ageSec = Math.floor((now.getTime() - rate.updatedAt.getTime()) / 1000);
  if (ageSec > maxAgeSec) {
    throw new AppError("SERVICE_UNAVAILABLE", {
      detail: `The ${token.symbol}/USD price is ${ageSec} s old (at most ${maxAgeSec} s): no quote until the feed updates`,
      headers: { "Retry-After": "60" },
      extensions: { reason: "stale_rate", ageSec, maxAgeSec },
    });
  }
}

/** Minor units of USD → token base units at `rate`, rounded up (the recipient never gets less). */
export function toBaseUnits(amountMinor: number, decimals: number, rate: Pick<Rate, "answer" | "decimals">): bigint {
  const numerator = BigInt(amountMinor) * 10n ** BigInt(decimals + rate.decimals);
  const denominator = 100n * rate.answer;
  return (numerator + denominator - 1n) / denominator;
}

/** Token base units → minor units of USD at `rate`, rounded down (never credits more than received). */
export function toMinor(baseUnits: bigint, decimals: number, rate: Pick<Rate, "answer" | "decimals">): number {
  return Number((baseUnits * 100n * rate.answer) / 10n ** BigInt(decimals + rate.decimals));
}

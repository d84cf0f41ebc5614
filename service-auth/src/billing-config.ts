import { httpUrl } from "@atlas/config";
import { z } from "zod";
import { viemAccountsSync } from "./providers/sdks.ts";

/** Comma-separated `key=value` pairs, each checked by `valid`; unset → empty map. */
function pairs<V>(what: string, parse: (key: string, value: string) => [string, V] | null) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const out = new Map<string, V>();
      for (const part of (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const i = part.indexOf("=");
        const parsed = i > 0 ? parse(part.slice(0, i).trim(), part.slice(i + 1).trim()) : null;
        if (!parsed) {
          ctx.addIssue({ code: "custom", message: `expected ${what}, comma-separated` });
          return z.NEVER;
        }
        out.set(parsed[0], parsed[1]);
      }
      return out;
    });
}

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function validXpub(v: string): boolean {
  try {
    const key = viemAccountsSync().HDKey.fromExtendedKey(v);
    return key.privateKey === null && key.publicKey !== null;
  } catch {
    return false;
  }
}

/** A token accepted for crypto payments on one chain. */
export interface CryptoToken {
  chainId: number;
  symbol: string;
  /** ERC-20 contract; null for the chain's native coin. */
  address: `0x${string}` | null;
  decimals: number;
  /**
   * Pegged tokens only (USD stablecoins): a fixed price of one whole token in minor units of USD
   * (100). Null when the price comes from `feed`.
   */
  usdMinorPerToken: number | null;
  /** Chainlink AggregatorV3 price feed (token/USD) on the same chain; null for a pegged token. */
  feed: `0x${string}` | null;
}

/**
 * The payment side of billing's environment (Stripe, dunning, crypto), spread into service-auth's
 * schema. Each `.describe()` is the variable's documentation.
 */
export const billingEnv = {
  STRIPE_SECRET_KEY: z
    .string()
    .min(1)
    .optional()
    .describe("Stripe secret API key (sk_...). Unset: Stripe billing is off (plans and crypto still work)"),
  STRIPE_API_BASE_URL: httpUrl()
    .optional()
    .describe("Stripe API base URL (tests and proxies, e.g. http://127.0.0.1:12111); default Stripe's"),
  STRIPE_WEBHOOK_SECRETS: z
    .string()
    .optional()
    .transform(list)
    .describe(
      "Webhook signing secrets (whsec_...), comma-separated: a delivery verifies against any of them, so a secret can be rotated without downtime",
    ),
  STRIPE_WEBHOOK_TOLERANCE_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(300)
    .describe("Oldest Stripe-Signature timestamp accepted, in seconds (replay window)"),
  STRIPE_PRICE_IDS: pairs("planId=price_...", (k, v) => (/^[a-z0-9_-]+$/.test(k) && v ? [k, v] : null)).describe(
    "Stripe price per plan (`pro=price_123,business=price_456`); a plan's own stripePriceId is used otherwise",
  ),
  STRIPE_CONNECT_RETURN_URL: httpUrl()
    .prefault("http://localhost:3000/billing/connect/return")
    .describe("Where Stripe Connect onboarding sends the tenant back"),
  STRIPE_CONNECT_REFRESH_URL: httpUrl()
    .prefault("http://localhost:3000/billing/connect/refresh")
    .describe("Where Stripe Connect onboarding sends the tenant when the link expired"),
  DUNNING_RETRY_HOURS: z
    .string()
    .default("24,72,120")
    .transform((v, ctx) => {
      const hours = list(v).map(Number);
      if (hours.length === 0 || hours.some((h) => !Number.isFinite(h) || h <= 0)) {
        ctx.addIssue({ code: "custom", message: "expected comma-separated positive hours" });
        return z.NEVER;
      }
      return hours;
    })
    .describe("Dunning: hours after the first failed charge at which it is retried (e.g. 24,72,120)"),
  DUNNING_GRACE_DAYS: z.coerce
    .number()
    .min(0)
    .max(60)
    .default(7)
    .describe("Days after the first failed charge before the customer's entitlements are reduced"),
  DUNNING_INTERVAL_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(60)
    .describe(
      "Seconds between dunning runs (retries due, grace expiry, dunning e-mails); each charge is handled once whatever the number of instances",
    ),
  BILLING_RECONCILE_INTERVAL_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(604_800)
    .default(3_600)
    .describe(
      "Seconds between reconciliation runs against Stripe (src/services/billing/reconcile.ts); 0: only `pnpm --filter @atlas/service-auth reconcile`",
    ),
  CRYPTO_DEPOSIT_XPUB: z
    .string()
    .optional()
    .refine((v) => v === undefined || validXpub(v), "expected a BIP-32 extended public key (xpub…)")
    .describe(
      "BIP-32 extended public key (xpub) of the receiving branch (e.g. m/44'/60'/0'/0) of the wallet that collects crypto payments: each quote gets its own deposit address, child N of it, so a transfer is bound to one quote. The private keys stay with the operator. Unset: crypto payments are off",
    ),
  CRYPTO_RPC_URLS: pairs<string>("chainId=url", (k, v) =>
    /^\d+$/.test(k) && /^https?:\/\/\S+$/.test(v) ? [k, v] : null,
  ).describe("JSON-RPC endpoint per chain that crypto payments are verified on (`chainId=url`, comma-separated)"),
  CRYPTO_CONFIRMATIONS: pairs<number>("chainId=count", (k, v) =>
    /^\d+$/.test(k) && /^\d+$/.test(v) ? [k, Number(v)] : null,
  ).describe("Confirmations required per chain before a transfer counts (`1=12,8453=5`); default 12"),
  CRYPTO_TOKENS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const tokens: CryptoToken[] = [];
      for (const part of list(v)) {
        // chainId:SYMBOL:address|native:decimals:feed|peggedUsdMinorPerToken
        const [chain, symbol, address, decimals, price] = part.split(":");
        const feed = EVM_ADDRESS.test(price ?? "");
        const ok =
          /^\d+$/.test(chain ?? "") &&
          /^[A-Za-z0-9]{1,12}$/.test(symbol ?? "") &&
          (address === "native" || EVM_ADDRESS.test(address ?? "")) &&
          /^\d{1,2}$/.test(decimals ?? "") &&
          (feed || (/^\d+$/.test(price ?? "") && Number(price) > 0));
        if (!ok) {
          ctx.addIssue({
            code: "custom",
            message: "expected chainId:SYMBOL:0xaddress|native:decimals:0xfeed|usdMinorPerToken, comma-separated",
          });
          return z.NEVER;
        }
        tokens.push({
          chainId: Number(chain),
          symbol: (symbol as string).toUpperCase(),
          address: address === "native" ? null : (address as `0x${string}`),
          decimals: Number(decimals),
          usdMinorPerToken: feed ? null : Number(price),
          feed: feed ? (price as `0x${string}`) : null,
        });
      }
      return tokens;
    })
    .describe(
      "Tokens accepted for crypto payments: `chainId:SYMBOL:0xcontract|native:decimals:PRICE`, comma-separated. PRICE is a Chainlink AggregatorV3 token/USD feed address on that chain (`8453:ETH:native:18:0x71041d…4F70`), or, for USD-pegged stablecoins only, a fixed price in USD cents (`8453:USDC:0x8335…2913:6:100`)",
    ),
  CRYPTO_QUOTE_TTL_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(1_800)
    .describe("How long a crypto payment request stays valid"),
  CRYPTO_RATE_MAX_AGE_SEC: z.coerce
    .number()
    .int()
    .min(10)
    .max(172_800)
    .default(3_600)
    .describe(
      "Oldest price feed answer a quote may use, in seconds (Chainlink feeds update at least every heartbeat: 3,600 s for ETH/USD); older: 503 and no quote",
    ),
  INVOICE_DUE_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90)
    .default(14)
    .describe(
      "Days after finalization an invoice is due, when cloud-api's invoice.finalized carries no dueAt. An unpaid crypto charge past it enters dunning (grace, then unpaid)",
    ),
  RELAY_API_URL: httpUrl()
    .optional()
    .describe("Relay API base URL (quotes for paying with another chain/token). Unset: direct transfers only"),
  RELAY_API_KEY: z.string().min(1).optional().describe("Relay API key (sent as x-api-key), if the deployment has one"),
};

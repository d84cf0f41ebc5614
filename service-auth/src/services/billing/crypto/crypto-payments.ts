import { AppError } from "@atlas/errors";
import type { OutboxTransaction } from "@atlas/outbox";
import type { Hex, PublicClient } from "viem";
import type { Charge, CryptoPayment } from "../../../../generated/prisma/client.ts";
import type { CryptoToken } from "../../../billing-config.ts";
import type { Deps } from "../../../ports.ts";
import { chargeSucceeded } from "../invoices/charge-outcomes.ts";
import { type ChargeRow, lockCharge } from "../invoices/charge-rows.ts";
import { applyCredit, creditCharge, creditDuplicateCard } from "../invoices/credits.ts";
import { assertFresh, toBaseUnits, toMinor } from "./crypto-rates.ts";
import { blockTime, findTransfer, recheckAfterReorg, refused, type VerifiedTransfer } from "./crypto-verify.ts";
import { depositAddress } from "./deposit-addresses.ts";

const DEFAULT_CONFIRMATIONS = 12;
/** viem's `zeroAddress`: the currency of a native-coin quote (no token contract). */
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The caller's charge for an invoice; another user's invoice is 404 (no BOLA). */
async function ownCharge(deps: Deps, userId: string, invoiceId: string): Promise<Charge> {
  const charge = await deps.prisma.charge.findUnique({ where: { invoiceId } });
  if (!charge || charge.userId !== userId) throw new AppError("NOT_FOUND", { detail: "No such invoice to pay" });
  return charge;
}

const alreadyPaid = () => new AppError("CONFLICT", { detail: "The invoice is already paid" });

function acceptedToken(deps: Deps, chainId: number, currency: string): CryptoToken {
  const token = deps.config.CRYPTO_TOKENS.find((t) => t.chainId === chainId && t.symbol === currency.toUpperCase());
  if (!token) {
    throw new AppError("VALIDATION_FAILED", {
      detail: "This chain and currency are not accepted",
      extensions: { errors: [{ path: "body.currency", message: "not accepted on this chain" }] },
    });
  }
  return token;
}

async function chainClient(deps: Deps, chainId: number): Promise<{ client: PublicClient; xpub: string }> {
  const client = await deps.crypto.chains.client(chainId);
  const xpub = deps.config.CRYPTO_DEPOSIT_XPUB;
  if (!client || !xpub) throw new AppError("NOT_FOUND", { detail: "Crypto payments are not configured here" });
  return { client, xpub };
}

/**
 * One payment per invoice: while the invoice's card PaymentIntent is processing (its outcome is
 * not known yet), no crypto quote. Stripe's current state decides, not the local copy.
 */
async function refuseWhileCardPending(deps: Deps, charge: Charge): Promise<void> {
  if (!charge.stripePaymentIntentId || !deps.stripe) return;
  let status: string | undefined;
  try {
    status = (await deps.stripe.retrievePaymentIntent(charge.stripePaymentIntentId))?.status;
  } catch (cause) {
    throw new AppError("SERVICE_UNAVAILABLE", {
      detail: "Stripe cannot be reached to check the card payment of this invoice",
      headers: { "Retry-After": "30" },
      cause,
    });
  }
  if (status === "processing") {
    throw new AppError("CONFLICT", {
      detail: "A card payment of this invoice is processing: wait for its outcome before paying it in crypto",
      extensions: { reason: "card_payment_processing" },
    });
  }
  if (status === "succeeded") throw new AppError("CONFLICT", { detail: "The invoice is already paid by card" });
}

/**
 * A payment request for an invoice: a deposit address of its own (child N of CRYPTO_DEPOSIT_XPUB),
 * the token, the amount in base units at a fresh feed price, expiry; with the Relay route when
 * Relay is configured. Customer credit is applied first: the quote asks for the rest.
 */
export async function quoteCryptoPayment(
  deps: Deps,
  userId: string,
  input: { invoiceId: string; chainId: number; currency: string },
) {
  const charge = await ownCharge(deps, userId, input.invoiceId);
  if (charge.status === "succeeded") throw alreadyPaid();
  if (charge.currency !== "usd") throw new AppError("CONFLICT", { detail: "Only USD invoices can be paid in crypto" });
  const token = acceptedToken(deps, input.chainId, input.currency);
  const { xpub } = await chainClient(deps, input.chainId);
  await refuseWhileCardPending(deps, charge);
  const now = deps.now();
  const rate = await deps.crypto.rates.latest(token);
  assertFresh(rate, token, deps.config.CRYPTO_RATE_MAX_AGE_SEC, now);
  const remaining = await deps.database.transaction(async (q) => {
    const locked = (await lockCharge(q, `"id"`, charge.id)) as ChargeRow;
    if (locked.status === "succeeded") throw alreadyPaid();
    const left = await applyCredit(q, locked, now);
    if (left === 0) await chargeSucceeded(deps, q, locked, `credit:${locked.invoiceId}`, now);
    return left;
  });
  if (remaining === 0) throw new AppError("CONFLICT", { detail: "The invoice is paid from your credit balance" });
  const [seq] = await deps.prisma.$queryRawUnsafe<{ index: bigint }[]>(
    `SELECT nextval('"billing"."billing_crypto_deposit_index_seq"') AS "index"`,
  );
  const depositIndex = Number(seq?.index);
  const recipient = depositAddress(xpub, depositIndex);
  const amount = toBaseUnits(remaining, token.decimals, rate);
  const relay = deps.crypto.relay
    ? await deps.crypto.relay.quote({
        chainId: token.chainId,
        currency: token.address ?? ZERO_ADDRESS,
        amount: amount.toString(),
        recipient,
      })
    : null;
  const payment = await deps.prisma.cryptoPayment.create({
    data: {
      invoiceId: charge.invoiceId,
      billingProfileId: charge.billingProfileId,
      chainId: token.chainId,
      currency: token.symbol,
      tokenAddress: token.address,
      decimals: token.decimals,
      recipient,
      depositIndex,
      amountBaseUnits: amount.toString(),
      quotedMinor: remaining,
      rateAnswer: rate.answer.toString(),
      rateDecimals: rate.decimals,
      rateUpdatedAt: rate.updatedAt,
      relayQuoteId: relay?.requestId ?? null,
      status: "quoted",
      tenantId: charge.tenantId,
      userId,
      invoiceAmountMinor: charge.amountMinor,
      invoiceCurrency: charge.currency,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.CRYPTO_QUOTE_TTL_SEC * 1000),
    },
  });
  return { payment, relay };
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "23505";

type Settlement =
  | { status: "confirmed" | "credited"; creditedMinor: number }
  | { status: "underpaid"; creditedMinor: number; remainingMinor: number };

/** Books a verified transfer on its locked charge: paid, partly paid (credited), or paid twice. */
async function settle(
  deps: Pick<Deps, "metrics">,
  q: OutboxTransaction,
  charge: Charge,
  transfer: VerifiedTransfer,
  receivedMinor: number,
  txHash: Hex,
  now: Date,
): Promise<Settlement> {
  const source = `eip155:${transfer.quote.chainId}:${txHash}:${transfer.logIndex}`;
  const locked = (await lockCharge(q, `"id"`, charge.id)) as ChargeRow;
  const record = async (status: string) => {
    const rows = await q.query(
      `UPDATE "billing"."billing_crypto_payments"
          SET "txHash" = $2, "logIndex" = $3, "status" = $4, "confirmedAt" = $5, "receivedBaseUnits" = $6,
              "receivedMinor" = $7, "blockNumber" = $8, "blockHash" = $9
        WHERE "id" = $1 AND "status" = 'quoted' RETURNING "id"`,
      [
        transfer.quote.id,
        txHash,
        transfer.logIndex,
        status,
        now,
        transfer.received.toString(),
        receivedMinor,
        transfer.blockNumber,
        transfer.blockHash,
      ],
    );
    if (rows.length === 0) throw new AppError("CONFLICT", { detail: "This payment request was settled meanwhile" });
  };
  if (locked.status === "succeeded") {
    // Paid otherwise (card) while this transfer was under way: the money is the customer's credit.
    await record("credited");
    await creditCharge(q, locked, receivedMinor, "duplicate_payment", source, now);
    return { status: "credited", creditedMinor: receivedMinor };
  }
  const [row] = await q.query<{ applied: number }>(
    `SELECT "creditAppliedMinor" AS applied FROM "billing"."billing_charges" WHERE "id" = $1`,
    [locked.id],
  );
  const due = locked.amountMinor - (row?.applied ?? 0);
  const paid = async (creditedMinor: number): Promise<Settlement> => {
    await q.query(`UPDATE "billing"."billing_charges" SET "provider" = 'crypto' WHERE "id" = $1`, [locked.id]);
    await chargeSucceeded(deps, q, { ...locked, provider: "crypto" }, source, now);
    return { status: "confirmed", creditedMinor };
  };
  if (receivedMinor >= due) {
    await record("confirmed");
    await creditCharge(q, locked, receivedMinor - due, "overpayment", source, now);
    return paid(receivedMinor - due);
  }
  // Less than due: the transfer is a partial payment. It is credited and applied to this invoice
  // at once (two ledger entries); the invoice stays unpaid with the rest due on a new quote.
  await record("underpaid");
  await creditCharge(q, locked, receivedMinor, "underpayment", source, now);
  const remainingMinor = await applyCredit(q, locked, now);
  if (remainingMinor === 0) return paid(0);
  return { status: "underpaid", creditedMinor: receivedMinor, remainingMinor };
}

/**
 * After crypto paid the invoice: the card PaymentIntent, if any, is canceled. If it succeeded
 * anyway (a race with the customer or a late asynchronous payment), its amount becomes credit.
 * Runs after the settlement committed: a Stripe outage here leaves the webhook to credit it.
 */
async function stopCardPayment(deps: Deps, chargeId: string): Promise<void> {
  const charge = await deps.prisma.charge.findUnique({ where: { id: chargeId } });
  const id = charge?.stripePaymentIntentId;
  if (!charge || !id || !deps.stripe) return;
  try {
    let pi = await deps.stripe.retrievePaymentIntent(id);
    if (pi && pi.status !== "succeeded" && pi.status !== "canceled") {
      pi = await deps.stripe
        .cancelPaymentIntent(id, `atlas:invoice:${charge.invoiceId}:cancel-after-crypto`)
        .catch(() => deps.stripe?.retrievePaymentIntent(id) ?? null);
    }
    if (pi?.status !== "succeeded") return;
    await deps.database.transaction(async (q) => {
      const locked = (await lockCharge(q, `"id"`, chargeId)) as ChargeRow;
      await creditDuplicateCard(q, locked, id, deps.now());
    });
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message, chargeId }, "card PaymentIntent not canceled after crypto");
  }
}

/** A transfer seen before: the same answer again (a retried confirm), or it paid another invoice. */
function replay(seen: CryptoPayment, charge: Charge): never {
  if (seen.invoiceId !== charge.invoiceId) {
    throw new AppError("CONFLICT", { detail: "This transfer has already paid an invoice" });
  }
  if (seen.status === "underpaid") {
    throw refused("amount_too_low", "The transfer is smaller than the amount due: it was credited toward the invoice", {
      creditedMinor: seen.receivedMinor ?? 0,
      remainingMinor: charge.amountMinor - charge.creditAppliedMinor,
    });
  }
  throw alreadyPaid();
}

/**
 * Settles an invoice with an on-chain transfer, after these checks in order:
 * 1. the invoice is the caller's, and the transfer was not used before;
 * 2. the receipt exists and succeeded, with the chain's required confirmations;
 * 3. it moves the quoted token (ERC-20 `Transfer` logs, or native value, traced through contract
 *    wallets) into the deposit address of one of the invoice's quotes: the address is the quote's
 *    alone, so nobody else's transfer can be claimed;
 * 4. its block is not older than the quote; mined after the quote's expiry, it is valued at the
 *    lower of the quote's and today's price;
 * 5. the receipt is read again right before settling: still in the same canonical block (reorg);
 * 6. in one transaction: paid (excess credited), underpaid (credited, applied, rest due), or paid
 *    twice (credited); `payment.succeeded` once; `(chainId, txHash, logIndex)` unique.
 */
export async function confirmCryptoPayment(
  deps: Deps,
  userId: string,
  input: { invoiceId: string; chainId: number; txHash: Hex },
) {
  const charge = await ownCharge(deps, userId, input.invoiceId);
  const { client } = await chainClient(deps, input.chainId);
  const txHash = input.txHash.toLowerCase() as Hex;
  const seen = await deps.prisma.cryptoPayment.findFirst({ where: { chainId: input.chainId, txHash } });
  if (seen) replay(seen, charge);
  const quotes = await deps.prisma.cryptoPayment.findMany({
    where: { invoiceId: charge.invoiceId, chainId: input.chainId, status: "quoted", depositIndex: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (quotes.length === 0) {
    if (charge.status === "succeeded") throw alreadyPaid();
    throw new AppError("NOT_FOUND", { detail: "No open payment request for this invoice on this chain" });
  }
  const required = deps.config.CRYPTO_CONFIRMATIONS.get(String(input.chainId)) ?? DEFAULT_CONFIRMATIONS;
  const transfer = await findTransfer(client, quotes, txHash, required);
  const { quote } = transfer;
  const minedAt = await blockTime(client, transfer);
  // Block times have whole seconds: a block of the quote's own second counts as after it.
  if (minedAt.getTime() < Math.floor(quote.createdAt.getTime() / 1000) * 1000) {
    throw refused("before_quote", "The transfer was mined before its payment request was made: it cannot pay it");
  }
  const rate = { answer: BigInt(quote.rateAnswer as string), decimals: quote.rateDecimals as number };
  let receivedMinor = toMinor(transfer.received, quote.decimals, rate);
  if (minedAt > quote.expiresAt) {
    // Late: the money is the customer's (the address is this quote's alone) but the quote's price
    // no longer holds. It counts at the lower of the quote's and today's fresh price, so a late
    // payment is never lost and an old quote is never a free option on the price.
    const token = acceptedToken(deps, input.chainId, quote.currency);
    const today = await deps.crypto.rates.latest(token);
    assertFresh(today, token, deps.config.CRYPTO_RATE_MAX_AGE_SEC, deps.now());
    receivedMinor = Math.min(receivedMinor, toMinor(transfer.received, quote.decimals, today));
  }
  await recheckAfterReorg(client, txHash, transfer, required);
  const now = deps.now();
  let outcome: Settlement;
  try {
    outcome = await deps.database.transaction((q) => settle(deps, q, charge, transfer, receivedMinor, txHash, now));
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", { detail: "This transfer has already paid an invoice" });
    throw error;
  }
  if (outcome.status === "underpaid") {
    throw refused("amount_too_low", "The transfer is smaller than the amount due: it was credited toward the invoice", {
      creditedMinor: outcome.creditedMinor,
      remainingMinor: outcome.remainingMinor,
    });
  }
  if (outcome.status === "confirmed") await stopCardPayment(deps, charge.id);
  return {
    invoiceId: charge.invoiceId,
    chainId: input.chainId,
    txHash,
    logIndex: transfer.logIndex,
    status: outcome.status,
    creditedMinor: outcome.creditedMinor,
  };
}

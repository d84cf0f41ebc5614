import { AppError } from "@atlas/errors";
import { erc20Abi, type Hex, isAddressEqual, type PublicClient, parseEventLogs, zeroAddress } from "viem";
import type { CryptoToken } from "../../billing-config.ts";
import type { Deps } from "../../deps.ts";
import type { Charge, CryptoPayment } from "../../generated/prisma/client.ts";
import { asProviderOutage } from "../../providers/outage.ts";
import { type ChargeRow, chargeSucceeded, lockCharge } from "./charge-invoice.ts";

const DEFAULT_CONFIRMATIONS = 12;

/** A transfer that does not pay the invoice: 402 PAYMENT_FAILED with a machine-readable reason. */
function refused(reason: string, detail: string, extensions: Record<string, unknown> = {}): AppError {
  return new AppError("PAYMENT_FAILED", { detail, extensions: { reason, ...extensions } });
}

/** The caller's open charge for an invoice; another user's invoice is 404 (no BOLA). */
async function ownCharge(deps: Deps, userId: string, invoiceId: string): Promise<Charge> {
  const charge = await deps.prisma.charge.findUnique({ where: { invoiceId } });
  if (!charge || charge.userId !== userId) throw new AppError("NOT_FOUND", { detail: "No such invoice to pay" });
  if (charge.status === "succeeded") throw new AppError("CONFLICT", { detail: "The invoice is already paid" });
  return charge;
}

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

function chainClient(deps: Deps, chainId: number): { client: PublicClient; recipient: Hex } {
  const client = deps.crypto.chains.client(chainId);
  const recipient = deps.config.CRYPTO_RECIPIENT_ADDRESS as Hex | undefined;
  if (!client || !recipient) throw new AppError("NOT_FOUND", { detail: "Crypto payments are not configured here" });
  return { client, recipient };
}

/** Minor units of USD → token base units, rounded up (the recipient never gets less than due). */
export function toBaseUnits(amountMinor: number, token: CryptoToken): bigint {
  const numerator = BigInt(amountMinor) * 10n ** BigInt(token.decimals);
  const price = BigInt(token.usdMinorPerToken);
  return (numerator + price - 1n) / price;
}

/**
 * A payment request for an invoice: recipient, token, amount in base units, expiry; with the Relay
 * route (what the payer sends, fees included) when Relay is configured.
 */
export async function quoteCryptoPayment(
  deps: Deps,
  userId: string,
  input: { invoiceId: string; chainId: number; currency: string },
) {
  const charge = await ownCharge(deps, userId, input.invoiceId);
  if (charge.currency !== "usd") throw new AppError("CONFLICT", { detail: "Only USD invoices can be paid in crypto" });
  const token = acceptedToken(deps, input.chainId, input.currency);
  const { recipient } = chainClient(deps, input.chainId);
  const amount = toBaseUnits(charge.amountMinor, token);
  const relay = deps.crypto.relay
    ? await deps.crypto.relay.quote({
        chainId: token.chainId,
        currency: token.address ?? zeroAddress,
        amount: amount.toString(),
        recipient,
      })
    : null;
  const now = deps.now();
  const payment = await deps.prisma.cryptoPayment.create({
    data: {
      invoiceId: charge.invoiceId,
      billingProfileId: charge.billingProfileId,
      chainId: token.chainId,
      currency: token.symbol,
      tokenAddress: token.address,
      decimals: token.decimals,
      recipient,
      amountBaseUnits: amount.toString(),
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

/** The transfer in a receipt that pays `payment`: its log index (-1 native), or why none does. */
async function findPayingTransfer(
  client: PublicClient,
  payment: CryptoPayment,
  txHash: Hex,
  required: number,
): Promise<number> {
  const due = BigInt(payment.amountBaseUnits);
  const recipient = payment.recipient as Hex;
  // Only "no such receipt" means not mined; an unreachable node is an outage (503), not the payer's fault.
  const receipt = await client.getTransactionReceipt({ hash: txHash }).catch((error: unknown) => {
    if (asProviderOutage(error)) throw error;
    return null;
  });
  if (!receipt) throw refused("not_found", "The transaction is not mined on this chain");
  if (receipt.status !== "success") throw refused("reverted", "The transaction reverted");
  // No cache: the head decides the confirmations (viem caches it for a polling interval by default).
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const confirmations = Number(head - receipt.blockNumber + 1n);
  if (confirmations < required) {
    throw refused("unconfirmed", "The transaction does not have enough confirmations yet", { confirmations, required });
  }
  if (!payment.tokenAddress) {
    const tx = await client.getTransaction({ hash: txHash });
    if (!tx.to || !isAddressEqual(tx.to, recipient)) throw refused("wrong_recipient", "The transfer went elsewhere");
    if (tx.value < due) throw refused("amount_too_low", "The transfer is smaller than the amount due");
    return -1;
  }
  const transfers = parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs });
  const ofToken = transfers.filter((l) => isAddressEqual(l.address, payment.tokenAddress as Hex));
  if (ofToken.length === 0) throw refused("wrong_token", "The transaction moves no tokens of the requested kind");
  const toUs = ofToken.filter((l) => isAddressEqual(l.args.to, recipient));
  if (toUs.length === 0) throw refused("wrong_recipient", "The transfer went elsewhere");
  const paying = toUs.find((l) => l.args.value >= due);
  if (!paying) throw refused("amount_too_low", "The transfer is smaller than the amount due");
  return paying.logIndex;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "23505";

/**
 * Settles an invoice with an on-chain transfer, after these checks in order:
 * 1. the invoice is the caller's and unpaid, and was quoted on this chain (not expired);
 * 2. the receipt exists and succeeded, with the chain's required confirmations;
 * 3. it moves the quoted token (ERC-20 `Transfer` log) or native value to our recipient, at least
 *    the amount due;
 * 4. `(chainId, txHash, logIndex)` is unique: one transfer pays one invoice (409 on reuse);
 * 5. the charge turns succeeded and `payment.succeeded` is emitted in the same transaction.
 */
export async function confirmCryptoPayment(
  deps: Deps,
  userId: string,
  input: { invoiceId: string; chainId: number; txHash: Hex },
) {
  const charge = await ownCharge(deps, userId, input.invoiceId);
  const now = deps.now();
  const payment = await deps.prisma.cryptoPayment.findFirst({
    where: { invoiceId: charge.invoiceId, chainId: input.chainId, status: "quoted", expiresAt: { gt: now } },
    orderBy: { createdAt: "desc" },
  });
  if (!payment) throw new AppError("NOT_FOUND", { detail: "No open payment request for this invoice on this chain" });
  const { client } = chainClient(deps, input.chainId);
  const txHash = input.txHash.toLowerCase() as Hex;
  const required = deps.config.CRYPTO_CONFIRMATIONS.get(String(input.chainId)) ?? DEFAULT_CONFIRMATIONS;
  const logIndex = await findPayingTransfer(client, payment, txHash, required);
  try {
    return await deps.database.transaction(async (q) => {
      const locked = (await lockCharge(q, `"id"`, charge.id)) as ChargeRow;
      if (locked.status === "succeeded") throw new AppError("CONFLICT", { detail: "The invoice is already paid" });
      await q.query(
        `UPDATE "billing"."billing_crypto_payments"
            SET "txHash" = $2, "logIndex" = $3, "status" = 'confirmed', "confirmedAt" = $4 WHERE "id" = $1`,
        [payment.id, txHash, logIndex, now],
      );
      await q.query(`UPDATE "billing"."billing_charges" SET "provider" = 'crypto' WHERE "id" = $1`, [charge.id]);
      await chargeSucceeded(q, { ...locked, provider: "crypto" }, `eip155:${input.chainId}:${txHash}:${logIndex}`, now);
      return { invoiceId: charge.invoiceId, chainId: input.chainId, txHash, logIndex, status: "confirmed" as const };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", { detail: "This transfer has already paid an invoice" });
    }
    throw error;
  }
}

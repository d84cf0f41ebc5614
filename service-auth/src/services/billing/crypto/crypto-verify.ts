import { AppError } from "@atlas/errors";
import type { Hex, PublicClient } from "viem";
import type { CryptoPayment } from "../../../../generated/prisma/client.ts";
import { asProviderOutage } from "../../../providers/outage.ts";
import { viemSdk } from "../../../providers/sdks.ts";

/** A transfer that does not pay the invoice: 402 PAYMENT_FAILED with a machine-readable reason. */
export function refused(reason: string, detail: string, extensions: Record<string, unknown> = {}): AppError {
  return new AppError("PAYMENT_FAILED", { detail, extensions: { reason, ...extensions } });
}

/** What a verified transaction paid into one quote's deposit address. */
export interface VerifiedTransfer {
  quote: CryptoPayment;
  /** First matching ERC-20 Transfer log, -1 for native value. */
  logIndex: number;
  received: bigint;
  blockNumber: bigint;
  blockHash: Hex;
}

interface CallFrame {
  to?: Hex;
  value?: Hex;
  error?: string;
  calls?: CallFrame[];
}

type AddressEqual = (a: Hex, b: Hex) => boolean;

/** Native value a call tree moved to `address`, reverted frames excluded (callTracer output). */
function tracedValue(frame: CallFrame, address: Hex, isAddressEqual: AddressEqual): bigint {
  if (frame.error) return 0n;
  const own = frame.to && frame.value && isAddressEqual(frame.to, address) ? BigInt(frame.value) : 0n;
  return (frame.calls ?? []).reduce((sum, call) => sum + tracedValue(call, address, isAddressEqual), own);
}

/**
 * Native value a transaction delivered to `address`: `tx.value` when sent straight to it, else the
 * internal transfers of its call trace (a smart-contract wallet forwards value in an inner call,
 * invisible in `tx.value`). A node without `debug_traceTransaction` cannot show those: refused
 * with a clear reason rather than guessed.
 */
async function nativeReceived(client: PublicClient, hash: Hex, to: Hex | null, value: bigint, address: Hex) {
  const { isAddressEqual } = await viemSdk();
  if (to && isAddressEqual(to, address)) return value;
  // Only a call into a contract can pass value on; a plain transfer elsewhere moved none to us.
  if (!to || ((await client.getCode({ address: to })) ?? "0x") === "0x") return 0n;
  let trace: CallFrame;
  try {
    trace = (await client.request({
      method: "debug_traceTransaction" as never,
      params: [hash, { tracer: "callTracer" }] as never,
    })) as CallFrame;
  } catch {
    throw refused(
      "internal_transfer",
      "The coin reached the address through a contract call that this chain's node cannot trace: send it straight from a wallet account, or pay in a token",
    );
  }
  return tracedValue(trace, address, isAddressEqual);
}

/** Only "no such receipt/block" means not mined; an unreachable node is an outage (503), not the payer's fault. */
function notMinedOrOutage(error: unknown): null {
  if (asProviderOutage(error)) throw error;
  return null;
}

/**
 * Finds what transaction `hash` paid into the deposit address of one of `quotes` (the invoice's
 * open quotes on this chain), after checking that it succeeded and has `required` confirmations.
 * Each quote has its own address, so a transfer pays only the quote it was sent for: nobody can
 * claim someone else's transfer.
 */
export async function findTransfer(
  client: PublicClient,
  quotes: CryptoPayment[],
  hash: Hex,
  required: number,
): Promise<VerifiedTransfer> {
  const { erc20Abi, isAddressEqual, parseEventLogs } = await viemSdk();
  const receipt = await client.getTransactionReceipt({ hash }).catch(notMinedOrOutage);
  if (!receipt) throw refused("not_found", "The transaction is not mined on this chain");
  if (receipt.status !== "success") throw refused("reverted", "The transaction reverted");
  // No cache: the head decides the confirmations (viem caches it for a polling interval by default).
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const confirmations = Number(head - receipt.blockNumber + 1n);
  if (confirmations < required) {
    throw refused("unconfirmed", "The transaction does not have enough confirmations yet", { confirmations, required });
  }
  const at = { blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
  const transfers = parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs });
  let reachedUs = false;
  let fetched: Promise<{ to: Hex | null; value: bigint }> | null = null;
  const transaction = () => {
    fetched ??= client.getTransaction({ hash });
    return fetched;
  };
  for (const quote of quotes) {
    const address = quote.recipient as Hex;
    const toQuote = transfers.filter((l) => isAddressEqual(l.args.to, address));
    if (toQuote.length > 0) reachedUs = true;
    if (quote.tokenAddress) {
      const paying = toQuote.filter((l) => isAddressEqual(l.address, quote.tokenAddress as Hex));
      if (paying.length === 0) continue;
      const received = paying.reduce((sum, l) => sum + l.args.value, 0n);
      return { quote, logIndex: (paying[0] as { logIndex: number }).logIndex, received, ...at };
    }
    const tx = await transaction();
    const received = await nativeReceived(client, hash, tx.to, tx.value, address);
    if (received > 0n) return { quote, logIndex: -1, received, ...at };
    if (tx.to && isAddressEqual(tx.to, address)) reachedUs = true;
  }
  if (!reachedUs) {
    // A bare native transfer to a token quote's address is a wrong token, not a wrong recipient.
    const tx = await transaction();
    reachedUs = quotes.some((q) => tx.to && isAddressEqual(tx.to, q.recipient as Hex));
  }
  if (reachedUs) throw refused("wrong_token", "The transaction moves no tokens of the requested kind");
  throw refused("wrong_recipient", "The transfer went to no open payment request of this invoice");
}

/**
 * Right before settling: the receipt read again must sit in the same block, that block must still
 * be the chain's block at its height, and the confirmations must still be enough. A reorganization
 * that dropped or moved the transaction since it was first read refuses the settlement.
 */
export async function recheckAfterReorg(
  client: PublicClient,
  hash: Hex,
  transfer: VerifiedTransfer,
  required: number,
): Promise<void> {
  const receipt = await client.getTransactionReceipt({ hash }).catch(notMinedOrOutage);
  const block = await client.getBlock({ blockNumber: transfer.blockNumber }).catch(notMinedOrOutage);
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const stillThere =
    receipt?.status === "success" &&
    receipt.blockHash === transfer.blockHash &&
    block?.hash === transfer.blockHash &&
    head - transfer.blockNumber + 1n >= BigInt(required);
  if (!stillThere) {
    throw refused(
      "reorged",
      "The transaction's block was replaced by a chain reorganization: wait until it is mined again and confirmed",
    );
  }
}

/** The timestamp of the block a transfer was mined in. */
export async function blockTime(client: PublicClient, transfer: VerifiedTransfer): Promise<Date> {
  const block = await client.getBlock({ blockHash: transfer.blockHash });
  return new Date(Number(block.timestamp) * 1000);
}

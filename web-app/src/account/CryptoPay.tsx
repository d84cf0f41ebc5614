import { useEffect, useId, useState } from "react";
import type { AccountApi, CryptoQuote, Invoice } from "../account-api.ts";
import { ApiError, errorMessage } from "../api.ts";
import type { CryptoPaymentOption } from "../config.ts";
import { type Eip1193Provider, type EthereumWallet, watchEthereumWallets } from "../wallets/ethereum.ts";
import { formatUnits, paymentTransaction } from "../wallets/payment.ts";
import { useStepUp } from "./StepUp.tsx";
import { money } from "./ui.tsx";

const CHAIN_NAMES: Record<number, string> = {
  1: "Ethereum",
  10: "Optimism",
  137: "Polygon",
  8453: "Base",
  42161: "Arbitrum One",
  11155111: "Sepolia",
  31337: "Local test chain",
};
const chainName = (id: number) => CHAIN_NAMES[id] ?? `Chain ${id}`;
const optionLabel = (o: CryptoPaymentOption) => `${o.currency} on ${chainName(o.chainId)}`;

type Step = "quote" | "wallet" | "confirming" | "paid";
const STEPS: { step: Step; label: string }[] = [
  { step: "quote", label: "Get a payment quote" },
  { step: "wallet", label: "Approve the transfer in your wallet" },
  { step: "confirming", label: "Wait for confirmations on chain" },
  { step: "paid", label: "Invoice paid" },
];

type Progress =
  | { kind: "idle" }
  | { kind: "running"; step: Step; quote?: CryptoQuote; txHash?: string; message: string }
  | { kind: "paid"; quote: CryptoQuote; txHash: string }
  | { kind: "failed"; step: Step; message: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often the transfer is checked again while it gathers confirmations. */
const CONFIRM_POLL_MS = 1_500;

async function walletChain(provider: Eip1193Provider): Promise<number> {
  const chain = await provider.request({ method: "eth_chainId" });
  return typeof chain === "string" ? Number.parseInt(chain, 16) : Number(chain);
}

function walletError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 4001) return "You declined the request in your wallet. Nothing was sent.";
  if (code === 4902) return "Your wallet does not know this chain yet: add it in the wallet, then try again.";
  return error instanceof Error && error.message ? `The wallet refused: ${error.message}` : "The wallet refused.";
}

/**
 * Paying an invoice on chain, with its progress: (1) a quote from service-auth (how much of
 * which token to send where), (2) the transfer from an EIP-1193 wallet (switched to the quote's
 * chain first), (3) confirmation: service-auth checks the transfer on chain until it has enough
 * confirmations, then settles the invoice.
 */
export function CryptoPay({
  api,
  invoice,
  options,
  onPaid,
}: {
  api: AccountApi;
  invoice: Invoice;
  options: CryptoPaymentOption[];
  onPaid: () => void;
}) {
  const stepUp = useStepUp();
  const id = useId();
  const [choice, setChoice] = useState(0);
  const [wallets, setWallets] = useState<EthereumWallet[]>([]);
  const [walletId, setWalletId] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress>({ kind: "idle" });
  useEffect(() => watchEthereumWallets(setWallets), []);
  const wallet = wallets.find((w) => w.id === walletId) ?? wallets[0];
  const option = options[choice] ?? options[0];

  async function pay() {
    if (!wallet || !option) return;
    let step: Step = "quote";
    try {
      setProgress({ kind: "running", step, message: "Asking for a quote…" });
      const quote = await stepUp(() =>
        api.cryptoQuote(
          { invoiceId: invoice.id, chainId: option.chainId, currency: option.currency },
          crypto.randomUUID(),
        ),
      );
      const amount = `${formatUnits(quote.amount, quote.decimals)} ${quote.currency}`;
      step = "wallet";
      setProgress({ kind: "running", step, quote, message: `Approve sending ${amount} in ${wallet.name}…` });
      let txHash: string;
      try {
        const accounts = await wallet.provider.request({ method: "eth_requestAccounts" });
        const from = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : null;
        if (!from) throw new Error("it shared no account");
        if ((await walletChain(wallet.provider)) !== quote.chainId) {
          await wallet.provider.request({
            method: "wallet_switchEthereumChain",
            params: [{ chainId: `0x${quote.chainId.toString(16)}` }],
          });
        }
        const sent = await wallet.provider.request({
          method: "eth_sendTransaction",
          params: [paymentTransaction(from, quote)],
        });
        if (typeof sent !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(sent))
          throw new Error("it returned no transaction");
        txHash = sent;
      } catch (error) {
        setProgress({ kind: "failed", step, message: walletError(error) });
        return;
      }
      step = "confirming";
      const expires = new Date(quote.expiresAt).getTime();
      let message = "Transfer sent. Waiting for it to be mined…";
      for (;;) {
        setProgress({ kind: "running", step, quote, txHash, message });
        try {
          await stepUp(() =>
            api.cryptoConfirm({ invoiceId: invoice.id, chainId: quote.chainId, txHash }, crypto.randomUUID()),
          );
          break;
        } catch (error) {
          const reason = error instanceof ApiError ? error.extras.reason : undefined;
          const waiting = error instanceof ApiError && (reason === "unconfirmed" || reason === "not_found");
          if (!waiting || Date.now() > expires) throw error;
          const { confirmations, required } = (error as ApiError).extras;
          message =
            reason === "unconfirmed" && typeof confirmations === "number" && typeof required === "number"
              ? `Transfer mined: ${confirmations} of ${required} confirmations…`
              : "Transfer sent. Waiting for it to be mined…";
          setProgress({ kind: "running", step, quote, txHash, message });
          await sleep(CONFIRM_POLL_MS);
        }
      }
      setProgress({ kind: "paid", quote, txHash });
      onPaid();
    } catch (error) {
      setProgress({ kind: "failed", step, message: errorMessage(error) });
    }
  }

  const busy = progress.kind === "running";
  const current: Step = progress.kind === "idle" ? "quote" : progress.kind === "paid" ? "paid" : progress.step;
  const at = STEPS.findIndex((s) => s.step === current);
  const quote = progress.kind === "running" || progress.kind === "paid" ? progress.quote : undefined;
  const txHash = progress.kind === "running" || progress.kind === "paid" ? progress.txHash : undefined;
  return (
    <section className="crypto-pay" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Pay {money(invoice.amountDueMinor, invoice.currency)} with crypto</h4>
      {wallets.length === 0 ? (
        <p className="notice">
          No Ethereum wallet found in this browser. Install or unlock a wallet extension to pay on chain.
        </p>
      ) : (
        <div className="crypto-choices">
          {options.length > 1 && (
            <label>
              Currency
              <select value={choice} onChange={(e) => setChoice(Number(e.target.value))} disabled={busy}>
                {options.map((o, i) => (
                  <option key={`${o.chainId}:${o.currency}`} value={i}>
                    {optionLabel(o)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {wallets.length > 1 && (
            <label>
              Wallet
              <select value={wallet?.id} onChange={(e) => setWalletId(e.target.value)} disabled={busy}>
                {wallets.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {progress.kind !== "paid" && (
            <button type="button" className="primary" onClick={pay} disabled={busy} aria-busy={busy}>
              {progress.kind === "failed" ? "Try again" : `Pay in ${option ? optionLabel(option) : "crypto"}`}
            </button>
          )}
        </div>
      )}
      {progress.kind !== "idle" && (
        <>
          <progress
            max={STEPS.length}
            value={progress.kind === "paid" ? STEPS.length : at}
            aria-label="Payment progress"
          />
          <ol className="steps">
            {STEPS.map((s, i) => (
              <li
                key={s.step}
                aria-current={i === at && progress.kind !== "paid" ? "step" : undefined}
                className={i < at || progress.kind === "paid" ? "done" : i === at ? "current" : ""}
              >
                {s.label}
              </li>
            ))}
          </ol>
          {quote && (
            <p className="hint">
              {formatUnits(quote.amount, quote.decimals)} {quote.currency} on {chainName(quote.chainId)} to{" "}
              <code className="wrap">{quote.address}</code>
              {txHash && (
                <>
                  {" "}
                  · transaction <code className="wrap">{txHash}</code>
                </>
              )}
            </p>
          )}
          <p
            className={`form-status${progress.kind === "failed" ? " error" : ""}`}
            role={progress.kind === "failed" ? "alert" : "status"}
          >
            {progress.kind === "running" && progress.message}
            {progress.kind === "paid" && "Payment confirmed: the invoice is paid."}
            {progress.kind === "failed" && progress.message}
          </p>
        </>
      )}
    </section>
  );
}

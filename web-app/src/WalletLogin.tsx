import { useEffect, useState } from "react";
import { errorMessage } from "./api.ts";
import type { AuthClient, Login, LoginMethod, Session } from "./auth.ts";
import { WalletLogo } from "./logos.tsx";
import { type ArweaveWallet, arweaveWallet } from "./wallets/arweave.ts";
import { connectEthereum, type EthereumWallet, personalSign, watchEthereumWallets } from "./wallets/ethereum.ts";
import { base64, base64url, caip122Message, type SignInFields, siweMessage, toUtf8 } from "./wallets/message.ts";
import { connectSolana, type StandardWallet, signSolanaMessage, watchSolanaWallets } from "./wallets/solana.ts";

function useEthereumWallets(enabled: boolean) {
  const [wallets, setWallets] = useState<EthereumWallet[]>([]);
  useEffect(() => (enabled ? watchEthereumWallets(setWallets) : undefined), [enabled]);
  return wallets;
}

function useSolanaWallets(enabled: boolean) {
  const [wallets, setWallets] = useState<StandardWallet[]>([]);
  useEffect(() => (enabled ? watchSolanaWallets(setWallets) : undefined), [enabled]);
  return wallets;
}

/** ArConnect injects late; it says so with `arweaveWalletLoaded`. */
function useArweaveWallet(enabled: boolean) {
  const [wallet, setWallet] = useState<ArweaveWallet | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const check = () => setWallet(arweaveWallet());
    check();
    window.addEventListener("arweaveWalletLoaded", check);
    return () => window.removeEventListener("arweaveWalletLoaded", check);
  }, [enabled]);
  return wallet;
}

/** A wallet's refusal ("User rejected the request", EIP-1193 code 4001) is not a failure. */
function walletError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 4001 || (error instanceof Error && /reject|denied|cancel/i.test(error.message))) {
    return "The request was declined in your wallet.";
  }
  if (error instanceof Error && !("status" in error)) return error.message || "The wallet couldn't sign in.";
  return errorMessage(error);
}

/** Ethereum (EIP-1193 + EIP-6963), Solana (Wallet Standard) and Arweave wallets, as the tenant allows. */
export function WalletLogin({
  auth,
  login,
  allowed,
  appName,
}: {
  auth: AuthClient;
  login: Login;
  allowed: Set<LoginMethod>;
  appName: string;
}) {
  const eth = useEthereumWallets(allowed.has("siwe"));
  const sol = useSolanaWallets(allowed.has("siws"));
  const ar = useArweaveWallet(allowed.has("arweave"));
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<{ tone: "error" | "info"; text: string } | null>(null);

  const fields = (nonce: string): SignInFields => ({
    domain: window.location.host,
    uri: window.location.origin,
    nonce,
    statement: `Sign in to ${appName}.`,
    issuedAt: new Date(),
    expiresInMs: 10 * 60_000,
  });

  async function run(id: string, flow: () => Promise<Session>) {
    setBusy(id);
    setStatus({ tone: "info", text: "Check your wallet to connect and sign the sign-in message…" });
    try {
      await login(flow);
      setStatus(null);
    } catch (e) {
      setStatus({ tone: "error", text: walletError(e) });
    } finally {
      setBusy(null);
    }
  }

  const signInEthereum = (w: EthereumWallet) =>
    run(`eth:${w.id}`, async () => {
      const { address, chainId } = await connectEthereum(w.provider);
      const message = siweMessage(fields(await auth.walletNonce("siwe")), address, chainId);
      return auth.verifySiwe(message, await personalSign(w.provider, address, message));
    });

  const signInSolana = (w: StandardWallet) =>
    run(`sol:${w.name}`, async () => {
      const account = await connectSolana(w);
      const message = caip122Message(fields(await auth.walletNonce("siws")), "Solana", account.address, "mainnet");
      const signature = await signSolanaMessage(w, account, toUtf8(message));
      return auth.verifySignedMessage("siws", message, base64(signature), account.address);
    });

  const signInArweave = (w: ArweaveWallet) =>
    run("arweave", async () => {
      await w.connect(["ACCESS_ADDRESS", "ACCESS_PUBLIC_KEY", "SIGNATURE"], { name: appName });
      const [address, owner] = [await w.getActiveAddress(), await w.getActivePublicKey()];
      const message = caip122Message(fields(await auth.walletNonce("arweave")), "Arweave", address, "arweave:mainnet");
      const signature = new Uint8Array(await w.signMessage(toUtf8(message), { hashAlgorithm: "SHA-256" }));
      return auth.verifySignedMessage("arweave", message, base64url(signature), owner);
    });

  const icon = (src: string | null) =>
    src ? <img className="method-logo" src={src} alt="" width={20} height={20} /> : <WalletLogo />;
  // Only wallets this browser has: a chain without an extension is not offered (nothing to click).
  const found = eth.length > 0 || sol.length > 0 || ar !== null;
  if (!found && !status) return null;

  return (
    <div className="wallets">
      <ul className="method-list" aria-label="Wallets">
        {eth.map((w) => (
          <li key={`eth-${w.id}`}>
            <button type="button" className="method" onClick={() => signInEthereum(w)} disabled={busy !== null}>
              {icon(w.icon)} {eth.length > 1 ? `Ethereum · ${w.name}` : `Ethereum (${w.name})`}
            </button>
          </li>
        ))}
        {sol.map((w) => (
          <li key={`sol-${w.name}`}>
            <button type="button" className="method" onClick={() => signInSolana(w)} disabled={busy !== null}>
              {icon(w.icon.startsWith("data:image/") ? w.icon : null)} Solana ({w.name})
            </button>
          </li>
        ))}
        {ar && (
          <li key="arweave">
            <button type="button" className="method" onClick={() => signInArweave(ar)} disabled={busy !== null}>
              <WalletLogo /> Arweave wallet
            </button>
          </li>
        )}
      </ul>
      <p className={`form-status ${status?.tone ?? ""}`} role="status" aria-live="polite">
        {status?.text}
      </p>
    </div>
  );
}

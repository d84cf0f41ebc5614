/**
 * The Wallet Standard as a page sees it (the parts used here): wallets register themselves
 * through window events; a wallet has accounts, chains and namespaced features.
 */
export interface StandardAccount {
  address: string;
  publicKey: Uint8Array;
  chains: readonly string[];
}

export interface StandardWallet {
  name: string;
  icon: string;
  chains: readonly string[];
  accounts: readonly StandardAccount[];
  features: Record<string, unknown>;
}

interface ConnectFeature {
  connect(input?: { silent?: boolean }): Promise<{ accounts: readonly StandardAccount[] }>;
}

interface SignMessageFeature {
  signMessage(
    ...inputs: { account: StandardAccount; message: Uint8Array }[]
  ): Promise<readonly { signedMessage: Uint8Array; signature: Uint8Array }[]>;
}

const isSolanaWallet = (w: StandardWallet) =>
  w.chains.some((c) => c.startsWith("solana:")) &&
  "solana:signMessage" in w.features &&
  "standard:connect" in w.features;

/**
 * Wallet Standard discovery: answers `wallet-standard:register-wallet` and announces
 * `wallet-standard:app-ready`, then calls `onChange` with the Solana wallets that can sign
 * messages. Returns the unsubscribe.
 */
export function watchSolanaWallets(onChange: (wallets: StandardWallet[]) => void): () => void {
  const wallets = new Set<StandardWallet>();
  const api = {
    register(...added: StandardWallet[]) {
      for (const w of added)
        if (w && typeof w === "object" && Array.isArray(w.chains) && isSolanaWallet(w)) wallets.add(w);
      onChange([...wallets]);
      return () => {
        for (const w of added) wallets.delete(w);
        onChange([...wallets]);
      };
    },
  };
  const onRegister = (event: Event) => {
    const callback = (event as CustomEvent<unknown>).detail;
    if (typeof callback === "function") callback(api);
  };
  window.addEventListener("wallet-standard:register-wallet", onRegister);
  window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: api }));
  onChange([...wallets]);
  return () => window.removeEventListener("wallet-standard:register-wallet", onRegister);
}

/** Connects and returns the first account on a Solana chain. */
export async function connectSolana(wallet: StandardWallet): Promise<StandardAccount> {
  const { accounts } = await (wallet.features["standard:connect"] as ConnectFeature).connect();
  const account = accounts.find((a) => a.chains.some((c) => c.startsWith("solana:"))) ?? accounts[0];
  if (!account) throw new Error("The wallet shared no account.");
  return account;
}

/** `solana:signMessage`: the ed25519 signature of the message bytes. */
export async function signSolanaMessage(
  wallet: StandardWallet,
  account: StandardAccount,
  message: Uint8Array,
): Promise<Uint8Array> {
  const [out] = await (wallet.features["solana:signMessage"] as SignMessageFeature).signMessage({ account, message });
  if (!out?.signature) throw new Error("The wallet did not sign.");
  return out.signature;
}

/** An EIP-1193 provider: the one method every Ethereum wallet exposes to pages. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** A wallet as EIP-6963 announces it. */
export interface EthereumWallet {
  id: string;
  name: string;
  /** A data: URI image, or null. */
  icon: string | null;
  provider: Eip1193Provider;
}

interface AnnounceDetail {
  info?: { uuid?: unknown; name?: unknown; icon?: unknown; rdns?: unknown };
  provider?: Eip1193Provider;
}

const isProvider = (p: unknown): p is Eip1193Provider =>
  typeof p === "object" && p !== null && typeof (p as Eip1193Provider).request === "function";

/**
 * EIP-6963 discovery: asks every installed wallet to announce itself and calls `onChange` with
 * the list as announcements arrive (extensions may answer late). A lone legacy
 * `window.ethereum` is offered when no wallet announces itself. Returns the unsubscribe.
 */
export function watchEthereumWallets(onChange: (wallets: EthereumWallet[]) => void): () => void {
  const found = new Map<string, EthereumWallet>();
  const emit = () => {
    const list = [...found.values()];
    const legacy = (window as unknown as { ethereum?: unknown }).ethereum;
    if (list.length === 0 && isProvider(legacy)) {
      list.push({ id: "injected", name: "Browser wallet", icon: null, provider: legacy });
    }
    onChange(list);
  };
  const onAnnounce = (event: Event) => {
    const detail = (event as CustomEvent<AnnounceDetail>).detail;
    const info = detail?.info;
    if (!info || !isProvider(detail.provider) || typeof info.name !== "string") return;
    const id = typeof info.rdns === "string" ? info.rdns : typeof info.uuid === "string" ? info.uuid : info.name;
    const icon = typeof info.icon === "string" && info.icon.startsWith("data:image/") ? info.icon : null;
    found.set(id, { id, name: info.name.slice(0, 60), icon, provider: detail.provider });
    emit();
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  emit();
  return () => window.removeEventListener("eip6963:announceProvider", onAnnounce);
}

const toHex = (text: string) =>
  `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("")}`;

/** Connects (eth_requestAccounts) and reads the chain: the address and chain id to sign in with. */
export async function connectEthereum(provider: Eip1193Provider): Promise<{ address: string; chainId: number }> {
  const accounts = await provider.request({ method: "eth_requestAccounts" });
  const address = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : null;
  if (!address) throw new Error("The wallet shared no account.");
  const chain = await provider.request({ method: "eth_chainId" });
  const chainId = typeof chain === "string" ? Number.parseInt(chain, 16) : Number(chain);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new Error("The wallet reported no chain.");
  return { address, chainId };
}

/** personal_sign of a text message: the 0x-hex signature. */
export async function personalSign(provider: Eip1193Provider, address: string, message: string): Promise<string> {
  const signature = await provider.request({ method: "personal_sign", params: [toHex(message), address] });
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) throw new Error("The wallet did not sign.");
  return signature;
}

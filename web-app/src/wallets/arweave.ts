/** The parts of ArConnect's injected `window.arweaveWallet` (the de-facto Arweave wallet API) used here. */
export interface ArweaveWallet {
  connect(permissions: string[], appInfo?: { name?: string }): Promise<void>;
  getActiveAddress(): Promise<string>;
  /** The owner: the RSA modulus `n`, base64url. */
  getActivePublicKey(): Promise<string>;
  /** RSA-PSS (salt 32) over SHA-256 of the data. */
  signMessage(data: Uint8Array, options?: { hashAlgorithm?: string }): Promise<Uint8Array | ArrayBuffer>;
}

export function arweaveWallet(): ArweaveWallet | null {
  const w = (window as unknown as { arweaveWallet?: ArweaveWallet }).arweaveWallet;
  return w && typeof w.signMessage === "function" && typeof w.connect === "function" ? w : null;
}

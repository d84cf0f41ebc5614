import type { PublicClient } from "viem";
import { viemSdk } from "./sdks.ts";

/** Read-only JSON-RPC clients per EVM chain (crypto payment verification). */
export class ChainReaders {
  private readonly clients = new Map<number, PublicClient>();

  constructor(private readonly urls: Map<string, string>) {}

  /** The chain's client, or null when no RPC endpoint is configured for it (viem loads at the first). */
  async client(chainId: number): Promise<PublicClient | null> {
    const url = this.urls.get(String(chainId));
    if (!url) return null;
    const { createPublicClient, http } = await viemSdk();
    let client = this.clients.get(chainId);
    if (!client) {
      client = createPublicClient({ transport: http(url, { timeout: 10_000, retryCount: 1 }) });
      this.clients.set(chainId, client);
    }
    return client;
  }
}

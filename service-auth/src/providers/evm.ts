import { AppError } from "@atlas/errors";
import type { Hex, PublicClient } from "viem";
import { viemSdk } from "./sdks.ts";

/**
 * Verifies EIP-191 personal-message signatures for an address. With an RPC endpoint for the
 * chain, viem's public client checks all three kinds: EOAs (ecrecover), deployed smart-contract
 * wallets (ERC-1271 `isValidSignature` via eth_call) and counterfactual ones (ERC-6492 wrapper,
 * simulated deployless). Without one, only EOA signatures can be checked, locally.
 */
export class EvmSignatureVerifier {
  private readonly clients = new Map<number, PublicClient>();

  constructor(private readonly rpcUrls: Map<number, string>) {}

  hasRpc(chainId: number): boolean {
    return this.rpcUrls.has(chainId);
  }

  async verify(chainId: number, address: Hex, message: string, signature: Hex): Promise<boolean> {
    const url = this.rpcUrls.get(chainId);
    // viem loads at the first wallet login, not at boot.
    const viem = await viemSdk();
    if (!url) return viem.verifyMessage({ address, message, signature }).catch(() => false);
    let client = this.clients.get(chainId);
    if (!client) {
      client = viem.createPublicClient({ transport: viem.http(url, { timeout: 10_000, retryCount: 1 }) });
      this.clients.set(chainId, client);
    }
    try {
      return await client.verifyMessage({ address, message, signature });
    } catch (error) {
      // An unreachable chain must not decide a login either way: fail closed, retryable.
      throw new AppError("SERVICE_UNAVAILABLE", {
        detail: "The chain could not be reached to verify this wallet; try again later",
        cause: error,
      });
    }
  }
}

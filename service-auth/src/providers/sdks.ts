// The SDKs whose error classes the error handler must recognise (providers/outage.ts, Stripe's
// provider), loaded on first use instead of at boot: importing viem or stripe costs a cold
// start hundreds of milliseconds and tens of MB that a login never needs. Every runtime use of
// these packages goes through a loader here (types come from `import type`), so "not loaded yet"
// reliably means "no error of theirs can exist".
import { createRequire } from "node:module";

/** A module loaded on the first call and kept; `loaded()` answers it only once some caller loaded it. */
export interface LazyModule<T> {
  (): Promise<T>;
  loaded(): T | undefined;
}

export function lazyModule<T>(load: () => Promise<T>): LazyModule<T> {
  let pending: Promise<T> | undefined;
  let value: T | undefined;
  const get = () => {
    pending ??= load().then((module) => {
      value = module;
      return module;
    });
    return pending;
  };
  return Object.assign(get, { loaded: () => value });
}

/** viem: EVM signatures (SIWE), chain reads (crypto payments). */
export const viemSdk = lazyModule(() => import("viem"));

/**
 * viem's account helpers (BIP-32 keys, addresses) for the two callers that cannot wait: the
 * config check of CRYPTO_DEPOSIT_XPUB and the derivation of deposit addresses. Required (viem's
 * CommonJS build) by the first of them, only where crypto payments are configured.
 */
export const viemAccountsSync = (): typeof import("viem/accounts") => createRequire(import.meta.url)("viem/accounts");

/** Stripe's Node SDK (billing). */
export const stripeSdk = lazyModule(() => import("stripe").then((m) => m.default));

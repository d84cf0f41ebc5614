// The SDKs whose error classes the error handler must recognise (providers/outage.ts, Stripe's
// provider), loaded on first use instead of at boot: importing viem or stripe costs a cold
// start hundreds of milliseconds and tens of MB that a login never needs. Every runtime use of
// these packages goes through a loader here (types come from `import type`), so "not loaded yet"
// reliably means "no error of theirs can exist".

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

/** Stripe's Node SDK (billing). */
export const stripeSdk = lazyModule(() => import("stripe").then((m) => m.default));

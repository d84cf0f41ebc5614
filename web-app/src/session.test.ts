import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./api.ts";
import type { AuthClient, Session } from "./auth.ts";
import { expiryOf, SessionStore } from "./session.ts";

/** An unsigned JWT-shaped token expiring `inSec` from now (the store reads `exp` only to schedule). */
function token(inSec: number, id = "t"): string {
  const now = Math.floor(Date.now() / 1000);
  const body = Buffer.from(JSON.stringify({ sub: "u1", iat: now, exp: now + inSec, jti: id })).toString("base64url");
  return `h.${body}.s`;
}
const session = (accessToken: string): Session => ({
  accessToken,
  user: { id: "u1", email: "me@example.test", phone: null },
});

const stores: SessionStore[] = [];
function storeWith(resume: () => Promise<Session>) {
  const auth = { resume: vi.fn(resume) } as unknown as AuthClient & { resume: ReturnType<typeof vi.fn> };
  const store = new SessionStore(auth);
  stores.push(store);
  return { store, auth };
}

afterEach(() => {
  for (const s of stores.splice(0)) s.set(null);
});

describe("SessionStore", () => {
  it("reads a token's expiry", () => {
    const t = token(900);
    expect((expiryOf(t) ?? 0) - Date.now()).toBeGreaterThan(890_000);
    expect(expiryOf("not-a-jwt")).toBeNull();
  });

  it("takes a fresh token from another tab instead of presenting the refresh cookie", async () => {
    const a = storeWith(async () => session(token(900, "a")));
    const b = storeWith(async () => session(token(900, "b")));
    a.store.set(session(token(900, "shared")));
    const got = await b.store.refresh(null);
    expect(got?.accessToken).toBe(a.store.current?.accessToken);
    expect(b.auth.resume).not.toHaveBeenCalled();
  });

  it("refreshes from the cookie when no tab has a fresh token, and shares the result", async () => {
    const renewed = session(token(900, "renewed"));
    const a = storeWith(async () => renewed);
    const b = storeWith(async () => session(token(900, "never")));
    a.store.set(session(token(5, "old"))); // too close to expiry to share
    const got = await a.store.refresh();
    expect(got).toEqual(renewed);
    expect(a.auth.resume).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(b.store.current?.accessToken).toBe(renewed.accessToken));
  });

  it("signs every tab out when the refresh cookie is refused, and on sign-out", async () => {
    const a = storeWith(async () => {
      throw new ApiError(401, "INVALID_TOKEN", "reused");
    });
    const b = storeWith(async () => session(token(900)));
    a.store.set(session(token(5, "stale")));
    await vi.waitFor(() => expect(b.store.current).not.toBeNull());
    expect(await a.store.refresh()).toBeNull();
    await vi.waitFor(() => expect(b.store.current).toBeNull());
  });

  it("keeps the session through a network failure", async () => {
    const a = storeWith(async () => {
      throw new ApiError(0, "NETWORK_ERROR", "offline");
    });
    a.store.set(session(token(5, "kept")));
    expect(await a.store.refresh()).toBeNull();
    expect(a.store.current?.accessToken).toBeDefined();
  });
});

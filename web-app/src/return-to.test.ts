import { describe, expect, it } from "vitest";
import { currentTarget, isAppPath, returnUrl, safeReturnPath, signInReason } from "./return-to.ts";

const ORIGIN = "https://app.example.test";
const at = (path: string) => {
  const url = new URL(path, ORIGIN);
  return { origin: url.origin, pathname: url.pathname, search: url.search };
};

describe("safeReturnPath", () => {
  it("keeps same-origin app paths with their query, without the fragment", () => {
    expect(safeReturnPath("/billing", ORIGIN)).toBe("/billing");
    expect(safeReturnPath("/device?user_code=BCDF-GHJK", ORIGIN)).toBe("/device?user_code=BCDF-GHJK");
    expect(safeReturnPath("/account/security?x=1#frag", ORIGIN)).toBe("/account/security?x=1");
    expect(safeReturnPath(`${ORIGIN}/account/tokens`, ORIGIN)).toBe("/account/tokens");
    expect(safeReturnPath("/account", ORIGIN)).toBe("/account");
  });

  it.each([
    ["another origin", "https://evil.test"],
    ["another origin with an app path", "https://evil.test/billing"],
    ["a protocol-relative URL", "//evil.test/billing"],
    ["a backslash host", "/\\evil.test"],
    ["backslashes", "\\\\evil.test"],
    ["a backslash inside the path", "/account\\..\\billing"],
    ["javascript:", "javascript:alert(1)"],
    ["JavaScript: with an app-like tail", "JaVaScRiPt:alert(1)//billing"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["an encoded double slash", "/%2F%2Fevil.test"],
    ["a double-encoded double slash", "/%252F%252Fevil.test"],
    ["an encoded backslash", "/%5Cevil.test"],
    ["an encoded slash inside an app path", "/account%2F..%2F..%2Fevil"],
    ["a tab inside the scheme", "/\t/evil.test"],
    ["a newline", "/billing\nSet-Cookie: x"],
    ["an encoded newline", "/billing%0a"],
    ["bad percent-encoding", "/billing%zz"],
    ["same host, other scheme", "http://app.example.test/billing"],
    ["same host, other port", "https://app.example.test:8443/billing"],
    ["credentials in the URL", "https://user:pw@app.example.test/billing"],
    ["a relative path", "billing"],
    ["a non-app page", "/auth/callback?token=x"],
    ["the sign-in page", "/"],
    ["a prefix that is not a page", "/accounts-of-evil"],
    ["a billing look-alike", "/billingx"],
    ["an empty string", ""],
    ["too long", `/billing?${"a".repeat(2100)}`],
  ])("refuses %s", (_name, raw) => {
    expect(safeReturnPath(raw, ORIGIN)).toBeNull();
  });

  it("refuses what is not a string", () => {
    for (const raw of [null, undefined, 42, { href: "/billing" }, ["/billing"]]) {
      expect(safeReturnPath(raw, ORIGIN)).toBeNull();
    }
  });

  it("resolves dot segments and then checks the page", () => {
    expect(safeReturnPath("/account/../billing", ORIGIN)).toBe("/billing");
    expect(safeReturnPath("/account/../auth/callback", ORIGIN)).toBeNull();
  });
});

describe("the target of the sign-in page", () => {
  it("is the app page itself, or the validated ?next= of the sign-in page", () => {
    expect(isAppPath("/device")).toBe(true);
    expect(isAppPath("/device/x")).toBe(false);
    expect(currentTarget(at("/billing"))).toBe("/billing");
    expect(currentTarget(at("/device?user_code=BCDF-GHJK"))).toBe("/device?user_code=BCDF-GHJK");
    expect(currentTarget(at("/?next=%2Faccount%2Fsessions"))).toBe("/account/sessions");
    expect(currentTarget(at("/?next=https://evil.test"))).toBeNull();
    expect(currentTarget(at("/?next=//evil.test"))).toBeNull();
    expect(currentTarget(at("/"))).toBeNull();
    expect(returnUrl(at("/billing"))).toBe(`${ORIGIN}/billing`);
    expect(returnUrl(at("/?next=https://evil.test"))).toBe(ORIGIN);
  });

  it("says why the page is shown, echoing only a well-formed device code", () => {
    expect(signInReason("/billing", ORIGIN)).toBe("Sign in to continue to Billing");
    expect(signInReason("/account/tokens", ORIGIN)).toBe("Sign in to continue to Access tokens");
    expect(signInReason("/device?user_code=bcdf-ghjk", ORIGIN)).toBe(
      "Sign in to approve the device that shows code BCDF-GHJK",
    );
    expect(signInReason("/device?user_code=Call+us+at+555", ORIGIN)).toBe("Sign in to connect a device");
    expect(signInReason("/device", ORIGIN)).toBe("Sign in to connect a device");
    expect(signInReason(null, ORIGIN)).toBeNull();
  });
});

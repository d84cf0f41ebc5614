// Each case names the attack it stops. All must answer 401 (problem+json, WWW-Authenticate).
import { createHmac } from "node:crypto";
import { exportSPKI, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerAuth } from "../src/index.ts";
import { startTestIssuer, type TestIssuer } from "../src/testing.ts";
import { appFor, b64url, call, outcome } from "./helpers.ts";

let issuer: TestIssuer;
let app: ReturnType<typeof appFor>;
const nowSec = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  issuer = await startTestIssuer();
  app = appFor(issuer);
});
afterAll(() => issuer.stop());

async function rejected(token: string, description: string, code = "INVALID_TOKEN") {
  const result = await outcome(await call(app, token));
  expect(result).toEqual({
    status: 401,
    code,
    challenge: `Bearer realm="atlas", error="invalid_token", error_description="${description}"`,
  });
}

describe("bearerAuth rejects forged and misused JWTs", () => {
  it("a valid token passes (baseline for the cases below)", async () => {
    expect((await call(app, await issuer.sign())).status).toBe(200);
  });

  it("tampered signature: a flipped signature byte fails verification", async () => {
    const [h, p, s] = (await issuer.sign()).split(".") as [string, string, string];
    const sig = Buffer.from(s, "base64url");
    sig[0] = (sig[0] ?? 0) ^ 0xff;
    await rejected(`${h}.${p}.${sig.toString("base64url")}`, "signature verification failed");
  });

  it("tampered payload: elevated scope under the original signature", async () => {
    const [h, , s] = (await issuer.sign()).split(".") as [string, string, string];
    const forged = b64url({ iss: issuer.url, aud: "atlas", sub: "admin", tid: "t", exp: nowSec() + 900, scope: "*" });
    await rejected(`${h}.${forged}.${s}`, "signature verification failed");
  });

  it("replay of an expired token: EXPIRED_TOKEN", async () => {
    const token = await issuer.sign({ iat: nowSec() - 1000, nbf: nowSec() - 1000, exp: nowSec() - 60 });
    await rejected(token, "token expired", "EXPIRED_TOKEN");
  });

  it("token used before its nbf (beyond the 30 s tolerance)", async () => {
    await rejected(await issuer.sign({ nbf: nowSec() + 120 }), "token claims rejected");
  });

  it("token minted for another audience", async () => {
    await rejected(await issuer.sign({ aud: "other-tenant" }), "token claims rejected");
  });

  it("token from another issuer", async () => {
    await rejected(await issuer.sign({ iss: "http://127.0.0.1:1/evil" }), "token claims rejected");
  });

  it("a token without exp would never expire", async () => {
    await rejected(await issuer.sign({ exp: undefined }), "token claims rejected");
  });

  it("a token without sub or tid names no caller", async () => {
    await rejected(await issuer.sign({ tid: undefined }), "token claims rejected");
    await rejected(await issuer.sign({ sub: undefined }), "token claims rejected");
    await rejected(await issuer.sign({ roles: "admin" }), "token claims rejected");
  });

  it('alg "none": an unsigned token crafted by hand', async () => {
    const kid = issuer.keys[0]?.kid;
    const header = b64url({ alg: "none", typ: "JWT", kid });
    const payload = b64url({ iss: issuer.url, aud: "atlas", sub: "u", tid: "t", exp: nowSec() + 900 });
    await rejected(`${header}.${payload}.`, "algorithm not allowed");
  });

  it("algorithm confusion: HS256 keyed with the RSA public key bytes", async () => {
    const key = issuer.keys[0];
    if (!key) throw new Error("no key");
    const pem = await exportSPKI(key.publicKey);
    const claims = { iss: issuer.url, aud: "atlas", sub: "u", tid: "t", exp: nowSec() + 900 };
    const viaJose = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: key.kid })
      .sign(new TextEncoder().encode(pem));
    await rejected(viaJose, "algorithm not allowed");
    // The same attack keyed with the JWK's JSON, signed by hand.
    const input = `${b64url({ alg: "HS256", kid: key.kid })}.${b64url(claims)}`;
    const mac = createHmac("sha256", JSON.stringify(key.publicJwk)).update(input).digest("base64url");
    await rejected(`${input}.${mac}`, "algorithm not allowed");
  });

  it("a signature algorithm outside the configured allow-list", async () => {
    const es = await issuer.addKey("ES256");
    const rsOnly = appFor(issuer, { algorithms: ["RS256"] });
    const res = await outcome(await call(rsOnly, await issuer.sign({}, { key: es })));
    expect(res.status).toBe(401);
    expect(res.challenge).toContain('error_description="algorithm not allowed"');
  });

  it("unknown kid: a key the issuer never published", async () => {
    const rogue = await issuer.addKey("RS256", { publish: false });
    await rejected(await issuer.sign({}, { key: rogue }), "unknown signing key");
  });

  it("malformed credentials: garbled, wrong scheme, two spaces, empty", async () => {
    const invalid = 'Bearer realm="atlas", error="invalid_token", error_description=';
    expect(await outcome(await call(app, "abc"))).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
    expect((await outcome(await call(app, "abc"))).challenge).toContain('error_description="malformed token"');
    expect((await outcome(await call(app, "a.b.c"))).challenge).toContain('error_description="malformed token"');
    expect((await outcome(await call(app, "Bearer  abc", { raw: true }))).challenge).toBe(
      `${invalid}"malformed authorization header"`,
    );
    expect((await outcome(await call(app, "Bearer ", { raw: true }))).challenge).toBe(
      `${invalid}"malformed authorization header"`,
    );
    expect((await outcome(await call(app, "Bearer a b", { raw: true }))).challenge).toBe(
      `${invalid}"malformed authorization header"`,
    );
    // No bearer credentials at all: the challenge carries no error (RFC 6750 §3.1).
    for (const raw of ["Basic x", "", undefined]) {
      const res = await outcome(await call(app, raw, { raw: true }));
      expect(res).toEqual({ status: 401, code: "INVALID_TOKEN", challenge: 'Bearer realm="atlas"' });
    }
  });

  it("error text from the verifier never reaches the client", async () => {
    const res = await call(app, await issuer.sign({ aud: "other-tenant" }));
    const text = await res.text();
    expect(text).not.toMatch(/unexpected "aud"|claim|jose/i);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses to be configured with none or HS* whatever is passed", () => {
    const base = { issuer: issuer.url, audiences: ["atlas"], jwksUrl: issuer.jwksUrl };
    for (const alg of ["none", "HS256", "HS512"]) {
      // The cast bypasses the type on purpose: the runtime guard must hold for untyped callers.
      expect(() => bearerAuth({ ...base, algorithms: [alg] as unknown as ["RS256"] })).toThrow(/not allowed/);
    }
    expect(() => bearerAuth({ ...base, clockToleranceSec: 31 })).toThrow(/clockToleranceSec/);
  });
});

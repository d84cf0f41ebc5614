import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import type { SigningAlgorithm } from "./options.ts";

/** An answer of the fake introspection endpoint (RFC 7662). */
export interface IntrospectionAnswer {
  active: boolean;
  sub?: string;
  tid?: string;
  scope?: string;
  exp?: number;
  jti?: string;
  token_type?: string;
}

/** A signing key of the fake issuer. */
export interface TestKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  /** Whether the JWKS endpoint lists it. */
  published: boolean;
}

/** Claims for {@link TestIssuer.sign}; a claim set to `undefined` is left out of the token. */
export type TestClaims = { [claim: string]: unknown } & JWTPayload;

/**
 * A local stand-in for service-auth on 127.0.0.1: serves `/.well-known/jwks.json` and
 * `/auth/token/introspect` (HTTP Basic client credentials), counts requests, and signs tokens.
 * Flip `jwksAvailable` / `introspectionAvailable` to simulate an outage (503).
 */
export class TestIssuer {
  /** Base URL, also the `iss` of the tokens it signs. */
  readonly url: string;
  readonly jwksUrl: string;
  readonly introspectionUrl: string;
  readonly audience = "atlas";
  readonly clientId = "service-cloud-api";
  readonly clientSecret = randomBytes(32).toString("base64url");
  readonly keys: TestKey[] = [];
  jwksAvailable = true;
  introspectionAvailable = true;
  jwksRequests = 0;
  /** Each introspection request as received (Authorization header and raw body). */
  readonly introspectionRequests: { authorization: string | undefined; body: string }[] = [];
  readonly #pats = new Map<string, IntrospectionAnswer>();
  readonly #server: ReturnType<typeof createServer>;

  constructor(server: ReturnType<typeof createServer>, port: number) {
    this.#server = server;
    this.url = `http://127.0.0.1:${port}`;
    this.jwksUrl = `${this.url}/.well-known/jwks.json`;
    this.introspectionUrl = `${this.url}/auth/token/introspect`;
  }

  /** Generates a key (default RS256) and, unless `publish: false`, lists it in the JWKS. */
  async addKey(alg: SigningAlgorithm = "RS256", options: { publish?: boolean } = {}): Promise<TestKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    const key: TestKey = { kid, alg, privateKey, publicKey, publicJwk, published: options.publish ?? true };
    this.keys.push(key);
    return key;
  }

  /**
   * Signs an access token like service-auth's: iss, aud, sub, tid, sid, jti, amr, scope, iat,
   * nbf and a 15-minute exp around `now` (seconds; default: the real clock), then `claims`.
   */
  async sign(claims: TestClaims = {}, options: { key?: TestKey; now?: number } = {}): Promise<string> {
    const key = options.key ?? this.keys[0];
    if (!key) throw new Error("TestIssuer has no key: call addKey() first");
    const now = options.now ?? Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: this.url,
      aud: this.audience,
      sub: "user_1",
      tid: "tenant_default",
      sid: "session_1",
      jti: randomUUID(),
      amr: ["email"],
      scope: "profile:read objects:read",
      iat: now,
      nbf: now,
      exp: now + 900,
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).sign(key.privateKey);
  }

  /** Registers a personal access token; the endpoint answers `answer` for it (default: active). */
  addPat(answer: Partial<IntrospectionAnswer> = {}): string {
    // The real shape (service-auth's pat.service.ts): resource servers refuse anything else unasked.
    const token = `atlas_pat_${randomBytes(16).toString("hex")}_${randomBytes(32).toString("base64url")}`;
    this.#pats.set(token, {
      active: true,
      sub: "user_1",
      tid: "tenant_default",
      scope: "profile:read",
      exp: Math.floor(Date.now() / 1000) + 3600,
      token_type: "pat",
      ...answer,
    });
    return token;
  }

  /** Makes a PAT inactive from now on (as a revocation would). */
  revokePat(token: string): void {
    this.#pats.set(token, { active: false });
  }

  /** Stops the server, dropping open keep-alive connections. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** @internal */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", this.url).pathname;
    if (req.method === "GET" && path === "/.well-known/jwks.json") {
      this.jwksRequests++;
      if (!this.jwksAvailable) return send(res, 503, { error: "unavailable" });
      const keys = this.keys.filter((k) => k.published).map((k) => k.publicJwk);
      return send(res, 200, { keys }, { "cache-control": "public, max-age=300" });
    }
    if (req.method === "POST" && path === "/auth/token/introspect") {
      this.introspectionRequests.push({ authorization: req.headers.authorization, body });
      if (!this.introspectionAvailable) return send(res, 503, { error: "unavailable" });
      if (!this.#clientAuthenticated(req.headers.authorization)) return send(res, 401, { error: "invalid_client" });
      const token = new URLSearchParams(body).get("token") ?? "";
      return send(res, 200, this.#pats.get(token) ?? { active: false });
    }
    send(res, 404, { error: "not_found" });
  }

  #clientAuthenticated(header: string | undefined): boolean {
    if (!header?.startsWith("Basic ")) return false;
    const [id, secret] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
    const decode = (s: string | undefined) => new URLSearchParams(`v=${s ?? ""}`).get("v");
    return decode(id) === this.clientId && decode(secret) === this.clientSecret;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Starts a {@link TestIssuer} on 127.0.0.1 (a free port) with one published RS256 key.
 *
 * @example
 * const issuer = await startTestIssuer();
 * const token = await issuer.sign({ scope: "profile:read" });
 * await issuer.stop();
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  let issuer: TestIssuer | undefined;
  const server = createServer((req, res) => {
    issuer?.handle(req, res).catch(() => send(res, 500, { error: "test issuer failed" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  issuer = new TestIssuer(server, (server.address() as AddressInfo).port);
  await issuer.addKey("RS256");
  return issuer;
}

import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, importJWK, type JWTPayload, SignJWT } from "jose";
import Provider from "oidc-provider";

/** A person at the identity provider. */
export interface PeerAccount {
  id: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  /** GitHub: the e-mails `/user/emails` lists (default: the one above, primary). */
  githubEmails?: { email: string; primary: boolean; verified: boolean }[];
}

export const PEER_CLIENTS = {
  google: { id: "google-client", secret: "google-secret-0123456789abcdef0123456789" },
  github: { id: "github-client", secret: "github-secret-0123456789abcdef0123456789" },
  discord: { id: "discord-client", secret: "discord-secret-0123456789abcdef012345678" },
  twitter: { id: "twitter-client", secret: "twitter-secret-0123456789abcdef012345678" },
  oidc: { id: "oidc-client", secret: "oidc-secret-0123456789abcdef0123456789abc" },
} as const;

/**
 * The local peer of every OAuth provider in the tests: a real, certified OpenID Provider
 * (`oidc-provider`, with PKCE required and its development login pages) plays Google's OIDC
 * server and the authorize/token endpoints of GitHub, Discord and Twitter; small routes serve
 * those three's user APIs in their JSON shapes, answering only for access tokens the provider
 * really issued.
 */
export class OAuthPeer {
  readonly accounts = new Map<string, PeerAccount>();
  /** Rewrites the claims of the next ID tokens, re-signed with the provider's own key. */
  tamperIdToken: ((claims: JWTPayload) => JWTPayload) | null = null;
  /** Signs tampered ID tokens with a key the provider never published. */
  signWithForeignKey = false;
  /** What the token endpoint received and answered, to assert PKCE verifiers. */
  readonly tokenRequests: { codeVerifier: string | null; status: number }[] = [];

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly provider: Provider,
    private readonly signingJwk: Record<string, unknown>,
  ) {}

  static async start(callbackBase: string): Promise<OAuthPeer> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const signingJwk = { ...privateKey.export({ format: "jwk" }), kid: "peer-1", alg: "RS256", use: "sig" };
    let peer: OAuthPeer | undefined;
    const client = (name: keyof typeof PEER_CLIENTS, auth: "client_secret_basic" | "client_secret_post") => ({
      client_id: PEER_CLIENTS[name].id,
      client_secret: PEER_CLIENTS[name].secret,
      redirect_uris: [`${callbackBase}/auth/oauth/${name}/callback`],
      token_endpoint_auth_method: auth,
      grant_types: ["authorization_code"],
      response_types: ["code" as const],
    });
    const provider = new Provider(issuer, {
      clients: [
        client("google", "client_secret_basic"),
        client("github", "client_secret_post"),
        client("discord", "client_secret_post"),
        client("twitter", "client_secret_basic"),
        client("oidc", "client_secret_basic"),
      ],
      jwks: { keys: [signingJwk as never] },
      cookies: { keys: ["peer-cookie-key-0123456789abcdef"] },
      pkce: { required: () => true },
      scopes: ["openid", "email", "profile", "read:user", "user:email", "identify", "users.read", "tweet.read"],
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
      features: { devInteractions: { enabled: true } },
      findAccount: (_ctx, id) => {
        const account = peer?.accounts.get(id);
        if (!account) return undefined;
        return {
          accountId: id,
          claims: () => ({
            sub: id,
            ...(account.email ? { email: account.email, email_verified: account.emailVerified ?? false } : {}),
            ...(account.name ? { name: account.name } : {}),
          }),
        };
      },
    });
    provider.on("server_error", (_ctx, err) => console.error("oidc-provider", err));
    // Tampering with issued ID tokens, after the provider made them (wrong aud/iss/nonce tests).
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === "/token" && ctx.method === "POST") {
        const params = (ctx as { oidc?: { params?: Record<string, unknown> } }).oidc?.params ?? {};
        peer?.tokenRequests.push({
          codeVerifier: (params.code_verifier as string | undefined) ?? null,
          status: ctx.status,
        });
      }
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.path === "/token" && peer?.tamperIdToken && body && typeof body === "object" && body.id_token) {
        body.id_token = await peer.resign(peer.tamperIdToken(decodeJwt(body.id_token)));
      }
    });
    const callback = provider.callback();
    server.on("request", (req, res) => {
      if (req.url?.startsWith("/api/")) return void peer?.api(req, res);
      callback(req, res);
    });
    peer = new OAuthPeer(server, issuer, provider, signingJwk);
    return peer;
  }

  private async resign(claims: JWTPayload): Promise<string> {
    const jwk = this.signWithForeignKey
      ? { ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) }
      : this.signingJwk;
    const key = await importJWK(jwk as never, "RS256");
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "peer-1", typ: "JWT" }).sign(key);
  }

  /** GitHub-, Discord- and Twitter-shaped user APIs, for tokens the provider issued. */
  private async api(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const stored = token ? await this.provider.AccessToken.find(token) : undefined;
    const account = stored ? this.accounts.get(stored.accountId) : undefined;
    if (!account) return send(401, { message: "Bad credentials" });
    const numericId = Number.parseInt(Buffer.from(account.id).toString("hex").slice(0, 10), 16);
    switch (req.url) {
      case "/api/github/user":
        return send(200, {
          id: numericId,
          login: account.id,
          name: account.name ?? null,
          email: null,
          avatar_url: `https://avatars.example/${account.id}`,
        });
      case "/api/github/user/emails":
        return send(
          200,
          account.githubEmails ??
            (account.email
              ? [{ email: account.email, primary: true, verified: account.emailVerified ?? false, visibility: null }]
              : []),
        );
      case "/api/discord/users/@me":
        return send(200, {
          id: String(numericId),
          username: account.id,
          global_name: account.name ?? null,
          avatar: null,
          ...(account.email ? { email: account.email, verified: account.emailVerified ?? false } : {}),
        });
      case "/api/twitter/2/users/me":
        return send(200, { data: { id: String(numericId), name: account.name ?? account.id, username: account.id } });
      default:
        return send(404, { message: "Not Found" });
    }
  }

  /** The base URLs service-auth is configured with, per provider. */
  env(): Record<string, string> {
    const env: Record<string, string> = {
      OAUTH_GOOGLE_ISSUER: this.issuer,
      OAUTH_OIDC_ISSUER: this.issuer,
      OAUTH_GITHUB_AUTHORIZE_URL: `${this.issuer}/auth`,
      OAUTH_GITHUB_TOKEN_URL: `${this.issuer}/token`,
      OAUTH_GITHUB_API_URL: `${this.issuer}/api/github`,
      OAUTH_DISCORD_AUTHORIZE_URL: `${this.issuer}/auth`,
      OAUTH_DISCORD_TOKEN_URL: `${this.issuer}/token`,
      OAUTH_DISCORD_API_URL: `${this.issuer}/api/discord`,
      OAUTH_TWITTER_AUTHORIZE_URL: `${this.issuer}/auth`,
      OAUTH_TWITTER_TOKEN_URL: `${this.issuer}/token`,
      OAUTH_TWITTER_API_URL: `${this.issuer}/api/twitter`,
    };
    for (const [name, c] of Object.entries(PEER_CLIENTS)) {
      env[`OAUTH_${name.toUpperCase()}_CLIENT_ID`] = c.id;
      env[`OAUTH_${name.toUpperCase()}_CLIENT_SECRET`] = c.secret;
    }
    return env;
  }

  /**
   * Plays the browser at the provider: follows the authorization URL, logs in as `accountId`
   * through the development login page, consents, and returns the redirect back to the client
   * (its callback URL with `code`, `state`, `iss`).
   */
  async authorize(authorizationUrl: string, accountId: string): Promise<URL> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const remember = (res: Response) => {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const i = pair?.indexOf("=") ?? -1;
        if (pair && i > 0) jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
    };
    let url = authorizationUrl;
    let method = "GET";
    let body: URLSearchParams | undefined;
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(url, {
        method,
        body,
        redirect: "manual",
        headers: { cookie: cookieHeader(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      });
      remember(res);
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, url);
        if (!next.href.startsWith(this.issuer)) return next;
        url = next.href;
        method = "GET";
        body = undefined;
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) throw new Error(`provider answered ${res.status}: ${html.slice(0, 500)}`);
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!prompt || !action) throw new Error(`unexpected provider page: ${html.slice(0, 500)}`);
      url = new URL(action, url).href;
      method = "POST";
      body = new URLSearchParams(
        prompt === "login" ? { prompt, login: accountId, password: "any" } : { prompt: "consent" },
      );
    }
    throw new Error("too many redirects at the provider");
  }

  stop(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }
}

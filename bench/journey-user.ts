// One virtual user of bench/journeys.ts: logs in (SIWE, passkey or e-mail link), calls cloud-api,
// uploads and downloads a small object, refreshes every few seconds, logs out; again until the
// deadline. Every request's latency goes to `Steps`; every unexpected answer is an error, kept by
// its text so that each distinct one is printed.
import { randomBytes } from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { SoftAuthenticator } from "../service-auth/test/soft-authenticator.ts";

/** The web origin the default tenant allows (SIWE URI, WebAuthn origin). */
const ORIGIN = "http://localhost:3000";

export type LoginMethod = "siwe" | "passkey" | "email";
export const METHODS: readonly LoginMethod[] = ["siwe", "passkey", "email"];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Latencies per step and the distinct errors, for one run. */
export class Steps {
  readonly samples = new Map<string, number[]>();
  readonly errors = new Map<string, number>();
  readonly logins = new Map<LoginMethod, number>();

  add(step: string, ms: number) {
    const list = this.samples.get(step) ?? [];
    list.push(ms);
    this.samples.set(step, list);
  }
  error(text: string) {
    this.errors.set(text, (this.errors.get(text) ?? 0) + 1);
  }
  login(method: LoginMethod) {
    this.logins.set(method, (this.logins.get(method) ?? 0) + 1);
  }
  get errorCount(): number {
    return [...this.errors.values()].reduce((a, b) => a + b, 0);
  }
  summary(): { step: string; count: number; p50: number; p99: number }[] {
    return [...this.samples.entries()].map(([step, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { step, count: list.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    });
  }
}

class StepError extends Error {}

/** The access token from the JSON body; the refresh token from the HttpOnly cookie a browser keeps. */
interface Tokens {
  accessToken: string;
  refreshCookie: string;
}

const REFRESH_COOKIE = "atlas_refresh_token";

function tokensOf(res: Answer): Tokens {
  const { accessToken } = res.json<{ accessToken: string }>();
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
  if (!cookie) throw new StepError(`no ${REFRESH_COOKIE} cookie in the login answer`);
  return { accessToken, refreshCookie: cookie.split(";")[0] as string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request timed to its last body byte; a status other than `expect` is an error. */
/** A read answer: its headers, and its body as bytes or JSON. */
class Answer {
  constructor(
    readonly headers: Headers,
    readonly body: Buffer,
  ) {}
  json<T = unknown>(): T {
    return JSON.parse(this.body.toString("utf8")) as T;
  }
}

async function call(steps: Steps, step: string, url: string, init: RequestInit, expect: number): Promise<Answer> {
  const t0 = performance.now();
  let res: Response;
  let body: ArrayBuffer;
  try {
    res = await fetch(url, init);
    body = await res.arrayBuffer();
  } catch (e) {
    throw new StepError(`${step}: ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? "")}`);
  }
  steps.add(step, performance.now() - t0);
  if (res.status !== expect) {
    const text = Buffer.from(body).toString("utf8").slice(0, 160);
    const challenge = res.headers.get("www-authenticate");
    throw new StepError(`${step}: ${res.status} ${text}${challenge ? ` (WWW-Authenticate: ${challenge})` : ""}`);
  }
  return new Answer(res.headers, Buffer.from(body));
}

const post = (body: unknown, bearer?: string): RequestInit => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    origin: ORIGIN,
    ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
  },
  body: JSON.stringify(body),
});

export interface UserOptions {
  vu: number;
  authUrl: string;
  cloudUrl: string;
  method: LoginMethod;
  steps: Steps;
  refreshEveryMs: number;
  refreshesPerSession: number;
  objectBytes: number;
}

/**
 * A virtual user, behaving as the web-app in a browser does: service-auth requests carry the
 * tenant's web origin, so the refresh token lives in the HttpOnly cookie (refreshes send it with
 * the Origin, the CSRF check) and only the access token is in the JSON body.
 */
export class VirtualUser {
  private readonly account = privateKeyToAccount(generatePrivateKey());
  private readonly email: string;
  private authenticator: SoftAuthenticator | null = null;
  constructor(private readonly o: UserOptions) {
    this.email = `journey-${o.vu}-${randomBytes(4).toString("hex")}@bench.example`;
  }

  /** Where the latencies go from now on (the setup's and the timed run's are kept apart). */
  useSteps(steps: Steps): void {
    this.o.steps = steps;
  }

  /** Passkey users register their passkey once, logged in by e-mail link (before the timed run). */
  async prepare(): Promise<void> {
    if (this.o.method !== "passkey") return;
    const tokens = await this.emailLogin("setup");
    const { authUrl, steps } = this.o;
    const options = (
      await call(
        steps,
        "setup: passkey register options",
        `${authUrl}/auth/passkey/register/options`,
        post({}, tokens.accessToken),
        200,
      )
    ).json();
    const authenticator = new SoftAuthenticator(ORIGIN);
    await call(
      steps,
      "setup: passkey register verify",
      `${authUrl}/auth/passkey/register/verify`,
      post({ response: authenticator.create(options as never) }, tokens.accessToken),
      201,
    );
    this.authenticator = authenticator;
    await call(steps, "setup: logout", `${authUrl}/auth/logout`, post({}, tokens.accessToken), 204);
  }

  private async siweLogin(): Promise<Tokens> {
    const { authUrl, steps } = this.o;
    const { nonce } = (await call(steps, "siwe: nonce", `${authUrl}/auth/siwe/nonce`, {}, 200)).json() as {
      nonce: string;
    };
    const message = [
      "localhost:3000 wants you to sign in with your Ethereum account:",
      this.account.address,
      "",
      "Sign in to Atlas",
      "",
      `URI: ${ORIGIN}`,
      "Version: 1",
      "Chain ID: 1",
      `Nonce: ${nonce}`,
      `Issued At: ${new Date().toISOString()}`,
    ].join("\n");
    const signature = await this.account.signMessage({ message });
    const res = await call(steps, "siwe: verify", `${authUrl}/auth/siwe/verify`, post({ message, signature }), 200);
    return tokensOf(res);
  }

  private async passkeyLogin(): Promise<Tokens> {
    const { authUrl, steps } = this.o;
    if (!this.authenticator) throw new StepError("passkey: no registered passkey");
    const options = (
      await call(steps, "passkey: options", `${authUrl}/auth/passkey/login/options`, post({}), 200)
    ).json() as { challenge: string };
    const response = this.authenticator.get(options);
    const res = await call(steps, "passkey: verify", `${authUrl}/auth/passkey/login/verify`, post({ response }), 200);
    return tokensOf(res);
  }

  /** E-mail link through the dev outbox (GET /dev/outbox of the instance that sent it). */
  private async emailLogin(prefix = "email"): Promise<Tokens> {
    const { authUrl, steps } = this.o;
    const since = Date.now() - 1000;
    await call(steps, `${prefix}: start`, `${authUrl}/auth/email/start`, post({ email: this.email }), 202);
    let token: string | undefined;
    for (let attempt = 0; attempt < 50 && !token; attempt++) {
      const res = await call(steps, `${prefix}: dev outbox`, `${authUrl}/dev/outbox`, {}, 200);
      const { items } = res.json() as { items: { to: string; token?: string; createdAt: string }[] };
      token = items.find((m) => m.to === this.email && Date.parse(m.createdAt) >= since)?.token;
      if (!token) await sleep(50);
    }
    if (!token) throw new StepError(`${prefix}: no link for the address in /dev/outbox`);
    const res = await call(steps, `${prefix}: verify`, `${authUrl}/auth/email/verify`, post({ token }), 200);
    return tokensOf(res);
  }

  private async login(): Promise<Tokens> {
    const t0 = performance.now();
    const m = this.o.method;
    const tokens =
      m === "siwe" ? await this.siweLogin() : m === "passkey" ? await this.passkeyLogin() : await this.emailLogin();
    this.o.steps.add(`login (${m}, whole)`, performance.now() - t0);
    this.o.steps.login(m);
    return tokens;
  }

  private async me(access: string): Promise<void> {
    const res = await call(
      this.o.steps,
      "cloud: GET /v1/me",
      `${this.o.cloudUrl}/v1/me`,
      { headers: { authorization: `Bearer ${access}` } },
      200,
    );
    if (res.json<{ sub?: string }>().sub === undefined) throw new StepError("cloud: GET /v1/me without a sub");
  }

  private async objectRoundTrip(access: string): Promise<void> {
    const { cloudUrl, steps, vu, objectBytes } = this.o;
    const url = `${cloudUrl}/v1/objects/journey-${vu}`;
    const bytes = randomBytes(objectBytes);
    const auth = { authorization: `Bearer ${access}` };
    await call(
      steps,
      "cloud: PUT /v1/objects/:key",
      url,
      { method: "PUT", headers: { ...auth, "content-type": "application/octet-stream" }, body: bytes },
      200,
    );
    const got = (await call(steps, "cloud: GET /v1/objects/:key", url, { headers: auth }, 200)).body;
    if (!got.equals(bytes)) throw new StepError("cloud: GET /v1/objects/:key answered other bytes than were stored");
  }

  private async refresh(tokens: Tokens): Promise<Tokens> {
    const res = await call(
      this.o.steps,
      "auth: POST /auth/token/refresh",
      `${this.o.authUrl}/auth/token/refresh`,
      { method: "POST", headers: { origin: ORIGIN, cookie: tokens.refreshCookie } },
      200,
    );
    return tokensOf(res);
  }

  /** One journey: login, cloud calls, refreshes with think time, logout. Stops thinking at the deadline. */
  async journey(deadline: number): Promise<void> {
    let tokens = await this.login();
    try {
      await this.me(tokens.accessToken);
      await this.objectRoundTrip(tokens.accessToken);
      for (let i = 0; i < this.o.refreshesPerSession && performance.now() < deadline; i++) {
        const jitter = 0.8 + Math.random() * 0.4;
        await sleep(Math.min(this.o.refreshEveryMs * jitter, Math.max(0, deadline - performance.now())));
        tokens = await this.refresh(tokens);
        await this.me(tokens.accessToken);
      }
    } finally {
      await call(
        this.o.steps,
        "auth: POST /auth/logout",
        `${this.o.authUrl}/auth/logout`,
        post({}, tokens.accessToken),
        204,
      );
    }
  }

  /** Journeys until the deadline; an error is recorded and the next journey starts after 200 ms. */
  async run(deadline: number): Promise<void> {
    while (performance.now() < deadline) {
      try {
        await this.journey(deadline);
      } catch (e) {
        this.o.steps.error(e instanceof StepError ? e.message : `unexpected: ${String(e)}`);
        await sleep(200);
      }
    }
  }
}

// The shell's headers as a client sees them on a real Node server, where they are set on the
// outgoing message instead of on Hono's Response: every response gets them, however it was made,
// and a route's own value still wins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BaseVariables,
  createLogger,
  createServiceApp,
  type RunningServer,
  startHttpServer,
} from "../src/index.ts";

const SECURITY = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-site",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "SAMEORIGIN",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};

let server: RunningServer;
let base: string;
let inAppHeaders: Headers | undefined;

beforeAll(async () => {
  const app = createServiceApp<{ Variables: BaseVariables }>({
    name: "svc",
    version: "1",
    description: "header test service",
    logger: createLogger({ name: "t", level: "silent" }),
    readiness: {},
  });
  app.get("/own", (c) => {
    c.header("X-Frame-Options", "DENY");
    return c.json({ ok: true });
  });
  app.get("/raw", () => new Response("raw", { headers: { "Referrer-Policy": "same-origin" } }));
  app.get("/boom", () => {
    throw new Error("boom");
  });
  app.use("/seen", async (c, next) => {
    await next();
    inAppHeaders = new Headers(c.res.headers);
  });
  app.get("/seen", (c) => c.text("seen"));
  server = await startHttpServer((req, env) => app.fetch(req, env), 0, "127.0.0.1");
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
});

const headersOf = (res: Response) => Object.fromEntries(res.headers.entries());

describe("the shell's headers on a Node server", () => {
  it("every answer carries the security headers and a request id: a route, a 404, a 500", async () => {
    for (const [path, status] of [
      ["/health", 200],
      ["/nowhere", 404],
      ["/boom", 500],
    ] as const) {
      const res = await fetch(`${base}${path}`);
      await res.arrayBuffer();
      expect(res.status).toBe(status);
      expect(headersOf(res)).toMatchObject(SECURITY);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("echoes a plain incoming request id and replaces one that could inject into logs", async () => {
    const plain = await fetch(`${base}/health`, { headers: { "x-request-id": "abc.DEF-123_x" } });
    expect(plain.headers.get("x-request-id")).toBe("abc.DEF-123_x");
    const bad = await fetch(`${base}/health`, { headers: { "x-request-id": 'a b"c' } });
    expect(bad.headers.get("x-request-id")).not.toBe('a b"c');
  });

  it("a route's own value wins, through c.header and through new Response; the others stay", async () => {
    const own = await fetch(`${base}/own`);
    expect(own.headers.get("x-frame-options")).toBe("DENY");
    expect(own.headers.get("x-content-type-options")).toBe("nosniff");
    expect(own.headers.get("content-type")).toBe("application/json");
    const raw = await fetch(`${base}/raw`);
    expect(await raw.text()).toBe("raw");
    expect(raw.headers.get("referrer-policy")).toBe("same-origin");
    expect(raw.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(raw.headers.get("x-request-id")).toBeTruthy();
  });

  it("sets them on the Node response, not on Hono's Response object (which would cost a Headers per request)", async () => {
    const res = await fetch(`${base}/seen`);
    expect(await res.text()).toBe("seen");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(inAppHeaders?.get("x-frame-options")).toBeNull();
    expect(inAppHeaders?.get("x-request-id")).toBeNull();
  });
});

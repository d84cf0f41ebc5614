// /metrics is never public in production: a port of its own (METRICS_PORT), or bearer tokens
// (METRICS_TOKENS) on the main port; with neither, the main port has no /metrics at all.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type BaseVariables, createLogger, createServiceApp, metricsExposure } from "../src/index.ts";

const TOKEN_A = "a".repeat(40);
const TOKEN_B = "b".repeat(40);
const silent = () =>
  createLogger({ name: "svc", level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) });

function appFor(config: Parameters<typeof metricsExposure>[0]) {
  return createServiceApp<{ Variables: BaseVariables }>({
    name: "svc",
    version: "1.0.0",
    description: "test service",
    logger: silent(),
    readiness: {},
    ...metricsExposure(config),
  });
}
const scrape = (app: ReturnType<typeof appFor>, authorization?: string) =>
  app.request("/metrics", authorization ? { headers: { authorization } } : {});

describe("who may read /metrics", () => {
  it("production without METRICS_PORT or METRICS_TOKENS: the main port has no /metrics (404)", async () => {
    const config = { NODE_ENV: "production", METRICS_TOKENS: [] };
    expect(metricsExposure(config).hidden).toBe(true);
    const res = await scrape(appFor(config));
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("http_requests_total");
  });

  it("METRICS_TOKENS: a request without a token, with a wrong one or another scheme gets 401; each listed token reads it", async () => {
    const app = appFor({ NODE_ENV: "production", METRICS_TOKENS: [TOKEN_A, TOKEN_B] });
    for (const auth of [undefined, `Bearer ${"c".repeat(40)}`, `Bearer ${TOKEN_A}x`, `Basic ${TOKEN_A}`, TOKEN_A]) {
      const res = await scrape(app, auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain("http_requests_total");
    }
    // Two tokens at once: rotation without downtime (add the new one, switch the scraper, drop the old).
    for (const token of [TOKEN_A, TOKEN_B]) {
      const res = await scrape(app, `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("# TYPE");
    }
  });

  it("METRICS_PORT wins: the main port has no /metrics even with tokens", async () => {
    const config = { NODE_ENV: "production", METRICS_PORT: 9464, METRICS_TOKENS: [TOKEN_A] };
    expect(metricsExposure(config)).toMatchObject({ metricsRoute: false, hidden: false });
    expect((await scrape(appFor(config), `Bearer ${TOKEN_A}`)).status).toBe(404);
  });

  it("development and test keep an open /metrics on the main port", async () => {
    for (const NODE_ENV of ["development", "test"]) {
      expect((await scrape(appFor({ NODE_ENV, METRICS_TOKENS: [] }))).status).toBe(200);
    }
  });
});

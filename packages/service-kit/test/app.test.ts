import { Writable } from "node:stream";
import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { type BaseVariables, createLogger, createServiceApp } from "../src/index.ts";
import { validateOpenApi31 } from "../src/testing/index.ts";

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ name: "test", level: "info", destination }), lines };
}

function makeApp(ready: () => Promise<void> = async () => {}) {
  const { logger, lines } = captureLogger();
  const app = createServiceApp<{ Variables: BaseVariables }>({
    name: "svc",
    version: "1.2.3",
    description: "test service",
    logger,
    readiness: { database: ready },
    bodyLimitExemptPrefixes: ["/upload/"],
  });
  app.openapi(
    createRoute({
      method: "post",
      path: "/things",
      request: {
        body: {
          content: { "application/json": { schema: z.strictObject({ name: z.string().min(1) }) } },
          required: true,
        },
      },
      responses: {
        201: { description: "Created", content: { "application/json": { schema: z.object({ name: z.string() }) } } },
      },
    }),
    (c) => c.json({ name: c.req.valid("json").name }, 201),
  );
  app.get("/boom", () => {
    throw new Error("db password=hunter2 at /srv/app.ts:10");
  });
  app.post("/upload/:key", async (c) => c.json({ size: (await c.req.arrayBuffer()).byteLength }));
  return { app, lines };
}

const json = (body: string) => ({ method: "POST", body, headers: { "content-type": "application/json" } });

describe("createServiceApp", () => {
  it("accepts a valid body", async () => {
    const { app } = makeApp();
    const res = await app.request("/things", json('{"name":"a"}'));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ name: "a" });
  });

  it("answers malformed JSON with problem+json 400, never 500", async () => {
    const { app } = makeApp();
    const res = await app.request("/things", json('{"name":'));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect(body.instance).toBe(res.headers.get("x-request-id"));
  });

  it("rejects unknown body fields and invalid values with the offending path", async () => {
    const { app } = makeApp();
    const unknown = await app.request("/things", json('{"name":"a","admin":true}'));
    expect(unknown.status).toBe(400);
    const invalid = await app.request("/things", json('{"name":""}'));
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { code: string; errors: { path: string }[] };
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.errors[0]?.path).toBe("name");
  });

  it("refuses bodies over 1 MiB with 413, except on exempt prefixes", async () => {
    const { app } = makeApp();
    const big = `{"name":"${"x".repeat(1024 * 1024)}"}`;
    const res = await app.request("/things", json(big));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
    const upload = await app.request("/upload/k", { method: "POST", body: new Uint8Array(2 * 1024 * 1024) });
    expect(upload.status).toBe(200);
  });

  it("refuses NUL characters in paths, queries and JSON or form bodies with 400 (PostgreSQL text cannot hold them)", async () => {
    const { app } = makeApp();
    for (const res of [
      await app.request("/things/%00"),
      await app.request("/things?x=a%00b"),
      await app.request("/things", json('{"name":"a\\u0000b"}')),
      await app.request("/things", json('{"name":"a\\\\\\u0000b"}')),
      await app.request("/things", json('{"name":"a\u0000b"}')),
      await app.request("/things", {
        method: "POST",
        body: "name=a%00b",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(((await res.json()) as { code: string }).code).toBe("VALIDATION_FAILED");
    }
    // An escaped backslash followed by "u0000" is text, not a NUL; "%00" inside JSON is text too.
    const text = await app.request("/things", json('{"name":"a\\\\u0000 %00"}'));
    expect(text.status).toBe(201);
    expect(await text.json()).toEqual({ name: "a\\u0000 %00" });
  });

  it("answers unknown routes with problem+json 404", async () => {
    const { app } = makeApp();
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("NOT_FOUND");
  });

  it("hides unexpected errors: generic 500 with the request id, cause only in the log", async () => {
    const { app, lines } = makeApp();
    const res = await app.request("/boom", { headers: { "x-request-id": "req-123" } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("app.ts");
    expect(JSON.parse(text)).toMatchObject({ code: "INTERNAL", instance: "req-123" });
    expect(lines.some((l) => l.includes("req-123") && l.includes('"level":50'))).toBe(true);
  });

  it("replaces request ids that could inject into logs", async () => {
    const { app } = makeApp();
    const res = await app.request("/health", { headers: { "x-request-id": "a b<script>" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never logs tokens from headers, paths or query strings", async () => {
    const { app, lines } = makeApp();
    await app.request("/things?token=sekret-query", {
      ...json('{"name":"sekret-body"}'),
      headers: {
        "content-type": "application/json",
        authorization: "Bearer sekret-header",
        cookie: "rt=sekret-cookie",
      },
    });
    const log = lines.join("");
    expect(log).toContain('"route":"/things"');
    expect(log).not.toMatch(/sekret/);
  });

  it("redacts secret-named fields a service logs by mistake", () => {
    const { logger, lines } = captureLogger();
    logger.info(
      { refreshToken: "rt-value", user: { password: "pw-value" }, headers: { authorization: "Bearer x" } },
      "oops",
    );
    expect(lines.join("")).not.toMatch(/rt-value|pw-value|Bearer x/);
  });

  it("reports readiness per dependency, 503 when one fails", async () => {
    expect((await makeApp().app.request("/ready")).status).toBe(200);
    const down = await makeApp(async () => {
      throw new Error("ECONNREFUSED 10.1.2.3");
    }).app.request("/ready");
    expect(down.status).toBe(503);
    const body = await down.text();
    expect(JSON.parse(body)).toMatchObject({ status: "not_ready", checks: { database: { status: "error" } } });
    expect(body).not.toContain("10.1.2.3");
  });

  it("exposes Prometheus metrics labelled by route pattern", async () => {
    const { app } = makeApp();
    await app.request("/health");
    const res = await app.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toMatch(/http_requests_total\{[^}]*route="\/health"[^}]*\} 1/);
  });

  it("counts requests per status and times them per route, in Prometheus text format", async () => {
    const { app } = makeApp();
    await app.request("/health");
    await app.request("/health");
    await app.request("/nowhere");
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('http_requests_total{method="GET",route="/health",status="200",service="svc"} 2');
    expect(text).toMatch(/http_requests_total\{method="GET",route="[^"]*",status="404",service="svc"\} 1/);
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",service="svc",method="GET",route="/health"} 2',
    );
    expect(text).toContain('http_request_duration_seconds_count{service="svc",method="GET",route="/health"} 2');
    expect(text).toMatch(/http_request_duration_seconds_sum\{service="svc",method="GET",route="\/health"\} \d/);
  });

  it("serves a valid OpenAPI 3.1 document generated from the route schemas, and rendered docs", async () => {
    const { app } = makeApp();
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/ready", "/things"]));
    const result = await validateOpenApi31(doc);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    const page = await app.request("/docs");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
    const html = await page.text();
    // Scripts from the service itself only, none inline.
    expect([...html.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="/docs/redoc.standalone.js">',
      `<script src="/docs/reference.js" nonce="${nonce}">`,
    ]);
    const reference = (await (await app.request("/docs/reference.json")).json()) as {
      paths: Record<string, Record<string, { "x-codeSamples"?: { source: string }[] }>>;
    };
    expect(reference.paths["/things"]?.post?.["x-codeSamples"]?.[0]?.source).toContain("curl -X POST");
  });

  it("sets security headers", async () => {
    const res = await makeApp().app.request("/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});

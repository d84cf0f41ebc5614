// The API reference's parts that run on the server: the shell page and its assets, the curl
// samples, and the problem examples filled in from the error catalogue.
import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { curlSample } from "../src/docs-curl.ts";
import { createLogger, createServiceApp, referenceDocument } from "../src/index.ts";
import { problemExample, withProblemExamples } from "../src/problem-examples.ts";

function app() {
  const service = createServiceApp({
    name: "svc",
    version: "1.0.0",
    description: "A test service.",
    tags: [{ name: "things", description: "Things of the test service." }],
    logger: createLogger({ name: "docs", level: "silent" }),
    readiness: {},
  });
  service.openapi(
    createRoute({
      method: "post",
      path: "/things/{id}",
      tags: ["things"],
      summary: "Rename a thing",
      description: "Renames it.",
      security: [{ bearer: [] }],
      request: {
        params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "t_1" }) }),
        headers: z.object({ "x-tenant": z.string().optional(), "idempotency-key": z.string() }),
        body: {
          required: true,
          content: { "application/json": { schema: z.object({ name: z.string() }), example: { name: "it's new" } } },
        },
      },
      responses: {
        200: { description: "Renamed" },
        403: {
          description: "Not yours (FORBIDDEN)",
          content: { "application/problem+json": { schema: z.object({ code: z.string() }) } },
        },
      },
    }),
    (c) => c.body(null, 200),
  );
  return service;
}

describe("API reference", () => {
  it("serves a shell under a strict CSP, its scripts and stylesheet from the service, and the bundle without CDN", async () => {
    const a = app();
    const page = await a.request("/docs");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self';/);
    // Styles: this origin, the page's own nonce and two hashed bundle styles; never 'unsafe-inline'.
    const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).not.toContain("unsafe");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain(`<script src="/docs/reference.js" nonce="${nonce}"></script>`);
    const again = (await a.request("/docs")).headers.get("content-security-policy");
    expect(again).not.toContain(nonce);
    expect(html).toContain("<title>svc 1.0.0 — API reference</title>");
    expect(html).toContain('<link rel="stylesheet" href="/docs/reference.css">');
    const init = await a.request("/docs/reference.js");
    expect(init.headers.get("content-type")).toContain("text/javascript");
    expect(await init.text()).toContain('Redoc.init("/docs/reference.json"');
    expect((await a.request("/docs/reference.css")).headers.get("content-type")).toContain("text/css");
    const bundle = await a.request("/docs/redoc.standalone.js");
    expect(bundle.status).toBe(200);
    const text = await bundle.text();
    expect(text.length).toBeGreaterThan(500_000);
    expect(text).not.toContain("cdn.redoc.ly");
  });

  it("declares the service's tags with the operations tag, and fills problem examples from the catalogue", async () => {
    const doc = (await (await app().request("/openapi.json")).json()) as {
      tags: { name: string }[];
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    expect(doc.tags.map((t) => t.name)).toEqual(["things", "operations"]);
    expect(doc.paths["/things/{id}"]?.post?.responses["403"]?.content?.["application/problem+json"]).toMatchObject({
      example: { status: 403, code: "FORBIDDEN", title: "Forbidden", detail: "Not yours (FORBIDDEN)" },
    });
  });

  it("gives each operation a curl command with its credentials, headers and body example", async () => {
    const doc = (await (await app().request("/openapi.json")).json()) as Parameters<typeof referenceDocument>[0];
    const reference = referenceDocument(doc, "https://api.example.com");
    expect(reference.servers).toEqual([{ url: "https://api.example.com", description: "This deployment" }]);
    expect(reference.info?.description).toContain("<!-- ReDoc-Inject: <security-definitions> -->");
    const curl = curlSample(doc, "https://api.example.com", "post", "/things/{id}");
    expect(curl.split(" \\\n  ")).toEqual([
      "curl -X POST 'https://api.example.com/things/t_1'",
      '-H "Authorization: Bearer $ATLAS_TOKEN"',
      "-H 'X-Tenant: default'",
      '-H "Idempotency-Key: $(uuidgen)"',
      "-H 'Content-Type: application/json'",
      `--data '{\n  "name": "it'\\''s new"\n}'`,
    ]);
    expect(curlSample(doc, "https://api.example.com", "get", "/health")).toBe("curl 'https://api.example.com/health'");
  });

  it("writes HTTP Basic, form bodies, binary uploads and required query parameters", () => {
    const doc = {
      paths: {
        "/introspect": {
          post: {
            security: [{ basic: [] }, { bearer: [] }],
            requestBody: {
              content: { "application/x-www-form-urlencoded": { example: { token: "atlas_pat_x", hint: "pat" } } },
            },
          },
        },
        "/objects/{key}": {
          put: {
            parameters: [{ name: "key", in: "path" }],
            requestBody: { content: { "application/octet-stream": {} } },
          },
        },
        "/usage": {
          get: {
            parameters: [
              { name: "from", in: "query", required: true, schema: { example: "2026-12-01T00:00:00Z" } },
              { name: "to", in: "query", required: true },
              { name: "x-trace", in: "header", required: true },
            ],
          },
        },
        "/named": {
          post: {
            requestBody: {
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/Named" } },
              },
            },
          },
        },
      },
      components: { schemas: { Named: { type: "object", example: { n: 1 } } } },
    };
    expect(curlSample(doc, "http://h", "post", "/introspect")).toBe(
      [
        "curl -X POST 'http://h/introspect'",
        '-u "$CLIENT_ID:$CLIENT_SECRET"',
        "--data-urlencode 'token=atlas_pat_x'",
        "--data-urlencode 'hint=pat'",
      ].join(" \\\n  "),
    );
    expect(curlSample(doc, "http://h", "put", "/objects/{key}")).toContain(
      "'http://h/objects/{key}' \\\n  -H 'Content-Type: application/octet-stream' \\\n  --data-binary @./file",
    );
    expect(curlSample(doc, "http://h", "get", "/usage")).toBe(
      "curl 'http://h/usage?from=2026-12-01T00%3A00%3A00Z&to=%3Cto%3E' \\\n  -H 'x-trace: <x-trace>'",
    );
    expect(curlSample(doc, "http://h", "post", "/named")).toContain(`--data '{\n  "n": 1\n}'`);
  });

  it("picks the catalogue code a problem's description names, else the first of its status", () => {
    expect(problemExample(402, "Allowance used up (QUOTA_EXCEEDED)")?.code).toBe("QUOTA_EXCEEDED");
    expect(problemExample(402, "Card declined")?.code).toBe("PAYMENT_FAILED");
    expect(problemExample(418, "I'm a teapot")).toBeUndefined();
    const doc = { paths: { "/x": { get: { responses: { 404: { description: "Gone" } } } } } };
    expect(withProblemExamples(doc)).toEqual(doc);
  });
});

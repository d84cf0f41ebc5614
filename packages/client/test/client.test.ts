// The typed wrapper's own behaviour: where requests go, what they carry, and how answers come back.
import { describe, expect, it } from "vitest";
import {
  createCloudApiClient,
  createServiceAuthClient,
  dataOf,
  PAT_FORMAT,
  PAT_PREFIX,
  USER_SCOPES,
} from "../src/index.ts";

/** A transport that records each request and answers with `answer`. */
function recording(answer: () => Response) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    return answer();
  };
  return { seen, fetch };
}

describe("@atlas/client", () => {
  it("sends typed calls to the base URL with the client's headers, path parameters encoded", async () => {
    const t = recording(() => Response.json({ key: "a b/c", sizeBytes: 1 }));
    const cloud = createCloudApiClient({ baseUrl: "http://api.test", fetch: t.fetch, headers: { "x-tenant": "acme" } });
    await cloud.GET("/v1/objects", { params: { query: { limit: 10, prefix: "a b" } } });
    await cloud.DELETE("/v1/objects/{key}", { params: { path: { key: "a b/c" } } });
    expect(t.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET http://api.test/v1/objects?limit=10&prefix=a%20b",
      "DELETE http://api.test/v1/objects/a%20b%2Fc",
    ]);
    expect(t.seen[0]?.headers.get("x-tenant")).toBe("acme");
  });

  it("sends JSON bodies and the credentials mode it was made with", async () => {
    const t = recording(() => new Response(null, { status: 202 }));
    const auth = createServiceAuthClient({ baseUrl: "http://auth.test", fetch: t.fetch, credentials: "include" });
    const { response } = await auth.POST("/auth/email/start", { body: { email: "a@b.test" } });
    expect(response.status).toBe(202);
    const [request] = t.seen;
    expect(request?.credentials).toBe("include");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(await request?.text()).toBe('{"email":"a@b.test"}');
  });

  it("runs the given middleware around every request", async () => {
    const t = recording(() => Response.json({ status: "ok", service: "x" }));
    const auth = createServiceAuthClient({
      baseUrl: "http://auth.test",
      fetch: t.fetch,
      middleware: [{ onRequest: ({ request }) => new Request(request, { headers: { "x-seen": "1" } }) }],
    });
    await auth.GET("/health");
    expect(t.seen[0]?.headers.get("x-seen")).toBe("1");
  });

  it("dataOf gives a success's data and refuses an error answer the transport let through", async () => {
    const ok = createServiceAuthClient({
      baseUrl: "http://auth.test",
      fetch: async () => Response.json({ status: "ok", service: "service-auth" }),
    });
    expect(dataOf(await ok.GET("/health"))).toEqual({ status: "ok", service: "service-auth" });
    const failing = createServiceAuthClient({
      baseUrl: "http://auth.test",
      fetch: async () => Response.json({ code: "INTERNAL" }, { status: 500 }),
    });
    const result = await failing.GET("/health");
    expect(() => dataOf(result)).toThrow(/500 answer reached dataOf/);
  });

  it("shares the scopes and the PAT shape with the services", () => {
    expect(USER_SCOPES).toEqual(["profile:read", "objects:read", "objects:write", "usage:read", "billing:read"]);
    const pat = `${PAT_PREFIX}${"0".repeat(32)}_${"A".repeat(43)}`;
    expect(PAT_FORMAT.exec(pat)?.slice(1)).toEqual(["0".repeat(32), "A".repeat(43)]);
    expect(PAT_FORMAT.test(`${pat}x`)).toBe(false);
  });
});

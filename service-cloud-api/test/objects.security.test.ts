// BOLA: another customer's objects are never visible, whatever the route.
import { type RunningServer, startHttpServer } from "@atlas/service-kit";
import { singleConnectionAgent } from "@atlas/service-kit/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bodyOf, type CloudTestApp, createCloudTestApp } from "./harness.ts";

let t: CloudTestApp;
beforeAll(async () => {
  t = await createCloudTestApp();
});
beforeEach(async () => {
  await t.reset();
  await call("PUT", "/v1/objects/secret.txt", await t.as("alice"), "alice's secret");
});
afterAll(async () => {
  await t.close();
});

const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  t.app.request(path, { method, headers: { ...headers, "content-type": "text/plain" }, body });

describe("objects: no broken object level authorization", () => {
  it("GET of another user's key answers 404 exactly like a missing key", async () => {
    const theirs = await call("GET", "/v1/objects/secret.txt", await t.as("mallory"));
    const missing = await call("GET", "/v1/objects/nothing.txt", await t.as("mallory"));
    expect(theirs.status).toBe(404);
    const { instance: _a, ...body } = await bodyOf(theirs);
    const { instance: _b, ...missingBody } = await bodyOf(missing);
    expect(body).toEqual(missingBody);
    expect(JSON.stringify(body)).not.toContain("alice");
  });

  it("the same user id in another tenant is another customer", async () => {
    const res = await call("GET", "/v1/objects/secret.txt", await t.as("alice", { tid: "tenant_b" }));
    expect(res.status).toBe(404);
    const listed = await bodyOf(await call("GET", "/v1/objects", await t.as("alice", { tid: "tenant_b" })));
    expect(listed.items).toEqual([]);
  });

  it("DELETE of another user's key answers 404 and deletes nothing", async () => {
    expect((await call("DELETE", "/v1/objects/secret.txt", await t.as("mallory"))).status).toBe(404);
    expect(await (await call("GET", "/v1/objects/secret.txt", await t.as("alice"))).text()).toBe("alice's secret");
  });

  it("PUT on another user's key creates the caller's own object and leaves theirs alone", async () => {
    expect((await call("PUT", "/v1/objects/secret.txt", await t.as("mallory"), "overwritten?")).status).toBe(200);
    expect(await (await call("GET", "/v1/objects/secret.txt", await t.as("alice"))).text()).toBe("alice's secret");
    expect(await (await call("GET", "/v1/objects/secret.txt", await t.as("mallory"))).text()).toBe("overwritten?");
  });

  it("the list shows only the caller's objects, also through a forged cursor", async () => {
    const listed = await bodyOf(await call("GET", "/v1/objects", await t.as("mallory")));
    expect(listed).toEqual({ items: [], nextCursor: null });
    const cursor = Buffer.from("a").toString("base64url");
    const forged = await bodyOf(await call("GET", `/v1/objects?cursor=${cursor}`, await t.as("mallory")));
    expect(forged.items).toEqual([]);
  });

  it("scopes: objects:write for PUT and DELETE, objects:read for GET and the list (403, no state change)", async () => {
    const readOnly = await t.as("alice", { scope: "objects:read" });
    const writeOnly = await t.as("alice", { scope: "objects:write" });
    const put = await call("PUT", "/v1/objects/secret.txt", readOnly, "changed");
    expect(put.status).toBe(403);
    expect(await bodyOf(put)).toMatchObject({ code: "FORBIDDEN" });
    expect((await call("DELETE", "/v1/objects/secret.txt", readOnly)).status).toBe(403);
    expect((await call("GET", "/v1/objects/secret.txt", writeOnly)).status).toBe(403);
    expect((await call("GET", "/v1/objects", writeOnly)).status).toBe(403);
    expect(await (await call("GET", "/v1/objects/secret.txt", readOnly)).text()).toBe("alice's secret");
    // A PAT with only objects:read cannot write either.
    const pat = t.issuer.addPat({ sub: "alice", tid: "tenant_a", scope: "objects:read" });
    expect((await call("PUT", "/v1/objects/x", { authorization: `Bearer ${pat}` }, "x")).status).toBe(403);
  });

  it("without a token: 401, nothing stored", async () => {
    expect((await call("PUT", "/v1/objects/anon", {}, "x")).status).toBe(401);
    expect((await call("GET", "/v1/objects/secret.txt", {})).status).toBe(401);
  });
});

describe("uploads answered early on a kept-alive connection (issue 18 §10)", () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    // The service's own HTTP server over the test app (t.app is replaced on every reset).
    server = await startHttpServer((req, env) => t.app.fetch(req, env), 0, "127.0.0.1");
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  /** An upload refused before its body is read, and `n` reads queued on the same connection. */
  async function uploadThenReads(headers: Record<string, string>, n: number, bytes = 4 * 1024 * 1024) {
    const dispatcher = await singleConnectionAgent(base);
    const auth = await t.as("alice");
    try {
      const upload = fetch(`${base}/v1/objects/big.bin`, {
        method: "PUT",
        body: new Uint8Array(bytes),
        headers: { ...headers, "content-type": "application/octet-stream" },
        dispatcher,
      });
      const reads = Array.from({ length: n }, () =>
        fetch(`${base}/v1/objects/secret.txt`, { headers: auth, dispatcher }),
      );
      const settled = await Promise.allSettled([upload, ...reads]);
      return Promise.all(
        settled.map(async (s) => {
          if (s.status === "rejected") return `failed: ${String((s.reason as Error).cause ?? s.reason)}`;
          await s.value.arrayBuffer();
          return [s.value.status, s.value.headers.get("connection")];
        }),
      );
    } finally {
      await dispatcher.close();
    }
  }

  it("attack: a 4 MiB upload with a bad token, then reads on the same keep-alive connection — 401 with Connection: close, every read succeeds", async () => {
    const outcomes = await uploadThenReads({ authorization: "Bearer not-a-token" }, 4);
    expect(outcomes[0]).toEqual([401, "close"]);
    expect(outcomes.slice(1).map((o) => (Array.isArray(o) ? o[0] : o))).toEqual([200, 200, 200, 200]);
  });

  it("attack: an upload over the plan's object size, then reads on the same keep-alive connection — 413, every read succeeds", async () => {
    // The free plan's maxObjectBytes is 10 MiB.
    const outcomes = await uploadThenReads(await t.as("alice"), 4, 12 * 1024 * 1024);
    expect(outcomes[0]).toEqual([413, "close"]);
    expect(outcomes.slice(1).map((o) => (Array.isArray(o) ? o[0] : o))).toEqual([200, 200, 200, 200]);
  });
});

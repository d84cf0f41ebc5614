import { createServiceAuthClient } from "@atlas/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiData, clientOptions, NETWORK_ERROR } from "./api.ts";

type FetchArgs = [input: string | URL | Request, init?: RequestInit];

function stubFetch(impl: (...args: FetchArgs) => Promise<Response>) {
  const fake = vi.fn(impl);
  vi.stubGlobal("fetch", fake);
  return fake;
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A typed client of service-auth as the web-app makes them. */
const auth = (headers: Record<string, string> = {}) =>
  createServiceAuthClient(clientOptions("http://auth.test", headers));

describe("typed calls (apiData over clientOptions)", () => {
  it("returns the parsed JSON body of a 2xx response", async () => {
    const fetch = stubFetch(async () => Response.json({ slug: "default", name: "Atlas", allowedMethods: ["email"] }));
    const body = await apiData(auth({ "X-Tenant": "x" }).GET("/tenants/current"));
    expect(body).toEqual({ slug: "default", name: "Atlas", allowedMethods: ["email"] });
    expect(fetch.mock.calls[0]?.[0]).toBe("http://auth.test/tenants/current");
    const init = fetch.mock.calls[0]?.[1];
    const headers = new Headers(init?.headers);
    expect(headers.get("x-tenant")).toBe("x");
    expect(headers.get("accept")).toContain("application/problem+json");
  });

  it("turns problem+json into an ApiError with status, code and detail", async () => {
    stubFetch(
      async () =>
        new Response(
          JSON.stringify({
            type: "https://atlas.dev/problems/not-found",
            title: "Not Found",
            status: 404,
            detail: "Unknown tenant",
            code: "NOT_FOUND",
          }),
          { status: 404, headers: { "content-type": "application/problem+json" } },
        ),
    );
    const error = await caught(apiData(auth().GET("/tenants/current")));
    expect(error.status).toBe(404);
    expect(error.code).toBe("NOT_FOUND");
    expect(error.detail).toBe("Unknown tenant");
    expect(error.message).toBe("Unknown tenant");
  });

  it("reports a failed connection as NETWORK_ERROR", async () => {
    stubFetch(async () => {
      throw new TypeError("fetch failed");
    });
    const error = await caught(apiData(auth().GET("/health")));
    expect(error.status).toBe(0);
    expect(error.code).toBe(NETWORK_ERROR);
    expect(error.detail).toMatch(/couldn't reach/i);
  });

  it("gives a generic error for a non-JSON failure", async () => {
    stubFetch(async () => new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway" }));
    const error = await caught(apiData(auth().GET("/health")));
    expect(error.status).toBe(502);
    expect(error.code).toBe("HTTP_502");
    expect(error.detail).toContain("502");
  });

  it("rethrows aborts untouched", async () => {
    stubFetch(async () => {
      throw new DOMException("aborted", "AbortError");
    });
    await expect(apiData(auth().GET("/health"))).rejects.toMatchObject({ name: "AbortError" });
  });

  it("reports a 2xx answer that isn't JSON, or that its check refuses, as INVALID_RESPONSE", async () => {
    stubFetch(async () => new Response("<h1>hi</h1>", { status: 200, headers: { "content-type": "text/html" } }));
    const error = await caught(apiData(auth().GET("/health")));
    expect([error.status, error.code]).toEqual([200, "INVALID_RESPONSE"]);
    stubFetch(async () => Response.json({ status: "ok" }));
    const refused = await caught(
      apiData(auth().GET("/health"), () => {
        throw new TypeError("no service");
      }),
    );
    expect([refused.status, refused.code]).toEqual([200, "INVALID_RESPONSE"]);
  });
});

describe("typed POSTs", () => {
  it("sends a JSON body and resolves with the status", async () => {
    const fetch = stubFetch(async () => new Response(null, { status: 202 }));
    const { response } = await auth().POST("/auth/email/start", { body: { email: "a@b.test" } });
    expect(response.status).toBe(202);
    const init = fetch.mock.calls[0]?.[1];
    expect(init?.method).toBe("POST");
    expect(init?.body).toBe('{"email":"a@b.test"}');
    expect(new Headers(init?.headers).get("content-type")).toBe("application/json");
  });

  it("surfaces a rate-limit problem's detail", async () => {
    stubFetch(async () =>
      Response.json(
        { type: "about:blank", title: "Too Many Requests", status: 429, detail: "Slow down", code: "RATE_LIMITED" },
        { status: 429, headers: { "content-type": "application/problem+json" } },
      ),
    );
    const error = await caught(apiData(auth().POST("/auth/sms/start", { body: { phone: "+15551234567" } })));
    expect([error.status, error.code, error.detail]).toEqual([429, "RATE_LIMITED", "Slow down"]);
  });
});

describe("problem extensions and messages", () => {
  it("keeps a problem's extension members and Retry-After", async () => {
    stubFetch(async () =>
      Response.json(
        {
          type: "x",
          title: "t",
          status: 401,
          detail: "A second factor is required",
          code: "MFA_REQUIRED",
          mfaToken: "m",
        },
        { status: 401, headers: { "content-type": "application/problem+json", "retry-after": "42" } },
      ),
    );
    const error = await caught(apiData(auth().POST("/auth/email/verify", { body: { token: "t" } })));
    expect(error.extras).toEqual({ mfaToken: "m" });
    expect(error.retryAfter).toBe(42);
  });

  it("turns codes into sentences for people", async () => {
    const { errorMessage } = await import("./api.ts");
    expect(errorMessage(new ApiError(429, "RATE_LIMITED", "x", {}, 30))).toBe(
      "Too many attempts. Try again in 30 seconds.",
    );
    expect(errorMessage(new ApiError(429, "RATE_LIMITED", "x", {}, 600))).toBe(
      "Too many attempts. Try again in 10 minutes.",
    );
    expect(errorMessage(new ApiError(404, "NOT_FOUND", "No such session"))).toBe("No such session");
    expect(errorMessage(new TypeError("boom"))).toBe("Something went wrong. Please try again.");
  });
});

import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";
import type { QuotaClass } from "../services/quota.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** Request body bytes a route actually received (object uploads); else Content-Length counts. */
    transferIn: number | undefined;
  }
}

/** Billing-information routes stay reachable when an allowance is used up (to see why, and pay). */
const EXEMPT = ["/v1/entitlements", "/v1/usage", "/v1/invoices"];

export function quotaClassOf(method: string, path: string): QuotaClass {
  if (EXEMPT.some((p) => path === p || path.startsWith(`${p}/`))) return "exempt";
  if (path.startsWith("/v1/objects/")) {
    if (method === "PUT") return "upload";
    if (method === "GET" || method === "HEAD") return "download";
  }
  return "request";
}

const lengthOf = (value: string | null | undefined) => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

/**
 * Meters every authenticated `/v1` request (after the bearer check) and enforces the plan's
 * allowances before the route runs. Counted per (user, tenant, hour): one request, the bytes in
 * (what an upload received, else the declared body length) and the bytes out (the response's
 * Content-Length, or the size of the JSON it serialized). Refused requests are counted too: they were served.
 */
export function meteringMiddleware(deps: Pick<Deps, "meter" | "quota" | "now">): MiddlewareHandler {
  return async function metering(c, next) {
    const { tid, sub } = c.var.auth;
    const owner = { tenantId: tid, userId: sub };
    // JSON answers are counted where they are serialized (reading a built Response back to
    // measure it cost as much as the whole /v1/me route).
    let jsonBytes = -1;
    const newResponse = c.newResponse;
    c.json = ((object: unknown, arg?: unknown, headers?: Record<string, string>) => {
      const text = JSON.stringify(object);
      jsonBytes = Buffer.byteLength(text);
      return newResponse(text, arg as never, { "Content-Type": "application/json", ...headers });
    }) as typeof c.json;
    try {
      await deps.quota.check(owner, quotaClassOf(c.req.method, c.req.path));
      await next();
    } finally {
      const at = deps.now();
      const bytesIn = c.var.transferIn ?? lengthOf(c.req.header("content-length"));
      const declared = c.res.headers.get("content-length");
      const bytesOut = declared !== null ? lengthOf(declared) : Math.max(jsonBytes, 0);
      deps.meter.record(tid, sub, "requests", 1, at);
      deps.meter.record(tid, sub, "transfer_in_bytes", bytesIn, at);
      deps.meter.record(tid, sub, "transfer_out_bytes", bytesOut, at);
      deps.quota.count(owner, "requests", 1);
      deps.quota.count(owner, "transfer_bytes", bytesIn + bytesOut);
    }
  };
}

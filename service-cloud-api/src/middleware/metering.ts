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
    // c.get, not c.var: `c.var` copies every variable into a new object on each read.
    const { tid, sub } = c.get("auth");
    const owner = { tenantId: tid, userId: sub };
    // JSON answers are counted where they are serialized (reading a built Response back to
    // measure it cost as much as the whole /v1/me route).
    let jsonBytes = -1;
    // The answer made by c.json with no headers of its own: its length is jsonBytes, and reading
    // its headers back (to look for a Content-Length) would build a Headers object for nothing.
    let plainJson: Response | undefined;
    const newResponse = c.newResponse;
    c.json = ((object: unknown, arg?: unknown, headers?: Record<string, string>) => {
      const text = JSON.stringify(object);
      jsonBytes = Buffer.byteLength(text);
      const res = newResponse(text, arg as never, { "Content-Type": "application/json", ...headers });
      plainJson = headers === undefined && (arg === undefined || typeof arg === "number") ? res : undefined;
      return res;
    }) as typeof c.json;
    try {
      await deps.quota.check(owner, quotaClassOf(c.req.method, c.req.path));
      await next();
    } finally {
      const at = deps.now();
      const bytesIn = c.get("transferIn") ?? lengthOf(c.req.header("content-length"));
      const declared = plainJson !== undefined && c.res === plainJson ? null : c.res.headers.get("content-length");
      const bytesOut = declared !== null ? lengthOf(declared) : Math.max(jsonBytes, 0);
      deps.meter.record(tid, sub, "requests", 1, at);
      deps.meter.record(tid, sub, "transfer_in_bytes", bytesIn, at);
      deps.meter.record(tid, sub, "transfer_out_bytes", bytesOut, at);
      deps.quota.count(owner, "requests", 1);
      deps.quota.count(owner, "transfer_bytes", bytesIn + bytesOut);
    }
  };
}

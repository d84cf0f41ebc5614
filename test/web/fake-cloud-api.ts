// A stand-in for service-cloud-api's usage and invoice routes, serving the shapes of
// ../shared/design/api.md ("Usage series", invoices with line items) to the web-app in tests,
// with the CORS grant a browser needs. It checks that every call carries the user's access token.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt } from "jose";

const GIB = 1024 ** 3;

export interface FakeCloudApi {
  url: string;
  /** The `sub` of every bearer token seen. */
  callers: string[];
  stop(): Promise<void>;
}

export async function startFakeCloudApi(): Promise<FakeCloudApi> {
  const callers: string[] = [];
  const now = new Date();
  const day = (d: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), d)).toISOString();
  const days = Array.from({ length: Math.max(1, now.getUTCDate()) }, (_, i) => day(i + 1));
  const invoice = {
    id: "6f1c1d4e-8a51-4a8e-9b7e-0f6d3c2b1a00",
    number: 42,
    status: "paid",
    currency: "usd",
    periodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString(),
    periodEnd: day(1),
    subtotalMinor: 2_045,
    totalMinor: 2_045,
    finalizedAt: day(1),
    paidAt: day(1),
    lines: [
      { description: "Pro plan", kind: "subscription", quantity: 1, unitPriceMinor: 2_000, amountMinor: 2_000 },
      {
        description: "Requests over the included 1,000,000",
        kind: "overage:requests",
        quantity: "90000",
        unitPriceMinor: 5,
        amountMinor: 45,
      },
    ],
  };
  const server: Server = createServer((req, res) => {
    const origin = req.headers.origin ?? "";
    const cors = {
      "access-control-allow-origin": origin,
      "access-control-allow-credentials": "true",
      "access-control-allow-headers": "authorization, content-type, x-tenant, accept",
      vary: "Origin",
    };
    if (req.method === "OPTIONS") return void res.writeHead(204, cors).end();
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { ...cors, "content-type": "application/json" }).end(JSON.stringify(body));
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return send(401, { type: "about:blank", title: "Unauthorized", status: 401, code: "INVALID_TOKEN" });
    callers.push(String(decodeJwt(token).sub));
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v1/usage") {
      const series = [
        { metric: "requests", points: days.map((t, i) => ({ t, value: 40_000 + i * 1_000 })) },
        { metric: "transfer_bytes", points: days.map((t) => ({ t, value: 2 * GIB })) },
        { metric: "storage_bytes", points: days.map((t, i) => ({ t, value: (i + 1) * GIB })) },
      ];
      return send(200, {
        from: url.searchParams.get("from"),
        to: url.searchParams.get("to"),
        granularity: "day",
        series,
      });
    }
    if (url.pathname === "/v1/invoices") return send(200, { items: [invoice], nextCursor: null });
    if (url.pathname === `/v1/invoices/${invoice.id}`) return send(200, invoice);
    return send(404, { type: "about:blank", title: "Not Found", status: 404, code: "NOT_FOUND" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    callers,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local peer for the Relay API's quote endpoint (`POST /quote`), answering in Relay's shape:
 * the steps the payer's wallet runs and `details.currencyIn.amount` (amount plus a fixed fee).
 */
export class FakeRelay {
  readonly received: { apiKey: string | undefined; body: Record<string, unknown> }[] = [];
  /** Fee added to the requested output, in base units. */
  feeBaseUnits = 1_000n;
  failWith: number | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeRelay> {
    let fake: FakeRelay | undefined;
    const server = createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    fake = new FakeRelay(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    res.setHeader("content-type", "application/json");
    if (req.method !== "POST" || req.url !== "/quote") {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: "Not found" }));
      return;
    }
    if (this.failWith) {
      res.statusCode = this.failWith;
      res.end(JSON.stringify({ message: "relay unavailable" }));
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    this.received.push({ apiKey: req.headers["x-api-key"] as string | undefined, body });
    const amountOut = BigInt(String(body.amount));
    const requestId = `0x${Buffer.from(String(this.received.length)).toString("hex").padStart(64, "0")}`;
    res.end(
      JSON.stringify({
        steps: [
          {
            id: "deposit",
            action: "Confirm transaction in your wallet",
            kind: "transaction",
            requestId,
            items: [{ status: "incomplete", data: { to: body.recipient, chainId: body.originChainId, value: "0" } }],
          },
        ],
        fees: { relayer: { amount: this.feeBaseUnits.toString() } },
        details: {
          operation: "send",
          currencyIn: { amount: (amountOut + this.feeBaseUnits).toString() },
          currencyOut: { amount: amountOut.toString() },
        },
      }),
    );
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

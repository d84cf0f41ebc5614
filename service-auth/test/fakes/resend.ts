import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedEmail {
  authorization: string | undefined;
  body: { from: string; to: string | string[]; subject: string; html?: string; text?: string };
}

/**
 * A local peer speaking the part of Resend's HTTP API that Atlas uses (`POST /emails`), so the
 * official SDK runs for real: request building, auth header, error handling.
 */
export class FakeResend {
  readonly received: ReceivedEmail[] = [];
  /** Set to make the next requests fail with this status (provider outage). */
  failWith: number | null = null;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeResend> {
    let fake: FakeResend | undefined;
    const server = createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    fake = new FakeResend(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  private async handle(req: IncomingMessage, res: import("node:http").ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    res.setHeader("content-type", "application/json");
    if (req.method !== "POST" || req.url !== "/emails") {
      res.statusCode = 404;
      res.end(JSON.stringify({ name: "not_found", message: "Not found", statusCode: 404 }));
      return;
    }
    if (this.failWith) {
      res.statusCode = this.failWith;
      res.end(JSON.stringify({ name: "internal_server_error", message: "upstream down", statusCode: this.failWith }));
      return;
    }
    this.received.push({ authorization: req.headers.authorization, body: JSON.parse(raw) });
    res.end(JSON.stringify({ id: crypto.randomUUID() }));
  }

  /** Resolves when `count` e-mails have arrived (sending is asynchronous by design). */
  async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedEmail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} e-mails, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.received;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

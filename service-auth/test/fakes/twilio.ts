import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedSms {
  accountSid: string;
  authorization: string | undefined;
  to: string;
  from: string;
  body: string;
}

/**
 * A local peer speaking Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * form-encoded, HTTP Basic), so the official SDK runs for real against it.
 */
export class FakeTwilio {
  readonly received: ReceivedSms[] = [];
  /** Set to make the next requests fail with this status (provider outage). */
  failWith: number | null = null;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeTwilio> {
    let fake: FakeTwilio | undefined;
    const server = createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    fake = new FakeTwilio(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    res.setHeader("content-type", "application/json");
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m?.[1]) {
      res.statusCode = 404;
      res.end(JSON.stringify({ code: 20404, message: "not found", status: 404 }));
      return;
    }
    if (this.failWith) {
      // Twilio's error body: { code, message, more_info, status }
      // https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions
      res.statusCode = this.failWith;
      res.end(
        JSON.stringify({
          code: this.failWith === 401 ? 20003 : 20500,
          message: this.failWith === 401 ? "Authenticate" : "An internal server error has occurred",
          more_info: `https://www.twilio.com/docs/errors/${this.failWith === 401 ? 20003 : 20500}`,
          status: this.failWith,
        }),
      );
      return;
    }
    const form = new URLSearchParams(raw);
    const sms = {
      accountSid: m[1],
      authorization: req.headers.authorization,
      to: form.get("To") ?? "",
      from: form.get("From") ?? "",
      body: form.get("Body") ?? "",
    };
    this.received.push(sms);
    res.statusCode = 201;
    res.end(
      JSON.stringify({
        sid: `SM${crypto.randomUUID().replaceAll("-", "")}`,
        account_sid: sms.accountSid,
        to: sms.to,
        from: sms.from,
        body: sms.body,
        status: "queued",
      }),
    );
  }

  async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedSms[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} SMS, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.received;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

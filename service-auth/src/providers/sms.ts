import type twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { DevOutbox } from "./email.ts";
import { ProviderUnavailableError } from "./outage.ts";

/**
 * Twilio failures that are outages, not a bad number: no HTTP answer at all, Twilio's 5xx, rejected
 * credentials (401/403) and rate limiting (429) (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions).
 */
function isTwilioOutage(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== "number") return true;
  return status >= 500 || status === 401 || status === 403 || status === 429;
}

/** How service-auth sends SMS: one small interface, the Twilio SDK in production. */
export interface SmsSender {
  readonly kind: "twilio" | "dev-outbox" | "unconfigured";
  send(message: { to: string; text: string; code: string }): Promise<void>;
}

/**
 * The Twilio SDK has no base-URL option: this request client rewrites its API host so tests
 * (and proxies) can point the real SDK at a local peer.
 */
async function rebasedRequestClient(baseUrl: string): Promise<RequestClient> {
  const { default: Base } = await import("twilio/lib/base/RequestClient.js");
  class RebasedRequestClient extends Base {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      const url = new URL(opts.uri);
      return super.request({ ...opts, uri: `${baseUrl}${url.pathname}${url.search}` });
    }
  }
  return new RebasedRequestClient();
}

export class TwilioSmsSender implements SmsSender {
  readonly kind = "twilio";
  /** The SDK loads, and the client is made, at the first SMS sent, not at boot. */
  private client: Promise<ReturnType<typeof twilio>> | null = null;

  constructor(
    private readonly accountSid: string,
    private readonly authToken: string,
    private readonly from: string,
    private readonly baseUrl?: string,
  ) {
    // What the SDK's constructor refuses, refused at boot still, though the SDK loads later.
    if (!accountSid.startsWith("AC")) throw new Error("accountSid must start with AC");
  }

  private sdkClient(): Promise<ReturnType<typeof twilio>> {
    this.client ??= (async () => {
      const { default: twilio } = await import("twilio");
      const httpClient = this.baseUrl ? await rebasedRequestClient(this.baseUrl) : undefined;
      return twilio(this.accountSid, this.authToken, httpClient ? { httpClient } : {});
    })();
    return this.client;
  }

  async send(message: { to: string; text: string }): Promise<void> {
    const client = await this.sdkClient();
    try {
      await client.messages.create({ to: message.to, from: this.from, body: message.text });
    } catch (error) {
      if (isTwilioOutage(error)) throw new ProviderUnavailableError("twilio", error);
      throw error;
    }
  }
}

export class DevOutboxSmsSender implements SmsSender {
  readonly kind = "dev-outbox";
  constructor(private readonly outbox: DevOutbox) {}
  async send(message: { to: string; text: string; code: string }): Promise<void> {
    this.outbox.record({ channel: "sms", to: message.to, subject: null, text: message.text, code: message.code });
  }
}

/** Production without Twilio credentials: SMS login is unavailable (fails closed). */
export class UnconfiguredSmsSender implements SmsSender {
  readonly kind = "unconfigured";
  async send(): Promise<void> {
    throw new Error("no SMS provider configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)");
  }
}

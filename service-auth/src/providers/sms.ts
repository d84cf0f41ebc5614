import twilio from "twilio";
import RequestClient from "twilio/lib/base/RequestClient.js";
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
class RebasedRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }
  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const url = new URL(opts.uri);
    return super.request({ ...opts, uri: `${this.baseUrl}${url.pathname}${url.search}` });
  }
}

export class TwilioSmsSender implements SmsSender {
  readonly kind = "twilio";
  private readonly client: ReturnType<typeof twilio>;

  constructor(
    accountSid: string,
    authToken: string,
    private readonly from: string,
    baseUrl?: string,
  ) {
    this.client = twilio(accountSid, authToken, baseUrl ? { httpClient: new RebasedRequestClient(baseUrl) } : {});
  }

  async send(message: { to: string; text: string }): Promise<void> {
    try {
      await this.client.messages.create({ to: message.to, from: this.from, body: message.text });
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

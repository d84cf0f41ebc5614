import type { Resend } from "resend";
import { ProviderUnavailableError } from "./outage.ts";

/**
 * Resend failures that are outages, not a bad message: no answer (statusCode null), its 5xx, a bad
 * or restricted key (401/403) and rate or quota limits (429) (https://resend.com/docs/api-reference/errors).
 */
function isResendOutage(error: { statusCode?: number | null }): boolean {
  const status = error.statusCode ?? null;
  return status === null || status >= 500 || status === 401 || status === 403 || status === 429;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Non-secret-to-the-recipient extras the dev outbox shows (the link, the token). */
  meta?: { link?: string; token?: string; code?: string };
  /** Sender display name (a tenant's brand); the address stays EMAIL_FROM's. */
  fromName?: string;
}

/** `Name <address>` with EMAIL_FROM's address (RFC 5322 display name, quoted, no line breaks). */
export function withDisplayName(from: string, name: string | undefined): string {
  if (!name) return from;
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  return `"${name.replace(/["\\\r\n]/g, "")}" <${address}>`;
}

/** How service-auth sends e-mail: one small interface, the Resend SDK in production. */
export interface EmailSender {
  readonly kind: "resend" | "dev-outbox" | "unconfigured";
  send(message: EmailMessage): Promise<void>;
}

/** Sends through Resend's official SDK; `baseUrl` points it at a local peer in tests. */
export class ResendEmailSender implements EmailSender {
  readonly kind = "resend";
  /** The SDK loads, and the client is made, at the first e-mail sent, not at boot. */
  private client: Promise<Resend> | null = null;

  constructor(
    private readonly apiKey: string,
    private readonly from: string,
    private readonly baseUrl?: string,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    this.client ??= import("resend").then(
      ({ Resend }) => new Resend(this.apiKey, this.baseUrl ? { baseUrl: this.baseUrl } : undefined),
    );
    const { error } = await (await this.client).emails.send({
      from: withDisplayName(this.from, message.fromName),
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    // Resend answers errors as values; surface them (the caller logs, never the client).
    if (error) {
      const failure = new Error(`resend: ${error.name ?? "error"}: ${error.message ?? ""}`);
      if (isResendOutage(error)) throw new ProviderUnavailableError("resend", failure);
      throw failure;
    }
  }
}

/** One recorded message of the development outbox (api.md: `to`, `subject`, `text`, `link`/`code`). */
export interface OutboxRecord {
  id: string;
  channel: "email" | "sms";
  to: string;
  subject: string | null;
  text: string;
  link?: string;
  token?: string;
  code?: string;
  createdAt: string;
}

/**
 * Development mode (no provider keys): messages are kept in memory, newest first, for
 * `GET /dev/outbox`, and printed to the console. Bounded so it cannot grow without limit.
 */
export class DevOutbox {
  private readonly records: OutboxRecord[] = [];
  constructor(
    private readonly now: () => Date,
    /** Ids of the records (deps.random; a slice of it, since ports.ts imports this module). */
    private readonly random: { uuid(): string },
    private readonly print: (line: string) => void = (l) => console.log(l),
    private readonly max = 200,
  ) {}

  record(entry: Omit<OutboxRecord, "id" | "createdAt">): void {
    const rec = { ...entry, id: this.random.uuid(), createdAt: this.now().toISOString() };
    this.records.unshift(rec);
    this.records.length = Math.min(this.records.length, this.max);
    this.print(`[dev outbox] ${entry.channel} to ${entry.to}: ${entry.link ?? entry.code ?? entry.subject ?? ""}`);
  }

  list(): OutboxRecord[] {
    return [...this.records];
  }
}

/** The EmailSender of development mode: records into the dev outbox. */
export class DevOutboxEmailSender implements EmailSender {
  readonly kind = "dev-outbox";
  constructor(private readonly outbox: DevOutbox) {}

  async send(message: EmailMessage): Promise<void> {
    this.outbox.record({
      channel: "email",
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...message.meta,
    });
  }
}

/** Production without RESEND_API_KEY: e-mail login is unavailable (fails closed, never "sent"). */
export class UnconfiguredEmailSender implements EmailSender {
  readonly kind = "unconfigured";
  async send(): Promise<void> {
    throw new Error("no e-mail provider configured (RESEND_API_KEY)");
  }
}

// What service-auth tells people, in one place: the subject, plain text and HTML of every e-mail,
// and the text of every SMS. Services decide when and to whom; the adapters in providers/ send.
import type { EmailMessage } from "../../providers/email.ts";
import { escapeHtml, htmlParagraph } from "./html.ts";

/** An e-mail without its recipient. */
export type MailContent = Omit<EmailMessage, "to">;

const LINK_ONCE = "The link works once and expires in 15 minutes.";

/** A tenant's white-label brand as e-mails use it (tenant.service.ts TenantBrand). */
export interface MailBrand {
  name?: string;
  primaryColor?: string;
  supportEmail?: string;
}

/** E-mail login: the magic link (single use, 15 minutes), in the tenant's brand when it has one. */
export function magicLinkMail(input: {
  tenantName: string;
  link: string;
  token: string;
  brand?: MailBrand;
}): MailContent {
  const { link, brand } = input;
  const name = brand?.name ?? input.tenantName;
  const support = brand?.supportEmail ? ` Questions: ${brand.supportEmail}.` : "";
  const tail = `${LINK_ONCE} If you did not ask for it, ignore this e-mail.${support}`;
  // primaryColor is validated #rrggbb (tenant.service.ts), safe inside a style attribute.
  const style = brand?.primaryColor
    ? ` style="background:${brand.primaryColor};color:#fff;padding:8px 16px;border-radius:6px;text-decoration:none"`
    : "";
  return {
    subject: `Your ${name} sign-in link`,
    text: `Sign in to ${name}: ${link}\n\n${tail}`,
    html: `<p>Sign in to <b>${escapeHtml(name)}</b>:</p><p><a href="${escapeHtml(link)}"${style}>Sign in</a></p><p>${escapeHtml(tail)}</p>`,
    meta: { link, token: input.token },
    ...(brand?.name ? { fromName: brand.name } : {}),
  };
}

/** Explicit linking of an e-mail address: the confirmation link, to that address. */
export function emailLinkConfirmationMail(input: { tenantName: string; link: string; token: string }): MailContent {
  const { tenantName: name, link } = input;
  return {
    subject: `Confirm your e-mail for ${name}`,
    text: `Confirm adding this address to your ${name} account: ${link}\n\n${LINK_ONCE}`,
    html: `<p>Confirm adding this address to your account:</p><p><a href="${escapeHtml(link)}">Confirm</a></p><p>${LINK_ONCE}</p>`,
    meta: { link, token: input.token },
  };
}

/** A sign-in from a device the user never used. */
export function newDeviceMail(input: { tenantName: string; device: string; where: string; at: Date }): MailContent {
  const text = `A new sign-in to your ${input.tenantName} account: ${input.device}, near ${input.where}, at ${input.at.toISOString()}.\n\nIf this was not you, sign out all sessions and secure your account.`;
  return { subject: `New sign-in to ${input.tenantName}`, text, html: htmlParagraph(text), meta: {} };
}

/** A changed sign-in factor (ASVS 2.5.5): what changed, when, from where and which device. */
export function securityNoticeMail(input: {
  tenantName: string;
  notice: string;
  at: Date;
  from: string;
  device: string | null;
}): MailContent {
  const device = input.device ? `\nDevice: ${input.device.slice(0, 120)}` : "";
  const text = `${input.notice}\n\nWhen: ${input.at.toISOString()}\nFrom: ${input.from}${device}\n\nIf this was not you, sign in, remove what you do not recognise and sign out all sessions.`;
  return {
    subject: `Security settings of your ${input.tenantName} account changed`,
    text,
    html: htmlParagraph(text),
    meta: {},
  };
}

export type DunningNoticeKind = "payment_failed" | "action_required" | "final_notice";

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** A dunning e-mail about an unpaid invoice, with the link to it (Pay now). */
export function dunningMail(input: {
  kind: DunningNoticeKind;
  amountMinor: number;
  currency: string;
  failureCode: string | null;
  graceEndsAt: Date | null;
  link: string;
}): MailContent {
  const { link } = input;
  const amount = money(input.amountMinor, input.currency);
  const until = input.graceEndsAt ? input.graceEndsAt.toISOString().slice(0, 10) : null;
  const { subject, text } = (() => {
    switch (input.kind) {
      case "payment_failed":
        return {
          subject: "Your payment failed",
          text: `We could not charge ${amount} for your invoice (${input.failureCode ?? "declined"}). We will try again; you can also pay now or update your card:\n${link}`,
        };
      case "action_required":
        return {
          subject: "Your bank asks you to confirm a payment",
          text: `Your bank needs you to confirm the payment of ${amount} for your invoice. Open the invoice and choose Pay now:\n${link}`,
        };
      case "final_notice":
        return {
          subject: "Final notice: your invoice is still unpaid",
          text: `Your invoice of ${amount} is still unpaid.${until ? ` Unless it is paid by ${until},` : ""} your plan will be reduced to the free plan's limits. Pay now:\n${link}`,
        };
    }
  })();
  return { subject, text, html: htmlParagraph(text), meta: { link } };
}

/** The SMS carrying a sign-in code, or a code that confirms adding the number to an account. */
export function smsCodeText(input: { purpose: "login" | "link"; code: string; tenantName: string }): string {
  return input.purpose === "login"
    ? `${input.code} is your ${input.tenantName} sign-in code. It expires in 10 minutes.`
    : `${input.code} confirms adding this number to your ${input.tenantName} account. It expires in 10 minutes.`;
}

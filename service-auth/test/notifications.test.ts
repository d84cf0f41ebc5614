// The texts service-auth sends (services/notifications/): exact, because users and the e-mail
// tests of each feature rely on them, and escaped, because tenant names, user agents and links
// are not ours.
import { describe, expect, it } from "vitest";
import { escapeHtml, htmlParagraph } from "../src/services/notifications/html.ts";
import {
  accountDeletedMail,
  dunningMail,
  emailLinkConfirmationMail,
  magicLinkMail,
  newDeviceMail,
  securityNoticeMail,
  smsCodeText,
} from "../src/services/notifications/templates.ts";

const AT = new Date("2026-01-15T12:00:00.000Z");
const LINK = "https://app.example/auth/callback?token=abc_DEF-123";

describe("escapeHtml", () => {
  it("escapes what would end a text node or a double-quoted attribute", () => {
    expect(escapeHtml(`Tom & "Jerry" <script>`)).toBe("Tom &amp; &quot;Jerry&quot; &lt;script&gt;");
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
  });

  it("keeps line breaks of a plain-text paragraph, after escaping", () => {
    expect(htmlParagraph("a <b>\n\nc")).toBe("<p>a &lt;b&gt;<br><br>c</p>");
  });
});

describe("e-mails", () => {
  it("magic link", () => {
    expect(magicLinkMail({ tenantName: "Atlas", link: LINK, token: "abc_DEF-123" })).toEqual({
      subject: "Your Atlas sign-in link",
      text: `Sign in to Atlas: ${LINK}\n\nThe link works once and expires in 15 minutes. If you did not ask for it, ignore this e-mail.`,
      html: `<p>Sign in to <b>Atlas</b>:</p><p><a href="${LINK}">Sign in</a></p><p>The link works once and expires in 15 minutes. If you did not ask for it, ignore this e-mail.</p>`,
      meta: { link: LINK, token: "abc_DEF-123" },
    });
  });

  it("attack: markup in a tenant name or a link does not reach the HTML as markup", () => {
    const mail = magicLinkMail({ tenantName: "<img src=x onerror=alert(1)>", link: `${LINK}"><script>`, token: "t" });
    expect(mail.html).not.toContain("<img");
    expect(mail.html).not.toContain("<script");
    expect(mail.html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const link = emailLinkConfirmationMail({ tenantName: "Atlas", link: `${LINK}"><script>`, token: "t" });
    expect(link.html).toContain('href="https://app.example/auth/callback?token=abc_DEF-123&quot;&gt;&lt;script&gt;"');
  });

  it("e-mail link confirmation", () => {
    expect(emailLinkConfirmationMail({ tenantName: "Atlas", link: LINK, token: "abc_DEF-123" })).toEqual({
      subject: "Confirm your e-mail for Atlas",
      text: `Confirm adding this address to your Atlas account: ${LINK}\n\nThe link works once and expires in 15 minutes.`,
      html: `<p>Confirm adding this address to your account:</p><p><a href="${LINK}">Confirm</a></p><p>The link works once and expires in 15 minutes.</p>`,
      meta: { link: LINK, token: "abc_DEF-123" },
    });
  });

  it("new device", () => {
    const mail = newDeviceMail({ tenantName: "Atlas", device: "Firefox <Linux>", where: "GB, London", at: AT });
    const text =
      "A new sign-in to your Atlas account: Firefox <Linux>, near GB, London, at 2026-01-15T12:00:00.000Z.\n\nIf this was not you, sign out all sessions and secure your account.";
    expect(mail).toEqual({
      subject: "New sign-in to Atlas",
      text,
      html: "<p>A new sign-in to your Atlas account: Firefox &lt;Linux&gt;, near GB, London, at 2026-01-15T12:00:00.000Z.<br><br>If this was not you, sign out all sessions and secure your account.</p>",
      meta: {},
    });
  });

  it("account deleted: when, what went, what to do if it was not you; the tenant name escaped", () => {
    const mail = accountDeletedMail({ tenantName: "Tom & Co", at: AT });
    expect(mail.subject).toBe("Your Tom & Co account was deleted");
    expect(mail.text).toMatch(/^Your Tom & Co account was deleted at 2026-01-15T12:00:00.000Z, /);
    expect(mail.text).toContain("If you did not ask for this");
    expect(mail.html).toContain("Your Tom &amp; Co account was deleted");
    expect(mail.meta).toEqual({});
  });

  it("security notice, with and without a device", () => {
    const base = { tenantName: "Atlas", notice: "A passkey was added to your account.", at: AT, from: "203.0.113.9" };
    expect(securityNoticeMail({ ...base, device: "x".repeat(130) }).text).toBe(
      `A passkey was added to your account.\n\nWhen: 2026-01-15T12:00:00.000Z\nFrom: 203.0.113.9\nDevice: ${"x".repeat(120)}\n\nIf this was not you, sign in, remove what you do not recognise and sign out all sessions.`,
    );
    const mail = securityNoticeMail({ ...base, device: null });
    expect(mail.subject).toBe("Security settings of your Atlas account changed");
    expect(mail.html).toBe(
      "<p>A passkey was added to your account.<br><br>When: 2026-01-15T12:00:00.000Z<br>From: 203.0.113.9<br><br>If this was not you, sign in, remove what you do not recognise and sign out all sessions.</p>",
    );
  });

  it("dunning notices", () => {
    const link = "https://app.example/billing?invoice=inv_1";
    const row = { amountMinor: 1999, currency: "usd", failureCode: null, graceEndsAt: AT, link };
    expect(dunningMail({ ...row, kind: "payment_failed" })).toEqual({
      subject: "Your payment failed",
      text: `We could not charge 19.99 USD for your invoice (declined). We will try again; you can also pay now or update your card:\n${link}`,
      html: `<p>We could not charge 19.99 USD for your invoice (declined). We will try again; you can also pay now or update your card:<br>${link}</p>`,
      meta: { link },
    });
    expect(dunningMail({ ...row, kind: "action_required" }).text).toBe(
      `Your bank needs you to confirm the payment of 19.99 USD for your invoice. Open the invoice and choose Pay now:\n${link}`,
    );
    expect(dunningMail({ ...row, kind: "final_notice" }).text).toBe(
      `Your invoice of 19.99 USD is still unpaid. Unless it is paid by 2026-01-15, your plan will be reduced to the free plan's limits. Pay now:\n${link}`,
    );
    expect(dunningMail({ ...row, kind: "final_notice", graceEndsAt: null }).subject).toBe(
      "Final notice: your invoice is still unpaid",
    );
  });
});

describe("SMS", () => {
  it("sign-in and linking codes", () => {
    expect(smsCodeText({ purpose: "login", code: "012345", tenantName: "Atlas" })).toBe(
      "012345 is your Atlas sign-in code. It expires in 10 minutes.",
    );
    expect(smsCodeText({ purpose: "link", code: "012345", tenantName: "Atlas" })).toBe(
      "012345 confirms adding this number to your Atlas account. It expires in 10 minutes.",
    );
  });
});

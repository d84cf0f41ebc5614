// The HTML of service-auth's e-mails is built from plain text and values it does not control
// (tenant names, user agents, links): everything interpolated goes through escapeHtml.

/**
 * Escapes text for an HTML text node or a double-quoted attribute value.
 *
 * @example
 * `<a href="${escapeHtml(link)}">${escapeHtml(name)}</a>`
 */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A plain-text message as one HTML paragraph, its line breaks kept. */
export function htmlParagraph(text: string): string {
  return `<p>${escapeHtml(text).replaceAll("\n", "<br>")}</p>`;
}

/** What each OpenID scope lets the app see, in the words the consent page uses. */
export const SCOPE_TEXT: Record<string, string> = {
  openid: "Know who you are (your account ID)",
  profile: "See your name",
  email: "See your e-mail address",
  phone: "See your phone number",
  offline_access: "Stay signed in when you're not using it",
};

/** The consent list: one line per known scope (openid first), unknown scopes by name. */
export function scopeLines(scopes: string[]): { scope: string; text: string }[] {
  const unique = [...new Set(scopes)];
  unique.sort((a, b) => (a === "openid" ? -1 : b === "openid" ? 1 : 0));
  return unique.map((scope) => ({ scope, text: SCOPE_TEXT[scope] ?? `Use the "${scope}" permission` }));
}

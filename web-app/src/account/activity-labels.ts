// What each audit event type reads as in the Activity page. Every type service-auth records has a
// label here (test/activity-labels.test.ts checks it against service-auth's AUDIT_EVENT_TYPES), so
// no raw "device token issued" ever shows.

export const EVENT_TEXT: Readonly<Record<string, string>> = {
  login_success: "Signed in",
  login_failure: "Failed sign-in attempt",
  refresh_token_reuse: "A stolen session token was detected and the session ended",
  token_refreshed: "Session renewed",
  token_revoked: "Token revoked",
  logout: "Signed out",
  logout_all: "Signed out everywhere",
  session_revoked: "Session revoked",
  pat_created: "Access token created",
  pat_revoked: "Access token revoked",
  device_code_requested: "Sign-in started on another device (such as the CLI)",
  device_code_failed: "Wrong or expired device sign-in code",
  device_approved: "Sign-in on another device approved",
  device_denied: "Sign-in on another device refused",
  device_token_issued: "Another device (such as the CLI) signed in",
  rate_limited: "Too many attempts — slowed down",
  signing_key_rotated: "Signing keys replaced",
  role_granted: "Role granted",
  magic_link_requested: "Sign-in link requested",
  sms_code_requested: "Sign-in code texted",
  oauth_started: "Sign-in with another account started",
  account_backoff: "Sign-ins paused after repeated failures",
  risk_challenge: "Unusual sign-in — extra proof asked",
  risk_denied: "Unusual sign-in blocked",
  new_device: "Sign-in from a new device",
  mfa_challenge: "Asked for a second factor",
  mfa_success: "Second factor verified",
  mfa_failure: "Wrong second factor",
  totp_enabled: "Two-step verification turned on",
  totp_disabled: "Two-step verification turned off",
  backup_codes_regenerated: "New backup codes made",
  backup_code_used: "Backup code used",
  trusted_device_added: "Device trusted",
  trusted_device_revoked: "Device no longer trusted",
  identity_unlinked: "Sign-in method removed",
  identity_linked: "Sign-in method added",
  passkey_added: "Passkey added",
  passkey_removed: "Passkey removed",
  connect_account_created: "Payout account created",
  billing_action: "Billing change",
  billing_refund_issued: "Refund issued",
  connect_application_fee_set: "Platform fee set",
  tenant_created: "Tenant created",
  tenant_updated: "Tenant settings changed",
  webhook_secret_rotated: "Webhook secret replaced",
  data_exported: "Your data was exported",
  account_deleted: "Account deleted",
  outbox_event_retried: "Billing event retried by an operator",
  outbox_event_discarded: "Billing event set aside by an operator",
  oidc_consent_granted: "You let an app use your account",
  oidc_consent_revoked: "You took an app's access away",
  oidc_client_created: "An app was registered to sign in with this workspace",
  oidc_client_updated: "A registered app's settings were changed",
  oidc_client_secret_rotated: "A registered app got a new secret",
  oidc_client_deleted: "A registered app was deleted",
  oidc_token_issued: "An app signed you in",
};

/** The label of an event type; one this build does not know yet reads as a generic event. */
export const eventLabel = (eventType: string): string => EVENT_TEXT[eventType] ?? "Account event";

/** The event in words; an app's events name the app (and say whether it signed in or renewed). */
export function eventText(e: { eventType: string; details: Record<string, unknown> }): string {
  const base = eventLabel(e.eventType);
  if (!e.eventType.startsWith("oidc_")) return base;
  const app = typeof e.details.clientName === "string" ? e.details.clientName : e.details.clientId;
  const renewed = e.eventType === "oidc_token_issued" && e.details.grantType === "refresh_token";
  const text = renewed ? "An app renewed its access to your account" : base;
  return typeof app === "string" && app !== "" ? `${text} (${app})` : text;
}

/** Why a sign-in looked risky, in words (the reasons service-auth's risk score adds up). */
export const RISK_REASON: Record<string, string> = {
  new_device: "first sign-in from this browser or device",
  new_country: "first sign-in from this country",
  impossible_travel: "too far from your last sign-in to have travelled there in time",
  ip_failure_velocity: "many failed attempts from this network in the last minutes",
  account_under_attack: "your account saw many failed attempts recently",
};

/** Examples of the MFA, audit and privacy routes (see tokens.ts). */
import { PASSKEY } from "./login.ts";
import { AT, SESSION_ID, SESSIONS, TENANT_ID, TOKEN_RESPONSE, USER_ID } from "./tokens.ts";

export const TOTP_SETUP = {
  secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
  otpauthUrl: "otpauth://totp/Atlas:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Atlas",
  qrCodeDataUrl: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAKQAAACkCAYAAAAZtYVBAAAAAklEQVR4AewaftIAAAY",
};
export const TOTP_CODE = { code: "482913" };
export const BACKUP_CODES = {
  backupCodes: [
    "7KQM-2ZXT",
    "9VNB-4C8D",
    "R3SW-6YH0",
    "PLAE-5UXC",
    "K2MQ-7VZ1",
    "BN6C-R3SY",
    "8DF0-GJ5A",
    "LEUH-P4TW",
    "9XK2-MQ7V",
    "Z1BN-6CR3",
  ],
};
const MFA_TOKEN = "mfa_Zp8Wq3Tn6Vb1Kc9Xm4Rd7Ls2";
export const MFA_VERIFY = { mfaToken: MFA_TOKEN, code: "482913", trustDevice: true };
export const MFA_VERIFIED = { ...TOKEN_RESPONSE, backupCodesRemaining: 9 };
export const MFA_TOKEN_BODY = { mfaToken: MFA_TOKEN };
export const TRUSTED_DEVICES = {
  items: [
    {
      id: "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
      label: "ada@example.com",
      createdAt: AT,
      lastUsedAt: "2026-12-07T10:02:11.000Z",
      expiresAt: "2027-01-06T09:30:00.000Z",
      current: true,
    },
  ],
};

const AUDIT_EVENT = {
  id: "f0e1d2c3-b4a5-4968-8776-655443322110",
  eventType: "login_success",
  tenantId: TENANT_ID,
  userId: USER_ID,
  ipAddress: "203.0.113.24",
  geoLocation: "Lisbon, PT",
  deviceHash: "3c1f9a7e5b2d4c6a",
  riskScore: 0.1,
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
  createdAt: AT,
  details: { method: "email", amr: ["email", "totp"] },
};
export const AUDIT_PAGE = {
  items: [
    AUDIT_EVENT,
    {
      ...AUDIT_EVENT,
      id: "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
      eventType: "pat_created",
      createdAt: "2026-12-07T09:12:40.000Z",
      details: { patId: "6a1d8e2f-4b3c-4d5e-9f0a-1b2c3d4e5f60", scopes: ["objects:read", "objects:write"] },
    },
  ],
  nextCursor: "eyJjIjoiMjAyNi0xMi0wN1QwOToxMjo0MC4wMDBaIiwiaSI6ImE5YjhjN2Q2In0",
};

const session = SESSIONS.items[0] as Record<string, unknown>;
export const ACCOUNT_EXPORT = {
  exportedAt: "2026-12-07T11:00:00.000Z",
  user: {
    id: USER_ID,
    email: "ada@example.com",
    emailVerifiedAt: AT,
    phone: null,
    phoneVerifiedAt: null,
    displayName: "Ada Lovelace",
    roles: ["user"],
    createdAt: AT,
    updatedAt: AT,
  },
  tenant: { id: TENANT_ID, slug: "default", name: "Atlas" },
  identities: [
    {
      id: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
      provider: "email",
      subject: "ada@example.com",
      chainFamily: null,
      metadata: {},
      createdAt: AT,
      lastUsedAt: AT,
    },
  ],
  sessions: [{ ...session, id: SESSION_ID, mfaVerifiedAt: AT, revokedAt: null, revokedReason: null }],
  passkeys: [{ ...PASSKEY, aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd" }],
  personalAccessTokens: [],
  mfa: { totpEnabled: true, totpEnabledAt: AT, backupCodes: { total: 10, unused: 9, createdAt: AT } },
  trustedDevices: [],
  pendingSignIns: { magicLinks: [], smsCodes: [] },
  auditEvents: [AUDIT_EVENT],
  billing: { profile: null, paymentMethods: [], subscriptions: [], charges: [], cryptoPayments: [] },
};

/** The descriptions of the MFA routes (kept here so that mfa.ts stays short). */
export const MFA_DOCS = {
  totpSetup:
    "Answers a new secret as base32 (for typing in), an otpauth:// URL (for opening the authenticator app on the same device) and its QR code. Nothing changes until POST /auth/mfa/totp/enable confirms a code from the app.",
  totpEnable:
    "Confirms the pending secret with a current 6-digit code. From then on, sign-ins on untrusted devices ask for a code. The 10 single-use backup codes are in this answer only: show them to the user to keep. Audited.",
  totpDisable:
    "Needs a second-factor verification on this session within the step-up window and a current code. Removes the secret, the backup codes and every trusted device. Audited.",
  backupCodes:
    "The old codes stop working at once. The new ones are in this answer only. Needs a second-factor verification on this session within the step-up window. Audited.",
  trustedDevices:
    "At most 5 attempts per mfaToken. A login answers tokens (`amr` with both factors) and, with `trustDevice`, sets the HttpOnly `atlas_device` cookie that skips this step on this device. A step-up answers a fresh access token for the same session. Enrolment required by the tenant answers `backupCodes` too.",
  untrustDevice:
    "Devices on which the caller chose to be trusted after a second factor (trustDevice at POST /auth/mfa/verify): sign-ins there skip the second factor until the trust expires. current marks this browser.",
};

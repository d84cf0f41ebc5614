// The request and answer schemas of the MFA routes (mfa.ts), with their examples.
import { z } from "@hono/zod-openapi";
import * as EX from "../examples/security.ts";
import { AuthenticationResponse } from "../shared/webauthn.ts";

const Code = z.string().regex(/^\d{6}$/, "6 digits");
export const TotpSetup = z
  .object({
    secret: z.string().openapi({ description: "Base32 secret, for manual entry" }),
    otpauthUrl: z.string(),
    qrCodeDataUrl: z.string().openapi({ description: "PNG data URL of the otpauth URL's QR code" }),
  })
  .openapi("TotpSetup");
export const BackupCodes = z.object({ backupCodes: z.array(z.string()) }).openapi("BackupCodes");
export const VerifyBody = z
  .strictObject({
    mfaToken: z.string().min(20).max(128),
    code: Code.optional(),
    backupCode: z.string().min(8).max(20).optional(),
    webauthn: AuthenticationResponse.optional().openapi({
      description: "A passkey assertion for the options of POST /auth/mfa/webauthn/options",
    }),
    trustDevice: z.boolean().optional(),
  })
  .refine((b) => [b.code, b.backupCode, b.webauthn].filter((x) => x !== undefined).length === 1, {
    message: "send exactly one of code, backupCode, webauthn",
  });
/** The bodies of the routes that take only the login's mfaToken, or only a TOTP code. */
export const mfaTokenBody = {
  content: {
    "application/json": {
      schema: z.strictObject({ mfaToken: z.string().min(20).max(128) }),
      example: EX.MFA_TOKEN_BODY,
    },
  },
  required: true,
};
export const codeBody = {
  content: { "application/json": { schema: z.strictObject({ code: Code }), example: EX.TOTP_CODE } },
  required: true,
};

export const TrustedDevice = z
  .object({
    id: z.string(),
    label: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string(),
    current: z.boolean(),
  })
  .openapi("TrustedDevice");

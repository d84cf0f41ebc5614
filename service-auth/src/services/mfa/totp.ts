import { HOTP, Secret, TOTP } from "otpauth";

/** What authenticator apps expect: SHA-1, 6 digits, 30-second steps. */
export const TOTP_DEFAULTS = { algorithm: "SHA1", digits: 6, period: 30 } as const;

export interface OtpParams {
  algorithm?: "SHA1" | "SHA256" | "SHA512";
  digits?: number;
  period?: number;
}

const secretOf = (key: Uint8Array) => new Secret({ buffer: Uint8Array.from(key).buffer });

/** A new random TOTP secret: 160 bits (RFC 4226 recommends at least 128), base32 for the app. */
export function newTotpSecret(): { bytes: Uint8Array; base32: string } {
  const secret = new Secret({ size: 20 });
  return { bytes: new Uint8Array(secret.buffer), base32: secret.base32 };
}

export function totpBytesFromBase32(base32: string): Uint8Array {
  return new Uint8Array(Secret.fromBase32(base32).buffer);
}

/** The `otpauth://totp/...` URI an authenticator app scans. */
export function otpauthUrl(input: { secret: Uint8Array; issuer: string; label: string }): string {
  return new TOTP({
    issuer: input.issuer,
    label: input.label,
    secret: secretOf(input.secret),
    ...TOTP_DEFAULTS,
  }).toString();
}

/** RFC 4226 HOTP value of `counter`. */
export function hotpCode(key: Uint8Array, counter: number, params: OtpParams = {}): string {
  return HOTP.generate({
    secret: secretOf(key),
    counter,
    algorithm: params.algorithm ?? TOTP_DEFAULTS.algorithm,
    digits: params.digits ?? TOTP_DEFAULTS.digits,
  });
}

/** RFC 6238 TOTP value at `timestampMs`. */
export function totpCode(key: Uint8Array, timestampMs: number, params: OtpParams = {}): string {
  return TOTP.generate({
    secret: secretOf(key),
    timestamp: timestampMs,
    algorithm: params.algorithm ?? TOTP_DEFAULTS.algorithm,
    digits: params.digits ?? TOTP_DEFAULTS.digits,
    period: params.period ?? TOTP_DEFAULTS.period,
  });
}

/**
 * The time step a code belongs to, searching the current step ±1 (clock drift), or null. The
 * caller records the step so the same code is never accepted twice.
 */
export function matchTotpStep(
  key: Uint8Array,
  code: string,
  timestampMs: number,
  params: OtpParams = {},
): number | null {
  const period = params.period ?? TOTP_DEFAULTS.period;
  const digits = params.digits ?? TOTP_DEFAULTS.digits;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: secretOf(key),
    algorithm: params.algorithm ?? TOTP_DEFAULTS.algorithm,
    digits,
    period,
    timestamp: timestampMs,
    window: 1,
  });
  return delta === null ? null : Math.floor(timestampMs / 1000 / period) + delta;
}

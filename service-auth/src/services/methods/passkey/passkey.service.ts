import { createHash } from "node:crypto";
import { AppError } from "@atlas/errors";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { parseAuthenticatorData } from "@simplewebauthn/server/helpers";
import { Prisma, type User, type WebAuthnCredential } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { consumeChallenge, issueChallenge } from "../../challenges/challenge-store.ts";
import { completeLogin } from "../../login/complete-login.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { countLogin } from "../../platform/business-metrics.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";
import type { TokenResponse } from "../../tokens/session.service.ts";
import { normaliseEmail } from "../email/magic-link.service.ts";
import {
  type Ceremony,
  challengeRefusal,
  decodeClientData,
  PASSKEY_CHALLENGE_TTL_MS,
  userHandle,
} from "./passkey-challenge.ts";
import { decoyAllowCredentials } from "./passkey-decoy.ts";
import { type PasskeySummary, toPasskeySummary } from "./passkey-management.service.ts";

/** @simplewebauthn/server loads at the first passkey ceremony, not at boot. */
const webauthn = () => import("@simplewebauthn/server");

const TRANSPORTS = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);

/**
 * Registration, step 1 (a logged-in user): creation options for a discoverable credential with
 * user verification, excluding the user's existing passkeys. The challenge is bound to the user,
 * the tenant, the RP ID and the origin.
 */
export async function passkeyRegistrationOptions(
  deps: Deps,
  input: { tenant: ResolvedTenant; userId: string; ceremony: Ceremony; friendlyName?: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await deps.prisma.user.findUniqueOrThrow({
    where: { id: input.userId },
    include: { webAuthnCredentials: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  const userName = user.email ?? user.phone ?? user.displayName ?? user.id;
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: input.tenant.name,
    rpID: input.ceremony.rpID,
    userName,
    userID: userHandle(user.id),
    userDisplayName: user.displayName ?? userName,
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    attestationType: "none",
    excludeCredentials: user.webAuthnCredentials.map((c) => ({ id: c.credentialIdBase64, transports: c.transports })),
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
  });
  await issueChallenge(deps, "webauthn_register", {
    tenantId: input.tenant.id,
    userId: user.id,
    secret: options.challenge,
    data: { ...input.ceremony, friendlyName: input.friendlyName ?? null },
  });
  return options;
}

/**
 * Registration, step 2: consumes the challenge named in the response, verifies the attestation
 * (origin, RP ID, user presence and verification, algorithm) and stores the credential with its
 * backup eligibility and state. A credential id already registered is 409 CONFLICT.
 */
export async function verifyPasskeyRegistration(
  deps: Deps,
  input: {
    tenant: ResolvedTenant;
    userId: string;
    response: RegistrationResponseJSON;
    friendlyName?: string;
    context: RequestContext;
  },
): Promise<PasskeySummary> {
  const now = deps.now();
  const refuse = (reason: string, cause?: unknown) => {
    deps.logger.warn({ reason, userId: input.userId, err: errorText(cause) }, "passkey registration refused");
    return new AppError("INVALID_CREDENTIALS", { detail: "The passkey could not be registered" });
  };
  // 1. The client data names one of our pending registration challenges for this user.
  const clientData = decodeClientData(input.response.response.clientDataJSON);
  if (clientData?.type !== "webauthn.create") throw refuse("malformed_response");
  const pending = await consumeChallenge(deps, "webauthn_register", clientData.challenge, {
    tenantId: input.tenant.id,
    userId: input.userId,
  });
  if (!pending.ok) throw refuse(challengeRefusal(pending.reason));
  const ceremony = pending.challenge.data;
  // 2. The browser ran the ceremony on the origin the challenge was issued for (still allowed).
  if (clientData.origin !== ceremony.origin || !input.tenant.allowedOrigins.includes(clientData.origin)) {
    throw refuse("origin_mismatch");
  }
  // 3. The attestation itself.
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await (await webauthn()).verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: input.tenant.allowedOrigins,
      expectedRPID: ceremony.rpID,
      requireUserPresence: true,
      requireUserVerification: true,
    });
  } catch (error) {
    throw refuse("attestation_rejected", error);
  }
  if (!verified.verified) throw refuse("attestation_rejected");
  const info = verified.registrationInfo;
  // 4. Store it once: a credential id is globally unique.
  const credentialId = info.credential.id;
  const conflict = () => new AppError("CONFLICT", { detail: "This passkey is already registered" });
  if (await deps.prisma.webAuthnCredential.findUnique({ where: { credentialIdBase64: credentialId } }))
    throw conflict();
  try {
    return await deps.prisma.$transaction(async (tx) => {
      const stored = await tx.webAuthnCredential.create({
        data: {
          userId: input.userId,
          credentialIdBase64: credentialId,
          publicKey: Buffer.from(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          transports: (info.credential.transports ?? []).filter((t) => TRANSPORTS.has(t)),
          aaguid: info.aaguid,
          friendlyName: input.friendlyName ?? ceremony.friendlyName ?? null,
          createdAt: now,
        },
      });
      await recordAudit(
        tx,
        {
          eventType: "passkey_added",
          tenantId: input.tenant.id,
          userId: input.userId,
          context: input.context,
          details: {
            passkeyId: stored.id,
            deviceType: stored.deviceType,
            backedUp: stored.backedUp,
            aaguid: info.aaguid,
          },
        },
        now,
      );
      return toPasskeySummary(stored);
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw conflict();
    throw error;
  }
}

/**
 * Login, step 1: request options. Without an address: an empty allowCredentials (discoverable
 * credentials, conditional UI). With one: that user's passkeys — and for an address without any
 * (unknown, or no passkeys), decoys shaped like a real account's answer and derived from the
 * address under a server key (see passkey-decoy.ts), so the answer is stable and says nothing
 * about whether the account exists.
 */
export async function passkeyLoginOptions(
  deps: Deps,
  input: { tenant: ResolvedTenant; ceremony: Ceremony; email?: string; userId?: string },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  let allowCredentials: { id: string; transports?: string[] }[] = [];
  let userId: string | null = null;
  if (input.userId !== undefined) {
    // The MFA step: the passkeys of the user who proved a first factor.
    userId = input.userId;
    const credentials = await deps.prisma.webAuthnCredential.findMany({ where: { userId } });
    allowCredentials = credentials.map((c) => ({ id: c.credentialIdBase64, transports: c.transports }));
  } else if (input.email !== undefined) {
    const email = normaliseEmail(input.email);
    const credentials = await passkeysOfAddress(deps, input.tenant.id, email);
    userId = credentials[0]?.userId ?? null;
    allowCredentials = credentials.length
      ? credentials.map((c) => ({ id: c.credentialIdBase64, transports: c.transports }))
      : await decoyAllowCredentials(deps, { tenantId: input.tenant.id, identifier: email });
  }
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: input.ceremony.rpID,
    allowCredentials,
    userVerification: "required",
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
  await issueChallenge(deps, "webauthn_login", {
    tenantId: input.tenant.id,
    userId,
    secret: options.challenge,
    data: input.ceremony,
  });
  return options;
}

/** The passkeys of the live user an e-mail address logs in (a linked identity first, as e-mail login does). */
async function passkeysOfAddress(deps: Deps, tenantId: string, email: string): Promise<WebAuthnCredential[]> {
  const identity = await deps.prisma.identity.findUnique({
    where: { tenantId_provider_subject: { tenantId, provider: "email", subject: email } },
    select: { userId: true },
  });
  const user = await deps.prisma.user.findFirst({
    where: { tenantId, deletedAt: null, ...(identity ? { id: identity.userId } : { email }) },
    include: { webAuthnCredentials: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return user?.webAuthnCredentials ?? [];
}

/** Login, step 2: a verified assertion opens a session with amr ["hwk"] (see completeLogin). */
export async function verifyPasskeyLogin(
  deps: Deps,
  input: { tenant: ResolvedTenant; response: AuthenticationResponseJSON; context: RequestContext },
): Promise<TokenResponse> {
  const owner = await verifyPasskeyAssertion(deps, input);
  return completeLogin(deps, {
    user: owner,
    tenant: input.tenant,
    method: "passkey",
    amr: ["hwk"],
    context: input.context,
  });
}

/**
 * A passkey assertion, as an ordered list of checks: the challenge, the origin, the credential,
 * the assertion (RP ID, presence and verification, signature), then the signature counter. Every
 * failure is 401 INVALID_CREDENTIALS to the client and a `login_failure` with its reason in the
 * audit log. Success records the use and answers the credential's owner. Used by passkey login
 * and by the MFA step (WebAuthn as second factor).
 */
export async function verifyPasskeyAssertion(
  deps: Deps,
  input: { tenant: ResolvedTenant; response: AuthenticationResponseJSON; context: RequestContext },
): Promise<User> {
  const now = deps.now();
  const refuse = async (reason: string, details: Record<string, unknown> = {}, userId?: string) => {
    countLogin(deps, "passkey", "failure");
    await recordAudit(
      deps.prisma,
      {
        eventType: "login_failure",
        tenantId: input.tenant.id,
        userId: userId ?? null,
        context: input.context,
        details: { method: "passkey", reason, ...details },
      },
      now,
    );
    return new AppError("INVALID_CREDENTIALS", { detail: "Passkey sign-in failed" });
  };
  const { response } = input;

  // 1. The client data names one of our pending login challenges (consumed now, whatever follows).
  const clientData = decodeClientData(response.response.clientDataJSON);
  if (clientData?.type !== "webauthn.get") throw await refuse("malformed_response");
  const pending = await consumeChallenge(deps, "webauthn_login", clientData.challenge, { tenantId: input.tenant.id });
  if (!pending.ok) throw await refuse(challengeRefusal(pending.reason));
  const { rpID, origin } = pending.challenge.data;

  // 2. The browser ran the ceremony on the origin the challenge was issued for (still allowed).
  if (clientData.origin !== origin || !input.tenant.allowedOrigins.includes(origin)) {
    throw await refuse("origin_mismatch", { origin: clientData.origin.slice(0, 256) });
  }

  // 3. The credential belongs to a live user of this tenant (the hinted one, if an address was given).
  const credential = await deps.prisma.webAuthnCredential.findUnique({
    where: { credentialIdBase64: response.id },
    include: { user: true },
  });
  if (!credential || credential.user.tenantId !== input.tenant.id || credential.user.deletedAt) {
    throw await refuse("unknown_credential");
  }
  const owner = credential.user;
  if (pending.challenge.userId && pending.challenge.userId !== owner.id) {
    throw await refuse("credential_not_allowed", { passkeyId: credential.id }, owner.id);
  }
  const handle = response.response.userHandle;
  if (handle && !Buffer.from(handle, "base64url").equals(userHandle(owner.id))) {
    throw await refuse("user_handle_mismatch", { passkeyId: credential.id }, owner.id);
  }

  // 4. The assertion. RP ID and flags are read first only to name the reason in the audit log;
  //    the library checks them again with the signature.
  const { parseAuthenticatorData: parseAuthData } = await import("@simplewebauthn/server/helpers");
  let authData: ReturnType<typeof parseAuthenticatorData>;
  try {
    authData = parseAuthData(Buffer.from(response.response.authenticatorData, "base64url"));
  } catch {
    throw await refuse("malformed_response", { passkeyId: credential.id }, owner.id);
  }
  if (!Buffer.from(authData.rpIdHash).equals(createHash("sha256").update(rpID).digest())) {
    throw await refuse("rp_id_mismatch", { passkeyId: credential.id }, owner.id);
  }
  if (!authData.flags.up || !authData.flags.uv) {
    throw await refuse("user_not_verified", { passkeyId: credential.id }, owner.id);
  }
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await (await webauthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      // The library compares counters before it checks the signature; step 5 does it after, so
      // only a correctly signed assertion can be reported as a cloned authenticator.
      credential: {
        id: credential.credentialIdBase64,
        publicKey: new Uint8Array(credential.publicKey),
        counter: 0,
        transports: credential.transports,
      },
      requireUserVerification: true,
    });
  } catch (error) {
    throw await refuse("assertion_rejected", { passkeyId: credential.id, error: errorText(error) }, owner.id);
  }
  if (!verified.verified) throw await refuse("bad_signature", { passkeyId: credential.id }, owner.id);
  const info = verified.authenticationInfo;

  // 5. The signature counter moves forward unless both sides are zero (authenticators without a
  //    counter); anything else means a cloned authenticator. Nothing is updated then.
  const stored = credential.counter;
  const next = BigInt(info.newCounter);
  if ((next > 0n || stored > 0n) && next <= stored) {
    throw await refuse(
      "counter_regression",
      { passkeyId: credential.id, storedCounter: stored.toString(), presentedCounter: next.toString() },
      owner.id,
    );
  }
  // Compare-and-set: of two assertions racing with the same counter, one wins.
  const recorded = await deps.prisma.webAuthnCredential.updateMany({
    where: { id: credential.id, counter: stored },
    data: { counter: next, backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType, lastUsedAt: now },
  });
  if (recorded.count !== 1) {
    throw await refuse("counter_regression", { passkeyId: credential.id, concurrent: true }, owner.id);
  }

  return owner;
}

const errorText = (error: unknown) =>
  error === undefined ? undefined : (error instanceof Error ? error.message : String(error)).slice(0, 300);

// The WebAuthn JSON shapes of the passkey and MFA routes (what @simplewebauthn/browser and
// PublicKeyCredential.toJSON() produce). Registers nothing: routes never import other routes.
import { z } from "@hono/zod-openapi";

const b64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "base64url");
// The keys the server reads are checked here; anything else inside is left to the library.
const CredentialFields = {
  id: b64url(1366),
  rawId: b64url(1366),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.looseObject({}),
};
export const RegistrationResponse = z
  .looseObject({
    ...CredentialFields,
    response: z.looseObject({
      clientDataJSON: b64url(8192),
      attestationObject: b64url(65_536),
      transports: z.array(z.string().max(32)).max(16).optional(),
    }),
  })
  .openapi("RegistrationResponseJSON");
export const AuthenticationResponse = z
  .looseObject({
    ...CredentialFields,
    response: z.looseObject({
      clientDataJSON: b64url(8192),
      authenticatorData: b64url(8192),
      signature: b64url(2048),
      userHandle: z
        .string()
        .max(128)
        .regex(/^[A-Za-z0-9_-]*$/, "base64url")
        .optional(),
    }),
  })
  .openapi("AuthenticationResponseJSON");

const CredentialDescriptor = z.object({
  id: z.string(),
  type: z.string().openapi({ example: "public-key" }),
  transports: z.array(z.string()).optional(),
});
export const CreationOptions = z
  .looseObject({
    challenge: z.string(),
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.object({ type: z.literal("public-key"), alg: z.number() })),
    timeout: z.number().optional(),
    excludeCredentials: z.array(CredentialDescriptor).optional(),
    authenticatorSelection: z.looseObject({}).optional(),
    attestation: z.string().optional(),
  })
  .openapi("PasskeyCreationOptions", {
    description: "PublicKeyCredentialCreationOptionsJSON: for navigator.credentials.create (or startRegistration)",
  });
export const RequestOptions = z
  .looseObject({
    challenge: z.string(),
    rpId: z.string().optional(),
    allowCredentials: z.array(CredentialDescriptor).optional(),
    timeout: z.number().optional(),
    userVerification: z.string().optional(),
  })
  .openapi("PasskeyRequestOptions", {
    description: "PublicKeyCredentialRequestOptionsJSON: for navigator.credentials.get (or startAuthentication)",
  });

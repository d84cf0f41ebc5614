import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MethodDoc } from "../../methods/manifest.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { byIp, loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed } from "../../services/login/login-policy.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  passkeyLoginOptions,
  passkeyRegistrationOptions,
  verifyPasskeyLogin,
  verifyPasskeyRegistration,
} from "../../services/methods/passkey/passkey.service.ts";
import { ceremonyFor } from "../../services/methods/passkey/passkey-challenge.ts";
import {
  deletePasskey,
  listPasskeys,
  renamePasskey,
} from "../../services/methods/passkey/passkey-management.service.ts";
import { assertRecentMfa } from "../../services/mfa/mfa.service.ts";
import * as EX from "../examples/login.ts";
import { TOKEN_RESPONSE } from "../examples/tokens.ts";
import { bearerSecurity, problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { AuthenticationResponse, CreationOptions, RegistrationResponse, RequestOptions } from "../shared/webauthn.ts";
import { deliverTokens } from "../token-delivery.ts";

const FriendlyName = z.string().trim().min(1).max(64);

const RegisterOptionsBody = z.strictObject({ friendlyName: FriendlyName.optional() });
const RegisterVerifyBody = z.strictObject({ response: RegistrationResponse, friendlyName: FriendlyName.optional() });
const LoginOptionsBody = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
});
const LoginVerifyBody = z.strictObject({ response: AuthenticationResponse });
const RenameBody = z.strictObject({ friendlyName: FriendlyName });

const PasskeySchema = z
  .object({
    id: z.string(),
    friendlyName: z.string().nullable(),
    deviceType: z.string().nullable().openapi({ description: "multiDevice (backup eligible) or singleDevice" }),
    backedUp: z.boolean(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    transports: z.array(z.string()),
  })
  .openapi("Passkey");
const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

const json = <T extends z.ZodType>(schema: T, example: object) => ({
  content: { "application/json": { schema, example } },
  required: true,
});

/**
 * Passkeys (WebAuthn): registration by a logged-in user, login, and managing one's passkeys;
 * `doc` is the method manifest's (src/methods/passkey.ts).
 */
export function registerPasskeyRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, doc: MethodDoc) {
  const auth = requireAuth(deps);
  const perIp = { limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp };
  app.use("/auth/passkey/login/*", rateLimit(deps, loginRules(deps)));
  app.use("/auth/passkey/register/*", rateLimit(deps, [{ name: "passkey:register:ip", ...perIp }]));
  app.use("/auth/passkey/register/*", auth);
  app.use(
    "/auth/passkey/register/*",
    rateLimit(deps, [
      {
        name: "passkey:register:user",
        limit: deps.config.RATE_LIMIT_PASSKEY_REGISTER_PER_HOUR,
        windowMs: 3_600_000,
        key: (c) => c.var.principal.userId,
      },
    ]),
  );
  // "/auth/passkeys/*" matches "/auth/passkeys" too: registered once, so each request counts once.
  app.use("/auth/passkeys/*", rateLimit(deps, [{ name: "passkeys:ip", ...perIp }]));
  app.use("/auth/passkeys/*", auth);

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/passkey/register/options",
      tags: [doc.tag],
      summary: "Creation options for a new passkey of the caller (challenge: single use, 5 min)",
      description:
        "The RP ID is the host of the request's Origin, which must be one of the tenant's allowed origins. Users with MFA need a verification within MFA_STEP_UP_MAX_AGE_MIN (else 401 MFA_REQUIRED with an mfaToken), as for removing a passkey.",
      security: bearerSecurity,
      request: { headers: TenantHeader, body: json(RegisterOptionsBody, EX.REGISTER_OPTIONS_REQUEST) },
      responses: {
        200: {
          description: "Creation options",
          content: { "application/json": { schema: CreationOptions, example: EX.CREATION_OPTIONS } },
        },
        400: problem("Origin not allowed for this tenant, or invalid body"),
        401: problem("Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)"),
        403: problem("Passkeys not enabled for this tenant"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "passkey");
      // A passkey login counts as two factors: adding one needs the second factor now, as removing
      // one does, or a stolen token (or a trusted-device session) would mint a way around MFA.
      await assertRecentMfa(deps, { principal: c.var.principal, tenant, context: requestContext(c) });
      const options = await passkeyRegistrationOptions(deps, {
        tenant,
        userId: c.var.principal.userId,
        ceremony: ceremonyFor(tenant, c.req.header("origin")),
        friendlyName: c.req.valid("json").friendlyName,
      });
      c.header("Cache-Control", "no-store");
      return c.json(options, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/passkey/register/verify",
      tags: [doc.tag],
      summary: "Verify the authenticator's attestation and store the passkey",
      description:
        "Send what navigator.credentials.create answered (as JSON, e.g. from startRegistration) for the options of POST /auth/passkey/register/options. The challenge is single use. The passkey then signs in with POST /auth/passkey/login/verify and counts as a second factor. Audited.",
      security: bearerSecurity,
      request: { headers: TenantHeader, body: json(RegisterVerifyBody, EX.REGISTER_VERIFY) },
      responses: {
        201: {
          description: "Registered",
          content: { "application/json": { schema: PasskeySchema, example: EX.PASSKEY } },
        },
        400: problem("Invalid body"),
        401: problem(
          "Not authenticated, MFA_REQUIRED (users with MFA need a recent verification), or an invalid, used or expired challenge or attestation",
        ),
        403: problem("Passkeys not enabled for this tenant"),
        409: problem("This passkey is already registered (CONFLICT)"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "passkey");
      // Checked again here (before the challenge is spent): the options may predate a lapsed step-up.
      await assertRecentMfa(deps, { principal: c.var.principal, tenant, context: requestContext(c) });
      const body = c.req.valid("json");
      const passkey = await verifyPasskeyRegistration(deps, {
        tenant,
        userId: c.var.principal.userId,
        response: body.response,
        friendlyName: body.friendlyName,
        context: requestContext(c),
      });
      return c.json(passkey, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/passkey/login/options",
      tags: [doc.tag],
      summary: "Request options; without an e-mail for discoverable credentials (conditional UI)",
      description:
        "With an e-mail, allowCredentials lists that account's passkeys; an address without any gets a decoy entry of the same shape, so the answer does not tell whether the account exists.",
      request: { headers: TenantHeader, body: json(LoginOptionsBody, EX.LOGIN_OPTIONS_REQUEST) },
      responses: {
        200: {
          description: "Request options",
          content: { "application/json": { schema: RequestOptions, example: EX.REQUEST_OPTIONS } },
        },
        400: problem("Origin not allowed for this tenant, or invalid body"),
        403: problem("Passkeys not enabled for this tenant"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "passkey");
      const options = await passkeyLoginOptions(deps, {
        tenant,
        ceremony: ceremonyFor(tenant, c.req.header("origin")),
        email: c.req.valid("json").email,
      });
      c.header("Cache-Control", "no-store");
      return c.json(options, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/passkey/login/verify",
      tags: [doc.tag],
      summary: "Verify a passkey assertion and log in (amr hwk)",
      description:
        "Send what navigator.credentials.get answered (as JSON, e.g. from startAuthentication) for the options of POST /auth/passkey/login/options. A passkey with user verification is both factors at once, so no MFA challenge follows. Answers tokens as every sign-in does.",
      request: { headers: TenantHeader, body: json(LoginVerifyBody, EX.LOGIN_VERIFY) },
      responses: {
        200: {
          description: "Logged in",
          content: { "application/json": { schema: TokenResponseSchema, example: TOKEN_RESPONSE } },
        },
        400: problem("Invalid body"),
        401: problem("Invalid, used or expired challenge, or a rejected assertion (INVALID_CREDENTIALS)"),
        403: problem("Passkeys not enabled for this tenant"),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "passkey");
      c.header("Cache-Control", "no-store");
      const tokens = await verifyPasskeyLogin(deps, {
        tenant,
        response: c.req.valid("json").response,
        context: requestContext(c),
      });
      return c.json(deliverTokens(c, deps, tokens), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/passkeys",
      tags: ["account"],
      summary: "The caller's passkeys",
      description:
        "Every passkey of the caller with its name, whether it syncs between devices (deviceType multiDevice, backedUp), its transports and when it was last used.",
      security: bearerSecurity,
      request: { headers: TenantHeader },
      responses: {
        200: {
          description: "Passkeys",
          content: {
            "application/json": { schema: z.object({ items: z.array(PasskeySchema) }), example: EX.PASSKEYS },
          },
        },
        401: problem("Not authenticated"),
      },
    }),
    async (c) => c.json({ items: await listPasskeys(deps, c.var.principal.userId) }, 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/auth/passkeys/{id}",
      tags: ["account"],
      summary: "Rename one of the caller's passkeys",
      description: "Changes the name shown in the account (1 to 64 characters). A passkey of another user answers 404.",
      security: bearerSecurity,
      request: { headers: TenantHeader, params: IdParam, body: json(RenameBody, EX.RENAME_PASSKEY) },
      responses: {
        200: {
          description: "Renamed",
          content: { "application/json": { schema: PasskeySchema, example: EX.PASSKEY } },
        },
        400: problem("Invalid body"),
        401: problem("Not authenticated"),
        404: problem("No such passkey"),
      },
    }),
    async (c) => {
      const passkey = await renamePasskey(deps, {
        userId: c.var.principal.userId,
        id: c.req.valid("param").id,
        friendlyName: c.req.valid("json").friendlyName,
      });
      return c.json(passkey, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/auth/passkeys/{id}",
      tags: ["account"],
      summary: "Remove one of the caller's passkeys, as long as another way to log in remains",
      description:
        "Users with MFA need a recent verification (else 401 MFA_REQUIRED). Refused with 409 when it is the account's last way to sign in. Audited.",
      security: bearerSecurity,
      request: { headers: TenantHeader, params: IdParam },
      responses: {
        204: { description: "Removed" },
        401: problem("Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)"),
        404: problem("No such passkey"),
        409: problem("It is the last way to log in (CONFLICT)"),
      },
    }),
    async (c) => {
      const p = c.var.principal;
      await assertRecentMfa(deps, { principal: p, tenant: c.var.tenant, context: requestContext(c) });
      await deletePasskey(deps, {
        tenantId: p.tenantId,
        userId: p.userId,
        id: c.req.valid("param").id,
        context: requestContext(c),
      });
      return c.body(null, 204);
    },
  );
}

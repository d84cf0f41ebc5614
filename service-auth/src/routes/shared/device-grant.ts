// The device_code grant of the token endpoint (RFC 8628 §3.4) and what the device routes share
// with it. Registers nothing: routes never import other routes.
import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AuthEnv, Deps } from "../../ports.ts";
import { requestContext } from "../../services/login/request-context.ts";
import {
  DEVICE_CLIENTS,
  DEVICE_CODE_GRANT_TYPE,
  type DeviceClientId,
  pollDeviceToken,
} from "../../services/methods/device/device-auth.service.ts";

export const CLIENT_IDS = Object.keys(DEVICE_CLIENTS) as [DeviceClientId, ...DeviceClientId[]];

export const DeviceTokenBody = z.strictObject({
  grant_type: z.literal(DEVICE_CODE_GRANT_TYPE),
  device_code: z.string().min(1).max(256),
  client_id: z.enum(CLIENT_IDS).optional(),
});

export const DeviceTokenResponse = z
  .object({
    access_token: z.string().openapi({ description: "A personal access token (`atlas_pat_…`)" }),
    token_type: z.literal("Bearer"),
    scope: z.string(),
    expires_in: z.number().int(),
    pat_id: z.string().openapi({ description: "The PAT's id (to revoke it: DELETE /auth/pats/{id})" }),
  })
  .openapi("DeviceTokenResponse");

export const OAuthError = z
  .object({
    error: z.enum([
      "authorization_pending",
      "slow_down",
      "expired_token",
      "access_denied",
      "invalid_grant",
      "invalid_request",
      "unsupported_grant_type",
    ]),
    error_description: z.string(),
    interval: z.number().int().optional().openapi({ description: "With slow_down: the interval now required" }),
  })
  .openapi("OAuthError");

/** A form (RFC 6749 §4 / RFC 8628 §3.1) or JSON body, parsed by hand: the routes accept either. */
export async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  try {
    if (type.startsWith("application/json")) return await c.req.json();
    if (type.startsWith("application/x-www-form-urlencoded"))
      return Object.fromEntries(new URLSearchParams(await c.req.text()));
  } catch {
    return undefined;
  }
  return undefined;
}

const oauthError = (c: Context, error: z.infer<typeof OAuthError>) => {
  c.header("Cache-Control", "no-store");
  return c.json(error, 400);
};

/**
 * The device_code grant at the token endpoint (RFC 8628 §3.4), mounted in front of the refresh
 * route: form bodies and JSON bodies with a `grant_type` are OAuth token requests and answered
 * with RFC 6749 §5.1/§5.2 bodies; anything else passes on to the refresh route.
 */
export function deviceTokenGrant(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async function deviceTokenGrantMiddleware(c, next) {
    const type = c.req.header("content-type") ?? "";
    const isForm = type.startsWith("application/x-www-form-urlencoded");
    let body: unknown;
    if (isForm) body = await readBody(c);
    else if (type.startsWith("application/json")) {
      body = await c.req.raw
        .clone()
        .json()
        .catch(() => undefined);
      if (!(body && typeof body === "object" && "grant_type" in body)) return next();
    } else return next();

    const grant = (body as { grant_type?: unknown } | undefined)?.grant_type;
    if (grant !== DEVICE_CODE_GRANT_TYPE) {
      return oauthError(c, {
        error: grant === undefined ? "invalid_request" : "unsupported_grant_type",
        error_description: `grant_type must be ${DEVICE_CODE_GRANT_TYPE} here (refresh: JSON { refreshToken })`,
      });
    }
    const parsed = DeviceTokenBody.safeParse(body);
    if (!parsed.success) {
      return oauthError(c, { error: "invalid_request", error_description: "device_code is required" });
    }
    const result = await pollDeviceToken(deps, {
      deviceCode: parsed.data.device_code,
      tenantId: c.var.tenant.id,
      context: requestContext(c),
    });
    if (!result.ok) {
      return oauthError(c, {
        error: result.error,
        error_description: result.description,
        ...(result.interval === undefined ? {} : { interval: result.interval }),
      });
    }
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    return c.json(
      {
        access_token: result.token,
        token_type: "Bearer" as const,
        scope: result.scopes.join(" "),
        expires_in: result.expiresIn,
        pat_id: result.patId,
      },
      200,
    );
  };
}

import { z } from "@hono/zod-openapi";

/** Shared OpenAPI components of service-auth's routes. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
  })
  .openapi("Problem");

export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

export const PublicUserSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    displayName: z.string().nullable(),
    roles: z.array(z.string()),
  })
  .openapi("User");

export const TokenResponseSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string().optional().openapi({
      description: "Absent for browsers of an allowed origin: they get it in the HttpOnly cookie atlas_refresh_token",
    }),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int(),
    user: PublicUserSchema,
  })
  .openapi("TokenResponse");

export const TenantHeader = z.object({
  "x-tenant": z.string().optional().openapi({ description: "Tenant slug; absent means `default`" }),
});

export const bearerSecurity = [{ bearer: [] }];

/** One audit log event (the caller's own at /auth/audit and in the privacy export, any at /admin/audit). */
export const AuditItemSchema = z
  .object({
    id: z.string(),
    eventType: z.string(),
    tenantId: z.string().nullable(),
    userId: z.string().nullable(),
    ipAddress: z.string().openapi({ description: "Truncated (IPv4 /24, IPv6 /48) once older than the retention" }),
    geoLocation: z.string().nullable(),
    deviceHash: z.string().nullable(),
    riskScore: z.number(),
    userAgent: z.string().nullable(),
    createdAt: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEvent");

/** A tenant's white-label brand (hosted login/consent pages, e-mails); absent fields are unset. */
export const TenantBrandSchema = z
  .object({
    name: z.string().optional(),
    logoUrl: z.string().optional(),
    primaryColor: z.string().optional().openapi({ description: "#rrggbb" }),
    supportEmail: z.string().optional(),
  })
  .openapi("TenantBrand");

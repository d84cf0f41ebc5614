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

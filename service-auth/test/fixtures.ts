import type { User } from "../generated/prisma/client.ts";
import { createSession } from "../src/services/tokens/session.service.ts";
import type { TestApp } from "./harness.ts";

export const TEST_CONTEXT = { ipAddress: "127.0.0.1", userAgent: "vitest", deviceHash: "dev-test" };

let counter = 0;

/**
 * The internal way for tests to get a logged-in user without a login method: a user in the
 * default tenant and a session opened through the same createSession every login uses.
 */
export async function loginTestUser(
  t: TestApp,
  overrides: { email?: string; roles?: string[]; tenantSlug?: string } = {},
) {
  const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: overrides.tenantSlug ?? "default" } });
  counter += 1;
  const user: User = await t.deps.prisma.user.create({
    data: {
      tenantId: tenant.id,
      email: overrides.email ?? `user${counter}-${Date.now()}@example.test`,
      roles: overrides.roles ?? [],
    },
  });
  const tokens = await createSession(t.deps, {
    user,
    audience: tenant.jwtAudience,
    amr: ["email"],
    context: TEST_CONTEXT,
  });
  return { user, tenant, tokens, auth: { authorization: `Bearer ${tokens.accessToken}` } };
}

export const jsonPost = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});

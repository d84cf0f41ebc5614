/** Examples of the platform administration routes (see tokens.ts). */
import { AT } from "./tokens.ts";

const TENANT = {
  id: "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70",
  name: "Acme Robotics",
  slug: "acme",
  allowedOrigins: ["https://app.acme.example"],
  allowedMethods: ["email", "passkey", "oauth:github"],
  jwtAudience: "https://api.acme.example",
  webhookUrl: "https://hooks.acme.example/atlas",
  isActive: true,
  settings: { mfa: "required", lockout: "soft" },
  brand: { name: "Acme", logoUrl: "https://acme.example/logo.svg", primaryColor: "#1d4ed8" },
  createdAt: AT,
  updatedAt: AT,
};
const WEBHOOK_SECRET = "whsec_Zk3pR8sW1hQx7mT2vN9bC4dF6gJ0aLeU5yXo";

export const TENANT_PAGE = { items: [TENANT], nextCursor: null };
export const TENANT_CREATE = {
  name: "Acme Robotics",
  slug: "acme",
  allowedOrigins: ["https://app.acme.example"],
  allowedMethods: ["email", "passkey", "oauth:github"],
  jwtAudience: "https://api.acme.example",
  webhookUrl: "https://hooks.acme.example/atlas",
  settings: { mfa: "required" },
};
export const CREATED_TENANT = { ...TENANT, webhookSecret: WEBHOOK_SECRET };
export const ONE_TENANT = TENANT;
export const TENANT_PATCH = { allowedMethods: ["email", "passkey"], settings: { lockout: "hard" } };
export const UPDATED_TENANT = {
  ...TENANT,
  allowedMethods: ["email", "passkey"],
  settings: { mfa: "required", lockout: "hard" },
  updatedAt: "2026-12-07T10:00:00.000Z",
};
export const ROTATED_SECRET = { webhookSecret: WEBHOOK_SECRET, previousSecretsExpireAt: "2026-12-08T09:30:00.000Z" };

const PARKED = {
  id: "01JEXK4Z9M2QF7T3V8N1B6C0DR",
  eventType: "invoice.finalized",
  sourceService: "service-cloud-api",
  aggregateKey: "inv_2026_12_000123",
  attempts: 8,
  lastError: "Stripe answered 402: card_declined",
  parkedAt: "2026-12-07T08:00:00.000Z",
  createdAt: "2026-12-06T23:59:00.000Z",
  payload: { invoiceId: "inv_2026_12_000123", userId: "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40", totalCents: 2900 },
};
export const PARKED_PAGE = { items: [PARKED], nextCursor: null };
export const PARKED_EVENT = PARKED;
export const RETRY_REASON = { reason: "The customer updated their card" };
export const DISCARD_REASON = { reason: "Invoice voided by hand (ticket 4812)" };
export const DISCARDED_EVENT = {
  ...PARKED,
  discardedAt: "2026-12-07T10:00:00.000Z",
  discardReason: "Invoice voided by hand (ticket 4812)",
};

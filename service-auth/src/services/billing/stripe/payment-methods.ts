import { AppError } from "@atlas/errors";
import type { BillingProfile } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import type { StripePaymentMethodInfo } from "../../../providers/stripe-gateway.ts";
import { sha256Hex } from "../../platform/crypto.ts";
import { ensureStripeCustomer, findBillingProfile } from "./customers.ts";

type CustomerProfile = BillingProfile & { stripeCustomerId: string };

export interface PaymentMethodView {
  id: string;
  type: string;
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
  isDefault: boolean;
}

/** A SetupIntent whose client secret Stripe Elements confirms in the browser. */
export async function createSetupIntent(deps: Deps, userId: string, requestKey: string) {
  const profile = await ensureStripeCustomer(deps, userId);
  const si = await (deps.stripe as NonNullable<Deps["stripe"]>).createSetupIntent(
    profile.stripeCustomerId,
    `atlas:setup-intent:${profile.id}:${sha256Hex(requestKey).slice(0, 32)}`,
  );
  return { setupIntentId: si.id, clientSecret: si.clientSecret };
}

/**
 * Mirrors a customer's cards from Stripe (the source of truth) into local rows and resolves the
 * default payment method:
 * - a default that is still attached stays;
 * - otherwise (none yet: the first card added; or it was detached) the earliest attached card
 *   becomes the default, at Stripe (`invoice_settings.default_payment_method`) and locally;
 * - no card left: the default is cleared locally (Stripe clears it itself when it is detached).
 * It runs when cards are listed, after a detach, and on the `payment_method.attached` and
 * `setup_intent.succeeded` webhooks, so a card added with Stripe Elements becomes the default
 * even if the customer never comes back to the card list.
 */
export async function syncPaymentMethods(
  deps: Deps,
  profile: BillingProfile & { stripeCustomerId: string },
): Promise<{ methods: StripePaymentMethodInfo[]; defaultId: string | null }> {
  const stripe = deps.stripe as NonNullable<Deps["stripe"]>;
  const methods = await stripe.listPaymentMethods(profile.stripeCustomerId);
  const now = deps.now();
  for (const pm of methods) {
    const data = { type: pm.type, brand: pm.brand, last4: pm.last4, expMonth: pm.expMonth, expYear: pm.expYear };
    await deps.prisma.paymentMethod.upsert({
      where: { stripePaymentMethodId: pm.id },
      create: { ...data, billingProfileId: profile.id, stripePaymentMethodId: pm.id },
      update: { ...data, detachedAt: null },
    });
  }
  await deps.prisma.paymentMethod.updateMany({
    where: {
      billingProfileId: profile.id,
      detachedAt: null,
      stripePaymentMethodId: { notIn: methods.map((m) => m.id) },
    },
    data: { detachedAt: now },
  });
  const current = profile.defaultPaymentMethodId;
  if (current && methods.some((m) => m.id === current)) return { methods, defaultId: current };
  const first = [...methods].sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0))[0];
  const defaultId = first?.id ?? null;
  if (defaultId) await stripe.setDefaultPaymentMethod(profile.stripeCustomerId, defaultId);
  // Only over the value read: a default chosen meanwhile by the customer wins.
  await deps.prisma.billingProfile.updateMany({
    where: { id: profile.id, defaultPaymentMethodId: current },
    data: { defaultPaymentMethodId: defaultId },
  });
  return { methods, defaultId };
}

/** The caller's cards as Stripe has them, with the default resolved ({@link syncPaymentMethods}). */
export async function listPaymentMethods(deps: Deps, userId: string): Promise<PaymentMethodView[]> {
  if (!deps.stripe) throw new AppError("NOT_FOUND", { detail: "Stripe billing is not configured" });
  // A read creates nothing at Stripe: without a customer yet there is no card (adding one creates it).
  const profile = await findBillingProfile(deps, userId);
  if (!profile?.stripeCustomerId) return [];
  const { methods, defaultId } = await syncPaymentMethods(deps, profile as CustomerProfile);
  return methods.map((pm) => view(pm, defaultId));
}

/** A webhook about a customer's cards (`payment_method.attached`, `setup_intent.succeeded`): re-sync them. */
export async function syncCustomerPaymentMethods(deps: Deps, stripeCustomerId: string): Promise<boolean> {
  const profile = await deps.prisma.billingProfile.findUnique({ where: { stripeCustomerId } });
  if (!profile || !deps.stripe) return false;
  await syncPaymentMethods(deps, profile as BillingProfile & { stripeCustomerId: string });
  return true;
}

const view = (pm: StripePaymentMethodInfo, defaultId: string | null): PaymentMethodView => ({
  id: pm.id,
  type: pm.type,
  brand: pm.brand,
  last4: pm.last4,
  expMonth: pm.expMonth,
  expYear: pm.expYear,
  isDefault: pm.id === defaultId,
});

/** The payment method, if it is attached to the caller's customer; 404 otherwise (no BOLA). */
async function ownPaymentMethod(deps: Deps, userId: string, paymentMethodId: string) {
  if (!deps.stripe) throw new AppError("NOT_FOUND", { detail: "Stripe billing is not configured" });
  const profile = await findBillingProfile(deps, userId);
  if (!profile?.stripeCustomerId) throw new AppError("NOT_FOUND", { detail: "No such payment method" });
  const pm = await (deps.stripe as NonNullable<Deps["stripe"]>).retrievePaymentMethod(paymentMethodId);
  if (!pm || pm.customerId !== profile.stripeCustomerId) {
    throw new AppError("NOT_FOUND", { detail: "No such payment method" });
  }
  return { profile: profile as CustomerProfile, pm };
}

/** Detaches a card; when it was the default, another attached card becomes it (or none is left). */
export async function detachPaymentMethod(deps: Deps, userId: string, paymentMethodId: string): Promise<void> {
  const { profile } = await ownPaymentMethod(deps, userId, paymentMethodId);
  await (deps.stripe as NonNullable<Deps["stripe"]>).detachPaymentMethod(paymentMethodId);
  await syncPaymentMethods(deps, profile);
}

/** Makes a card the one subscriptions and invoices are charged to. */
export async function setDefaultPaymentMethod(
  deps: Deps,
  userId: string,
  paymentMethodId: string,
): Promise<PaymentMethodView> {
  const { profile, pm } = await ownPaymentMethod(deps, userId, paymentMethodId);
  await (deps.stripe as NonNullable<Deps["stripe"]>).setDefaultPaymentMethod(profile.stripeCustomerId, pm.id);
  await deps.prisma.billingProfile.update({ where: { id: profile.id }, data: { defaultPaymentMethodId: pm.id } });
  return view(pm, pm.id);
}

import { AppError } from "@atlas/errors";
import type { Deps } from "../../deps.ts";
import type { StripePaymentMethodInfo } from "../../providers/stripe.ts";
import { sha256Hex } from "../crypto.ts";
import { requireStripeCustomer } from "./customers.ts";

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
  const profile = await requireStripeCustomer(deps, userId);
  const si = await (deps.stripe as NonNullable<Deps["stripe"]>).createSetupIntent(
    profile.stripeCustomerId,
    `atlas:setup-intent:${profile.id}:${sha256Hex(requestKey).slice(0, 32)}`,
  );
  return { setupIntentId: si.id, clientSecret: si.clientSecret };
}

/** The caller's cards as Stripe has them (the source of truth), mirrored into local rows. */
export async function listPaymentMethods(deps: Deps, userId: string): Promise<PaymentMethodView[]> {
  const profile = await requireStripeCustomer(deps, userId);
  const methods = await (deps.stripe as NonNullable<Deps["stripe"]>).listPaymentMethods(profile.stripeCustomerId);
  for (const pm of methods) {
    const data = { type: pm.type, brand: pm.brand, last4: pm.last4, expMonth: pm.expMonth, expYear: pm.expYear };
    await deps.prisma.paymentMethod.upsert({
      where: { stripePaymentMethodId: pm.id },
      create: { ...data, billingProfileId: profile.id, stripePaymentMethodId: pm.id },
      update: { ...data, detachedAt: null },
    });
  }
  return methods.map((pm) => view(pm, profile.defaultPaymentMethodId));
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
  const profile = await requireStripeCustomer(deps, userId);
  const pm = await (deps.stripe as NonNullable<Deps["stripe"]>).retrievePaymentMethod(paymentMethodId);
  if (!pm || pm.customerId !== profile.stripeCustomerId) {
    throw new AppError("NOT_FOUND", { detail: "No such payment method" });
  }
  return { profile, pm };
}

export async function detachPaymentMethod(deps: Deps, userId: string, paymentMethodId: string): Promise<void> {
  const { profile } = await ownPaymentMethod(deps, userId, paymentMethodId);
  await (deps.stripe as NonNullable<Deps["stripe"]>).detachPaymentMethod(paymentMethodId);
  const now = deps.now();
  await deps.prisma.$transaction([
    deps.prisma.paymentMethod.updateMany({
      where: { stripePaymentMethodId: paymentMethodId },
      data: { detachedAt: now },
    }),
    deps.prisma.billingProfile.updateMany({
      where: { id: profile.id, defaultPaymentMethodId: paymentMethodId },
      data: { defaultPaymentMethodId: null },
    }),
  ]);
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

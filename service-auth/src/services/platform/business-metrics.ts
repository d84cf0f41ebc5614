// service-auth's business metrics on /metrics (docs/operations.md says what each alert on them
// means). Counters are bumped where the outcome is decided; gauges read their value on each
// scrape (the outbox backlog: one cheap query; rate limiting: the store's state), never per
// request. Every label takes values from a fixed set: no ids, no free text.
import { BILLING_EVENT_TYPES, consumerOf } from "@atlas/billing-events";
import { outboxBacklog } from "@atlas/outbox";
import { counter, gauge, type MetricsRegistry, outboxGauges } from "@atlas/service-kit";
import type { Deps } from "../../ports.ts";
import { RedisRateLimitStore } from "./rate-limit.ts";

/**
 * `auth_login_outcomes_total{method, outcome}`: method is a login method id, outcome `success`,
 * `failure` or the refusal's code. A login that needs a second factor counts `mfa_required` under
 * its first factor's method, then `success` or `failure` under the method `mfa` when the factor is
 * answered (step-ups of a running session are not logins and are not counted).
 */
export const loginOutcomes = (registry: MetricsRegistry) =>
  counter(registry, {
    name: "auth_login_outcomes_total",
    help: "Login attempts by method (login method id, or mfa for the second factor of a login) and outcome (success, failure, mfa_required, or the refusal's error code)",
    labelNames: ["method", "outcome"] as const,
  });

/** `tenant_webhook_delivery_failures_total{reason}`: one per failed attempt. */
export const webhookFailures = (registry: MetricsRegistry) =>
  counter(registry, {
    name: "tenant_webhook_delivery_failures_total",
    help: "Failed tenant webhook delivery attempts by reason (http_4xx, http_5xx, http_3xx, timeout, network, webhook_url_removed, audit_row_missing, no_signing_secret)",
    labelNames: ["reason"] as const,
  });

/** `billing_charge_outcomes_total{provider, status}`: one per recorded outcome of a charge attempt. */
export const chargeOutcomes = (registry: MetricsRegistry) =>
  counter(registry, {
    name: "billing_charge_outcomes_total",
    help: "Outcomes of charge attempts by provider and status (succeeded, failed, action_required, requires_action, processing, errored)",
    labelNames: ["provider", "status"] as const,
  });

/** `rate_limit_local_fallback_total`: hits counted in this instance's memory because Redis failed. */
export const rateLimitFallbacks = (registry: MetricsRegistry) =>
  counter(registry, {
    name: "rate_limit_local_fallback_total",
    help: "Rate-limit hits counted in this instance's memory because Redis did not answer (limits are per instance meanwhile)",
  });

/** The event types service-auth's outbox consumer applies (cloud-api → auth). */
export const AUTH_CONSUMED_EVENT_TYPES = BILLING_EVENT_TYPES.filter((t) => consumerOf(t) === "service-auth");

/** Registers the gauges read on scrape: the outbox backlog of service-auth's events, rate limiting's state. */
export function registerBusinessGauges(deps: Deps): void {
  outboxGauges(
    deps.metrics,
    "service-auth",
    () => outboxBacklog(deps.database, AUTH_CONSUMED_EVENT_TYPES, deps.now()),
    (error) =>
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "outbox metrics read failed"),
  );
  rateLimitFallbacks(deps.metrics);
  gauge(deps.metrics, {
    name: "rate_limit_degraded",
    help: "1 while rate limits are counted in this instance's memory because Redis does not answer, else 0",
    collect() {
      this.set(deps.rateLimits instanceof RedisRateLimitStore && deps.rateLimits.degradedSince !== null ? 1 : 0);
    },
  });
}

/** Counts one login attempt's outcome; `method` is a login method id (a fixed vocabulary). */
export function countLogin(deps: Pick<Deps, "metrics">, method: string, outcome: string): void {
  loginOutcomes(deps.metrics).inc({ method, outcome });
}

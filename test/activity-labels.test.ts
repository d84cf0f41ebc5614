// Issue 22, path 10: every audit event type service-auth records reads as words on the Activity
// page. A new event type without a label fails here, before a user sees "device token issued".
import { describe, expect, it } from "vitest";
import { AUDIT_EVENT_TYPES } from "../service-auth/src/services/audit/audit.service.ts";
import { EVENT_TEXT, eventLabel, RISK_REASON } from "../web-app/src/account/activity-labels.ts";

describe("activity labels", () => {
  it("label every audit event type in plain words", () => {
    const missing = AUDIT_EVENT_TYPES.filter((type) => !EVENT_TEXT[type]);
    expect(missing).toEqual([]);
    for (const type of AUDIT_EVENT_TYPES) {
      const label = eventLabel(type);
      expect(label, type).not.toMatch(/_|`/);
    }
    expect(eventLabel("device_token_issued")).toBe("Another device (such as the CLI) signed in");
  });

  it("have no labels for event types that do not exist", () => {
    expect(Object.keys(EVENT_TEXT).filter((k) => !(AUDIT_EVENT_TYPES as readonly string[]).includes(k))).toEqual([]);
  });

  it("explain every risk reason the risk score can give", () => {
    for (const reason of [
      "new_device",
      "new_country",
      "impossible_travel",
      "ip_failure_velocity",
      "account_under_attack",
    ]) {
      expect(RISK_REASON[reason], reason).toMatch(/^[a-z]/);
    }
  });
});

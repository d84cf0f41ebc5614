import { type AuthSchema, createServiceAuthClient, type UserScope } from "@atlas/client";
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from "react";
import { ApiError, apiData, clientOptions } from "./api.ts";
import type { Session } from "./auth.ts";
import type { AppConfig } from "./config.ts";

/** What `GET /auth/device/verify` says about a pending device login (the page shows no user agent). */
export type DeviceRequest = Omit<AuthSchema<"DeviceRequest">, "requestUserAgent">;

/** Throws unless `body` is a device request. */
export function parseDeviceRequest(body: unknown): DeviceRequest {
  const raw = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof raw.userCode !== "string" || typeof raw.clientName !== "string" || !Array.isArray(raw.scopes)) {
    throw new TypeError("device request: missing fields");
  }
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    userCode: raw.userCode,
    clientName: raw.clientName,
    hostname: str(raw.hostname),
    scopes: raw.scopes.filter((s): s is string => typeof s === "string"),
    requestIp: str(raw.requestIp) ?? "unknown",
    requestGeo: str(raw.requestGeo),
    createdAt: str(raw.createdAt) ?? "",
    expiresAt: str(raw.expiresAt) ?? "",
  };
}

/** What each scope lets the device do, in the approving user's words (every user scope has one). */
const SCOPE_TEXT: Record<UserScope, string> = {
  "profile:read": "See your account (and manage your access tokens)",
  "objects:read": "Read your stored objects",
  "objects:write": "Create, replace and delete your stored objects",
  "usage:read": "See your usage",
  "billing:read": "See your invoices and plan",
};

type State =
  | { kind: "enter"; error?: string }
  | { kind: "loading" }
  | { kind: "review"; request: DeviceRequest; busy: boolean; error?: string }
  | { kind: "done"; decision: "approve" | "deny"; request: DeviceRequest };

const messageOf = (e: unknown) =>
  e instanceof ApiError
    ? e.code === "MFA_REQUIRED"
      ? "Approving needs a recent second-factor check: sign out, sign in again with your second factor, and retry."
      : e.detail
    : "Something went wrong. Try again.";

/**
 * Approves or denies a device login (`atlas login`): the signed-in user enters the code the
 * device shows (or arrives with it in `?user_code=`), sees which client asks for what from where,
 * and decides.
 */
export function DeviceApproval({ session, config }: { session: Session; config: AppConfig }) {
  const id = useId();
  const [code, setCode] = useState(() => new URL(window.location.href).searchParams.get("user_code") ?? "");
  const [state, setState] = useState<State>({ kind: "enter" });
  const api = useMemo(
    () =>
      createServiceAuthClient(
        clientOptions(config.authUrl, { "X-Tenant": config.tenant, authorization: `Bearer ${session.accessToken}` }),
      ),
    [config, session],
  );

  const lookUp = useCallback(
    async (userCode: string) => {
      setState({ kind: "loading" });
      try {
        const request = await apiData(
          api.GET("/auth/device/verify", { params: { query: { user_code: userCode } } }),
          parseDeviceRequest,
        );
        setState({ kind: "review", request, busy: false });
      } catch (e) {
        setState({ kind: "enter", error: messageOf(e) });
      }
    },
    [api],
  );

  // Arriving from verification_uri_complete: show the request straight away.
  useEffect(() => {
    const prefilled = new URL(window.location.href).searchParams.get("user_code");
    if (prefilled) void lookUp(prefilled);
  }, [lookUp]);

  async function decide(decision: "approve" | "deny") {
    if (state.kind !== "review") return;
    const { request } = state;
    setState({ kind: "review", request, busy: true });
    try {
      await apiData(api.POST(`/auth/device/${decision}`, { body: { user_code: request.userCode } }));
      setState({ kind: "done", decision, request });
    } catch (e) {
      setState({ kind: "review", request, busy: false, error: messageOf(e) });
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (code.trim()) void lookUp(code.trim());
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Connect a device</h2>
      {(state.kind === "enter" || state.kind === "loading") && (
        <form className="start-form" onSubmit={submit}>
          <label htmlFor={`${id}-code`}>Enter the code shown by the device</label>
          <div className="field-row">
            <input
              id={`${id}-code`}
              name="user_code"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              placeholder="BCDF-GHJK"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-invalid={state.kind === "enter" && Boolean(state.error)}
            />
            <button type="submit" className="primary" disabled={state.kind === "loading"}>
              {state.kind === "loading" ? "Checking…" : "Continue"}
            </button>
          </div>
          <p className="form-status error" role="status" aria-live="polite">
            {state.kind === "enter" && state.error}
          </p>
        </form>
      )}
      {state.kind === "review" && (
        <div>
          <p className="notice">
            <strong>{state.request.clientName}</strong>
            {state.request.hostname ? (
              <>
                {" "}
                on <strong>{state.request.hostname}</strong>
              </>
            ) : null}{" "}
            wants access to your account with code <strong>{state.request.userCode}</strong>.
          </p>
          <p className="hint">
            Requested from {state.request.requestIp}
            {state.request.requestGeo ? ` (${state.request.requestGeo})` : ""}. Approve only if you started this
            yourself, just now.
          </p>
          <ul>
            {state.request.scopes.map((s) => (
              <li key={s}>{(SCOPE_TEXT as Partial<Record<string, string>>)[s] ?? s}</li>
            ))}
          </ul>
          {state.error && (
            <p className="notice error" role="alert">
              {state.error}
            </p>
          )}
          <div className="field-row">
            <button type="button" className="primary" disabled={state.busy} onClick={() => void decide("approve")}>
              Approve
            </button>
            <button type="button" disabled={state.busy} onClick={() => void decide("deny")}>
              Deny
            </button>
          </div>
        </div>
      )}
      {state.kind === "done" && (
        <p className="notice" role="status">
          {state.decision === "approve"
            ? `Approved. ${state.request.clientName} is signing in; you can close this page.`
            : "Denied. The device was not given access."}
        </p>
      )}
    </section>
  );
}

import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";
import { errorMessage } from "./api.ts";
import type { AuthClient, Login } from "./auth.ts";
import { KeyLogo } from "./logos.tsx";

/** A WebAuthn failure in words; a closed prompt is not worth an alarming message. */
export function passkeyError(error: unknown): string {
  if (error instanceof Error && error.name === "NotAllowedError") {
    return "The passkey prompt was closed or timed out. Try again when you're ready.";
  }
  if (error instanceof Error && error.name === "InvalidStateError") return "This passkey is already registered.";
  if (error instanceof Error && !("code" in error)) return error.message || "Your browser couldn't use a passkey.";
  return errorMessage(error);
}

const isAbort = (e: unknown) => e instanceof Error && (e.name === "AbortError" || e.message.includes("abort"));

/**
 * Conditional UI: while the sign-in form is open, the browser offers the site's passkeys in the
 * autofill of the field marked `autocomplete="username webauthn"`; picking one signs in.
 */
export function usePasskeyAutofill(auth: AuthClient, login: Login, enabled: boolean, onError: (m: string) => void) {
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      const optionsJSON = await auth.passkeyLoginOptions();
      if (!live) return;
      const response = await startAuthentication({ optionsJSON, useBrowserAutofill: true });
      await login(() => auth.passkeyLogin(response));
    })().catch((e: unknown) => {
      // Another ceremony (the passkey button) or leaving the page cancels this one: not an error.
      if (live && !isAbort(e)) onError(passkeyError(e));
    });
    return () => {
      live = false;
    };
  }, [auth, login, enabled, onError]);
}

/** "Sign in with a passkey": any passkey of this site (discoverable credentials, no e-mail needed). */
export function PasskeyButton({
  auth,
  login,
  onError,
}: {
  auth: AuthClient;
  login: Login;
  onError: (m: string | null) => void;
}) {
  const [busy, setBusy] = useState(false);
  const supported = browserSupportsWebAuthn();
  async function signIn() {
    setBusy(true);
    onError(null);
    try {
      const optionsJSON = await auth.passkeyLoginOptions();
      const response = await startAuthentication({ optionsJSON });
      await login(() => auth.passkeyLogin(response));
    } catch (e) {
      onError(passkeyError(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <button
      type="button"
      className="method"
      onClick={signIn}
      disabled={busy || !supported}
      title={supported ? undefined : "This browser doesn't support passkeys"}
    >
      <KeyLogo /> {busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
    </button>
  );
}

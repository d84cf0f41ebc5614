import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { ApiError } from "../api.ts";
import { type AuthClient, type MfaChallenge, mfaChallengeOf } from "../auth.ts";
import { MfaChallengeCard } from "../MfaChallenge.tsx";
import type { SessionStore } from "../session.ts";

type StepUp = <T>(action: () => Promise<T>) => Promise<T>;

const StepUpContext = createContext<StepUp>((action) => action());

/** Runs a sensitive action; if it answers MFA_REQUIRED, asks for the second factor and retries once. */
export const useStepUp = () => useContext(StepUpContext);

interface Pending {
  challenge: MfaChallenge;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Step-up for sensitive actions (PATs, adding or removing a passkey, TOTP changes, account deletion,
 * billing): the service answers MFA_REQUIRED with an mfaToken; a modal asks for the factor,
 * the verified answer is a fresh access token for this session, and the action runs again.
 */
export function StepUpProvider({
  auth,
  store,
  issuer,
  children,
}: {
  auth: AuthClient;
  store: SessionStore;
  issuer: string;
  children: ReactNode;
}) {
  const [pending, setPending] = useState<Pending | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  const run: StepUp = useCallback(async (action) => {
    try {
      return await action();
    } catch (error) {
      const challenge = mfaChallengeOf(error);
      if (!challenge?.mfaToken) throw error;
      await new Promise<void>((resolve, reject) => setPending({ challenge, resolve, reject }));
      return action();
    }
  }, []);

  useEffect(() => {
    const d = dialog.current;
    if (pending && d && !d.open) d.showModal();
    if (!pending && d?.open) d.close();
  }, [pending]);

  const cancel = () => {
    pending?.reject(new ApiError(401, "MFA_REQUIRED", "Verification was cancelled, so nothing was changed."));
    setPending(null);
  };

  return (
    <StepUpContext.Provider value={run}>
      {children}
      <dialog
        ref={dialog}
        className="modal"
        aria-label="Confirm it's you"
        onCancel={(e) => {
          e.preventDefault();
          cancel();
        }}
      >
        {pending && (
          <MfaChallengeCard
            challenge={pending.challenge}
            auth={auth}
            purpose="step_up"
            issuer={issuer}
            onVerified={(result) => {
              store.set(result.session);
              pending.resolve();
              setPending(null);
            }}
            onCancel={cancel}
          />
        )}
      </dialog>
    </StepUpContext.Provider>
  );
}

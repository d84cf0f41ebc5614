import { startRegistration } from "@simplewebauthn/browser";
import { type FormEvent, useId, useState } from "react";
import type { AccountApi, Passkey } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import type { TotpSetup } from "../auth.ts";
import { BackupCodes } from "../BackupCodes.tsx";
import { TotpSecret } from "../MfaChallenge.tsx";
import { passkeyError } from "../PasskeyLogin.tsx";
import { useStepUp } from "./StepUp.tsx";
import { Ago, ConfirmButton, describeAgent, formatDate, Loaded, Panel, useLoad } from "./ui.tsx";

/** Passkeys, the authenticator app with its backup codes, and trusted devices. */
export function SecurityPage({ api, issuer }: { api: AccountApi; issuer: string }) {
  return (
    <>
      <Passkeys api={api} />
      <TwoStep api={api} issuer={issuer} />
      <TrustedDevices api={api} />
    </>
  );
}

function Passkeys({ api }: { api: AccountApi }) {
  const id = useId();
  const stepUp = useStepUp();
  const { state, reload } = useLoad(api.passkeys);
  const me = useLoad(api.me);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ tone: "error" | "sent"; text: string } | null>(null);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const friendlyName = name.trim() || undefined;
      // Users with MFA confirm their second factor first (a passkey is a way around it), and again
      // at verify if that confirmation lapsed while the device prompt was open.
      const optionsJSON = await stepUp(() => api.passkeyRegisterOptions(friendlyName));
      const response = await startRegistration({ optionsJSON });
      const created = await stepUp(() => api.passkeyRegisterVerify(response, friendlyName));
      setStatus({ tone: "sent", text: `Passkey “${created.friendlyName ?? "Passkey"}” added.` });
      setName("");
      reload();
      me.reload();
    } catch (e) {
      setStatus({ tone: "error", text: passkeyError(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title="Passkeys">
      <p className="hint">
        Sign in with your fingerprint, face or device PIN instead of a code. Passkeys can't be phished.
      </p>
      <Loaded state={state} retry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="notice">You have no passkeys yet.</p>
          ) : (
            <ul className="rows">
              {items.map((p) => (
                <PasskeyRow
                  key={p.id}
                  passkey={p}
                  api={api}
                  // The service refuses to delete the last way in (409): say so instead of offering it.
                  onlyWay={items.length === 1 && me.state.kind === "ready" && me.state.data.identities.length === 0}
                  onChange={() => {
                    reload();
                    me.reload();
                  }}
                />
              ))}
            </ul>
          )
        }
      </Loaded>
      <form className="start-form" onSubmit={add}>
        <label htmlFor={`${id}-name`}>Name for a new passkey</label>
        <div className="field-row">
          <input
            id={`${id}-name`}
            maxLength={64}
            placeholder="e.g. Work laptop"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Waiting for your device…" : "Add a passkey"}
          </button>
        </div>
        <p className={`form-status ${status?.tone ?? ""}`} role="status" aria-live="polite">
          {status?.text}
        </p>
      </form>
    </Panel>
  );
}

function PasskeyRow({
  passkey,
  api,
  onlyWay,
  onChange,
}: {
  passkey: Passkey;
  api: AccountApi;
  onlyWay: boolean;
  onChange: () => void;
}) {
  const id = useId();
  const stepUp = useStepUp();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.friendlyName ?? "");
  const [error, setError] = useState<string | null>(null);
  const label = passkey.friendlyName ?? "Passkey";

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    try {
      await api.renamePasskey(passkey.id, name.trim());
      setEditing(false);
      onChange();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <li className="row">
      {editing ? (
        <form className="inline-form" onSubmit={rename}>
          <label htmlFor={`${id}-rename`}>New name for {label}</label>
          <div className="field-row">
            <input
              id={`${id}-rename`}
              required
              maxLength={64}
              value={name}
              onChange={(e) => setName(e.target.value)}
              // biome-ignore lint/a11y/noAutofocus: the field the user just asked to edit
              autoFocus
            />
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
          {error && (
            <p className="form-status error" role="alert">
              {error}
            </p>
          )}
        </form>
      ) : (
        <>
          <div>
            <b>{label}</b> {passkey.backedUp && <span className="badge">synced</span>}
            <p className="hint">
              Added {formatDate(passkey.createdAt)} · last used <Ago iso={passkey.lastUsedAt} />
            </p>
          </div>
          <div className="row-actions">
            <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${label}`}>
              Rename
            </button>
            {onlyWay ? (
              <p className="hint only-way">Your only way to sign in: add another before deleting it.</p>
            ) : (
              <ConfirmButton
                label="Delete"
                question={`Delete ${label}?`}
                confirmLabel="Delete passkey"
                onConfirm={async () => {
                  await stepUp(() => api.deletePasskey(passkey.id));
                  onChange();
                }}
              />
            )}
          </div>
        </>
      )}
    </li>
  );
}

type TotpStep = { kind: "idle" } | { kind: "setup"; setup: TotpSetup } | { kind: "codes"; codes: string[] };

function TwoStep({ api, issuer }: { api: AccountApi; issuer: string }) {
  const id = useId();
  const stepUp = useStepUp();
  const { state, reload } = useLoad(api.me);
  const [step, setStep] = useState<TotpStep>({ kind: "idle" });
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }
  const begin = () => act(async () => setStep({ kind: "setup", setup: await api.totpSetup() }));
  const enable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void act(async () => {
      const { backupCodes } = await api.totpEnable(code.trim());
      setCode("");
      setStep({ kind: "codes", codes: backupCodes });
      reload();
    });
  };
  const disable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void act(async () => {
      await stepUp(() => api.totpDisable(code.trim()));
      setCode("");
      reload();
    });
  };
  const regenerate = async () => {
    const { backupCodes } = await stepUp(() => api.newBackupCodes());
    setStep({ kind: "codes", codes: backupCodes });
    reload();
  };

  const errorLine = (
    <p className="form-status error" role="status" aria-live="polite">
      {error}
    </p>
  );
  return (
    <Panel title="Two-step verification">
      <Loaded state={state} retry={reload}>
        {(me) => {
          if (step.kind === "codes") {
            return (
              <>
                <p className="notice sent">Your new backup codes are ready.</p>
                <BackupCodes codes={step.codes} issuer={issuer} />
                <button type="button" className="primary" onClick={() => setStep({ kind: "idle" })}>
                  Done
                </button>
              </>
            );
          }
          if (!me.mfa.totpEnabled && step.kind === "setup") {
            return (
              <form className="start-form" onSubmit={enable}>
                <p className="notice">
                  Scan the QR code with an authenticator app, then enter the 6-digit code it shows.
                </p>
                <TotpSecret setup={step.setup} />
                <label htmlFor={`${id}-enable`}>Code from the app</label>
                <div className="field-row">
                  <input
                    id={`${id}-enable`}
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    pattern="[0-9]{6}"
                    maxLength={6}
                    required
                    value={code}
                    onChange={(e) => setCode(e.target.value)}
                  />
                  <button type="submit" className="primary" disabled={busy}>
                    Turn on
                  </button>
                  <button type="button" onClick={() => setStep({ kind: "idle" })}>
                    Cancel
                  </button>
                </div>
                {errorLine}
              </form>
            );
          }
          if (!me.mfa.totpEnabled) {
            return (
              <>
                <p className="notice">
                  Off. Add an authenticator app (Google Authenticator, 1Password, Authy…) so a stolen e-mail or phone
                  isn't enough to sign in as you.
                </p>
                <button type="button" className="primary" onClick={begin} disabled={busy}>
                  Set up an authenticator app
                </button>
                {errorLine}
              </>
            );
          }
          return (
            <>
              <p className="notice">
                <span className="badge ok">On</span> Authenticator app. {me.mfa.backupCodesLeft} backup code
                {me.mfa.backupCodesLeft === 1 ? "" : "s"} left.
              </p>
              <div className="button-row">
                <ConfirmButton
                  label="Make new backup codes"
                  question="Your current backup codes will stop working. Make new ones?"
                  confirmLabel="Make new codes"
                  danger={false}
                  onConfirm={regenerate}
                />
              </div>
              <form className="start-form" onSubmit={disable}>
                <label htmlFor={`${id}-disable`}>Turn off — current code from the app</label>
                <div className="field-row">
                  <input
                    id={`${id}-disable`}
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    pattern="[0-9]{6}"
                    maxLength={6}
                    required
                    value={code}
                    onChange={(e) => setCode(e.target.value)}
                  />
                  <button type="submit" className="danger" disabled={busy}>
                    Turn off
                  </button>
                </div>
              </form>
              {errorLine}
            </>
          );
        }}
      </Loaded>
    </Panel>
  );
}

function TrustedDevices({ api }: { api: AccountApi }) {
  const { state, reload } = useLoad(api.trustedDevices);
  return (
    <Panel title="Trusted devices">
      <p className="hint">These browsers skip two-step verification until the date shown.</p>
      <Loaded state={state} retry={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="notice">No trusted devices.</p>
          ) : (
            <ul className="rows">
              {items.map((d) => (
                <li key={d.id} className="row">
                  <div>
                    <b>{describeAgent(d.label)}</b> {d.current && <span className="badge">this device</span>}
                    <p className="hint">
                      Trusted {formatDate(d.createdAt)} · until {formatDate(d.expiresAt)}
                    </p>
                  </div>
                  <ConfirmButton
                    label="Stop trusting"
                    question="Ask for two-step verification on this device again?"
                    confirmLabel="Stop trusting"
                    onConfirm={async () => {
                      await api.revokeTrustedDevice(d.id);
                      reload();
                    }}
                  />
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </Panel>
  );
}

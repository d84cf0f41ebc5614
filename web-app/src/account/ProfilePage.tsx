import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { AccountApi, Identity, Me } from "../account-api.ts";
import { errorMessage } from "../api.ts";
import { type LoginMethod, OAUTH_METHODS, type OAuthProvider } from "../auth.ts";
import { StartForm } from "../StartForm.tsx";
import { DeleteAccount } from "./DeleteAccount.tsx";
import { Ago, ConfirmButton, Loaded, Panel, useLoad } from "./ui.tsx";

const PROVIDER_LABEL: Record<string, string> = {
  email: "E-mail",
  sms: "Phone",
  siwe: "Ethereum wallet",
  siws: "Solana wallet",
  arweave: "Arweave wallet",
  google: "Google",
  github: "GitHub",
  discord: "Discord",
  twitter: "X (Twitter)",
  oidc: "Single sign-on",
};

const OAUTH: OAuthProvider[] = OAUTH_METHODS.map((o) => o.provider);

/** `oauth:github` → `github` (identities name OAuth providers with the login method's prefix). */
const providerOf = (i: Identity) => i.provider.replace(/^oauth:/, "");
const labelOf = (i: Identity) => PROVIDER_LABEL[providerOf(i)] ?? providerOf(i);

const shortSubject = (i: Identity) =>
  ["siwe", "siws", "arweave"].includes(i.provider) && i.subject.length > 16
    ? `${i.subject.slice(0, 8)}…${i.subject.slice(-6)}`
    : i.provider.startsWith("oauth:")
      ? `account ${i.subject.slice(0, 24)}`
      : i.subject;

/** Profile, linked sign-in methods (link / unlink), data export and account deletion. */
export function ProfilePage({
  api,
  allowed,
  linkToken,
  onLinkTokenUsed,
  onDeleted,
}: {
  api: AccountApi;
  allowed: Set<LoginMethod>;
  /** The token of an /account/link-email?token=… link opened in this tab. */
  linkToken: string | null;
  onLinkTokenUsed: () => void;
  /** After the deletion: the address the confirmation went to. */
  onDeleted: (email: string | null) => void;
}) {
  const { state, reload } = useLoad(api.me);
  const [notice, setNotice] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const used = useRef(false);

  useEffect(() => {
    if (!linkToken || used.current) return;
    used.current = true;
    onLinkTokenUsed();
    api.linkEmailVerify(linkToken).then(
      (i) => {
        setNotice({ tone: "info", text: `${i.subject} was added to your account.` });
        reload();
      },
      (e: unknown) => setNotice({ tone: "error", text: errorMessage(e) }),
    );
  }, [api, linkToken, onLinkTokenUsed, reload]);

  return (
    <>
      {notice && (
        <p className={`banner ${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
          {notice.text}
        </p>
      )}
      <Loaded state={state} retry={reload}>
        {(me) => (
          <>
            <Panel title="Profile">
              <dl className="facts">
                <dt>E-mail</dt>
                <dd>{me.user.email ?? <span className="muted">none</span>}</dd>
                <dt>Phone</dt>
                <dd>{me.user.phone ?? <span className="muted">none</span>}</dd>
                <dt>Two-step verification</dt>
                <dd>
                  {me.mfa.totpEnabled ? "On" : "Off"}
                  {me.mfa.passkeys > 0 && ` · ${me.mfa.passkeys} passkey${me.mfa.passkeys === 1 ? "" : "s"}`}
                </dd>
                <dt>User ID</dt>
                <dd>
                  <code>{me.user.id}</code>
                </dd>
              </dl>
            </Panel>
            <Identities me={me} api={api} allowed={allowed} onChange={reload} />
            <Panel title="Your data">
              <p className="hint">Download everything we hold about you, as JSON.</p>
              <ExportButton api={api} />
              <h3>Delete account</h3>
              <p className="hint">
                Deletes your account, sign-in methods, sessions, tokens and passkeys, and cancels subscriptions. This
                can't be undone.
              </p>
              <DeleteAccount me={me} api={api} onDeleted={onDeleted} />
            </Panel>
          </>
        )}
      </Loaded>
    </>
  );
}

function Identities({
  me,
  api,
  allowed,
  onChange,
}: {
  me: Me;
  api: AccountApi;
  allowed: Set<LoginMethod>;
  onChange: () => void;
}) {
  const linkedOAuth = new Set(me.identities.map(providerOf));
  const offerOAuth = OAUTH.filter((p) => allowed.has(`oauth:${p}` as LoginMethod) && !linkedOAuth.has(p));
  const [oauthError, setOauthError] = useState<string | null>(null);
  // The service refuses to remove the last way in (409): say so instead of offering it.
  const onlyWay = me.identities.length + me.mfa.passkeys === 1;
  async function connect(provider: OAuthProvider) {
    setOauthError(null);
    try {
      const { url } = await api.linkOAuth(provider, `${window.location.origin}/account`);
      window.location.assign(url);
    } catch (e) {
      setOauthError(errorMessage(e));
    }
  }
  return (
    <Panel title="Sign-in methods">
      {me.identities.length === 0 ? (
        <p className="notice">No linked sign-in methods.</p>
      ) : (
        <ul className="rows">
          {me.identities.map((i) => (
            <li key={i.id} className="row">
              <div>
                <b>{labelOf(i)}</b> <span className="mono">{shortSubject(i)}</span>
                <p className="hint">
                  Added <Ago iso={i.createdAt} /> · last used <Ago iso={i.lastUsedAt} />
                </p>
              </div>
              {onlyWay ? (
                <p className="hint only-way">Your only way to sign in: add another before removing it.</p>
              ) : (
                <ConfirmButton
                  label="Remove"
                  question={`Remove ${labelOf(i)}?`}
                  confirmLabel="Remove"
                  onConfirm={async () => {
                    await api.unlink(i.id);
                    onChange();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {allowed.has("email") && (
        <>
          <h3>Add an e-mail address</h3>
          <StartForm
            label="New e-mail address"
            type="email"
            autoComplete="email"
            placeholder="you@example.com"
            submitLabel="Send confirmation link"
            sentMessage="Check that inbox and open the link to confirm the address."
            onSubmit={api.linkEmailStart}
          />
        </>
      )}
      {allowed.has("sms") && <LinkPhone api={api} onLinked={onChange} />}
      {offerOAuth.length > 0 && (
        <>
          <h3>Connect an account</h3>
          <div className="button-row">
            {offerOAuth.map((p) => (
              <button key={p} type="button" onClick={() => connect(p)}>
                Connect {PROVIDER_LABEL[p]}
              </button>
            ))}
          </div>
          <p className="form-status error" role="status" aria-live="polite">
            {oauthError}
          </p>
        </>
      )}
    </Panel>
  );
}

function LinkPhone({ api, onLinked }: { api: AccountApi; onLinked: () => void }) {
  const id = useId();
  const [phone, setPhone] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [status, setStatus] = useState<{ tone: "error" | "sent"; text: string } | null>(null);
  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!phone) return;
    try {
      await api.linkSmsVerify(phone, code.trim());
      setStatus({ tone: "sent", text: `${phone} was added.` });
      setPhone(null);
      setCode("");
      onLinked();
    } catch (e) {
      setStatus({ tone: "error", text: errorMessage(e) });
    }
  }
  return (
    <>
      <h3>Add a phone number</h3>
      <StartForm
        label="New phone number"
        type="tel"
        autoComplete="tel"
        placeholder="+15551234567"
        hint="International format, starting with +"
        pattern="\+[1-9][0-9]{1,14}"
        submitLabel="Text me a code"
        sentMessage="We texted a 6-digit code to that number."
        onSubmit={async (value) => {
          await api.linkSmsStart(value);
          setPhone(value);
        }}
      />
      {phone && (
        <form className="start-form" onSubmit={verify}>
          <label htmlFor={`${id}-code`}>Code from the text</label>
          <div className="field-row">
            <input
              id={`${id}-code`}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <button type="submit" className="primary">
              Add phone
            </button>
          </div>
        </form>
      )}
      <p className={`form-status ${status?.tone ?? ""}`} role="status" aria-live="polite">
        {status?.text}
      </p>
    </>
  );
}

function ExportButton({ api }: { api: AccountApi }) {
  const [status, setStatus] = useState<string | null>(null);
  async function download() {
    setStatus("Preparing…");
    try {
      const data = await api.exportData();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = "my-account-data.json";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
      setStatus("Downloaded.");
    } catch (e) {
      setStatus(errorMessage(e));
    }
  }
  return (
    <p>
      <button type="button" onClick={download}>
        Download my data
      </button>{" "}
      <span className="hint" role="status" aria-live="polite">
        {status}
      </span>
    </p>
  );
}

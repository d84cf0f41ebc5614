import { formatBytes } from "@atlas/client/units";
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { errorMessage } from "../api.ts";

export type Load<T> = { kind: "loading" } | { kind: "ready"; data: T } | { kind: "error"; message: string };

/** Loads data for a panel: loading, ready or error, and `reload` after a change. */
export function useLoad<T>(load: () => Promise<T>): { state: Load<T>; reload: () => void } {
  const [state, setState] = useState<Load<T>>({ kind: "loading" });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the reload trigger
  useEffect(() => {
    let live = true;
    loader.current().then(
      (data) => live && setState({ kind: "ready", data }),
      (e: unknown) => live && setState({ kind: "error", message: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { state, reload };
}

/** The loading and error states of a panel; renders `children(data)` once loaded. */
export function Loaded<T>({
  state,
  retry,
  children,
}: {
  state: Load<T>;
  retry: () => void;
  children: (data: T) => ReactNode;
}) {
  if (state.kind === "loading") {
    return (
      <p className="notice" aria-busy="true">
        Loading…
      </p>
    );
  }
  if (state.kind === "error") {
    return (
      <div role="alert">
        <p className="notice error">{state.message}</p>
        <button type="button" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  return <>{children(state.data)}</>;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "5 minutes ago", with the exact time as a tooltip-free <time> element. */
export function Ago({ iso }: { iso: string | null }) {
  if (!iso) return <span>never</span>;
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < 60
      ? [seconds, "second"]
      : abs < 3600
        ? [seconds / 60, "minute"]
        : abs < 86_400
          ? [seconds / 3600, "hour"]
          : [seconds / 86_400, "day"];
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {abs < 45 ? "just now" : relative.format(Math.round(value), unit)}
    </time>
  );
}

/** A panel of an account page: a titled region. */
export function Panel({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/**
 * A destructive action that asks once more in place ("Revoke" → "Revoke this session?" Yes / No),
 * then runs `onConfirm` and reports its error next to the button.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  danger = true,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setAsking(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="confirm">
      {!asking ? (
        <button type="button" className={danger ? "danger" : ""} onClick={() => setAsking(true)}>
          {label}
        </button>
      ) : (
        <fieldset className="confirm-ask">
          <legend>{question}</legend>
          <button ref={yes} type="button" className={danger ? "danger" : "primary"} onClick={confirm} disabled={busy}>
            {busy ? "Working…" : confirmLabel}
          </button>
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
        </fieldset>
      )}
      {error && (
        <p className="form-status error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Copies text to the clipboard and says so. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setDone("Copied."),
            () => setDone("Couldn't copy — select the text and copy it."),
          )
        }
      >
        {label}
      </button>
      <span className="hint" role="status" aria-live="polite">
        {done}
      </span>
    </>
  );
}

/** A short description of a browser's user agent ("Chrome on Linux"). */
export function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : /curl|node|undici|python/i.test(ua)
            ? "Script or CLI"
            : "Browser";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad/.test(ua)
        ? "iOS"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  return os ? `${browser} on ${os}` : browser;
}

export const AMR_LABEL: Record<string, string> = {
  email: "e-mail link",
  sms: "SMS code",
  fed: "social login",
  wallet: "wallet",
  hwk: "passkey",
  otp: "authenticator code",
  backup_code: "backup code",
  pat: "access token",
  mfa: "two-step",
};

export const amrText = (amr: string[]) =>
  amr
    .filter((a) => a !== "mfa")
    .map((a) => AMR_LABEL[a] ?? a)
    .join(" + ");

/** An amount in minor units, scaled by the currency's own minor unit (JPY 0 digits, USD 2, KWD 3). */
export function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/** Sizes in the units the CLI uses too (binary: KiB, MiB, GiB; @atlas/client/units). */
export const bytes = formatBytes;

/** A fieldset of checkboxes, one per scope: its words, then its name as the API spells it. */
export function ScopeChoice<S extends string>(props: {
  legend: string;
  options: readonly S[];
  text: Readonly<Record<S, string>>;
  selected: ReadonlySet<S>;
  onChange: (next: Set<S>) => void;
}) {
  const { legend, options, text, selected, onChange } = props;
  return (
    <fieldset className="choice">
      <legend>{legend}</legend>
      {options.map((s) => (
        <label key={s} className="checkbox">
          <input
            type="checkbox"
            checked={selected.has(s)}
            onChange={(e) => {
              const next = new Set(selected);
              if (e.target.checked) next.add(s);
              else next.delete(s);
              onChange(next);
            }}
          />
          {text[s]} <code className="muted">{s}</code>
        </label>
      ))}
    </fieldset>
  );
}

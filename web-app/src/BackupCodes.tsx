import { useState } from "react";

/**
 * Backup codes, shown once: copy them or download them as a text file before moving on.
 * The codes never go to any storage; they live in this component's props until it unmounts.
 */
export function BackupCodes({ codes, issuer }: { codes: string[]; issuer: string }) {
  const [status, setStatus] = useState<string>("");
  const text = `${issuer} backup codes\nEach code works once.\n\n${codes.join("\n")}\n`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setStatus("Copied to the clipboard.");
    } catch {
      setStatus("Couldn't copy automatically — select the codes and copy them.");
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${issuer.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-backup-codes.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
    setStatus("Downloaded.");
  }

  return (
    <div className="backup-codes">
      <p className="notice">
        Keep these backup codes somewhere safe. Each one signs you in once if you lose your authenticator. They won't be
        shown again.
      </p>
      <ul className="code-grid" aria-label="Backup codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="button-row">
        <button type="button" onClick={copy}>
          Copy codes
        </button>
        <button type="button" onClick={download}>
          Download codes
        </button>
      </div>
      <p className="form-status sent" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}

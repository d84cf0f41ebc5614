// Brand marks drawn inline (simple-icons' paths, CC0): no image requests, no emoji font.
import { siDiscord, siGithub, siGoogle, siOpenid, siX } from "simple-icons";
import type { OAuthProvider } from "./auth.ts";

const BRANDS: Record<OAuthProvider, { path: string; hex: string }> = {
  google: siGoogle,
  github: siGithub,
  discord: siDiscord,
  twitter: siX,
  oidc: siOpenid,
};

function Svg({ path, color }: { path: string; color: string }) {
  return (
    <svg className="method-logo" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d={path} fill={color} />
    </svg>
  );
}

/** A provider's mark; GitHub and X are drawn in the text colour (their marks are black). */
export function ProviderLogo({ provider }: { provider: OAuthProvider }) {
  const brand = BRANDS[provider];
  const mono = provider === "github" || provider === "twitter";
  return <Svg path={brand.path} color={mono ? "currentColor" : `#${brand.hex}`} />;
}

/** A key (passkeys). */
export const KeyLogo = () => (
  <Svg
    color="currentColor"
    path="M7 14a5 5 0 1 1 4.58-7H22v4h-2v3h-3v-3h-5.42A5 5 0 0 1 7 14Zm0-3a2 2 0 1 0 0-4 2 2 0 0 0 0 4Z"
  />
);

/** A phone (SMS codes). */
export const PhoneLogo = () => (
  <Svg
    color="currentColor"
    path="M7 1h10a2 2 0 0 1 2 2v18a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2Zm0 3v15h10V4H7Zm5 16.2a1 1 0 1 0 0 2 1 1 0 0 0 0-2Z"
  />
);

/** An envelope (e-mail). */
export const MailLogo = () => (
  <Svg
    color="currentColor"
    path="M3 4h18a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm0 3.2V18h18V7.2l-9 5.6-9-5.6ZM4.3 6l7.7 4.8L19.7 6H4.3Z"
  />
);

/** A wallet (when the extension brings no icon of its own). */
export const WalletLogo = () => (
  <Svg
    color="currentColor"
    path="M3 5h16a2 2 0 0 1 2 2v1h1v8h-1v1a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2Zm0 2v10h16v-1h-5a3 3 0 0 1 0-6h5V7H3Zm11 5a1 1 0 1 0 0 2h6v-2h-6Z"
  />
);

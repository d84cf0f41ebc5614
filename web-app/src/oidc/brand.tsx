import type { CSSProperties, ReactNode } from "react";
import type { Brand } from "./interaction-api.ts";

/** Relative luminance of #rrggbb (WCAG 2.1). */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/**
 * The brand's colour as CSS variables: `--brand` for the primary buttons and the page's top
 * stripe, `--brand-text` the one of black and white that reads best on it (so any colour a
 * tenant picks keeps its buttons legible).
 */
export function brandStyle(color: string | null): CSSProperties | undefined {
  if (!color) return undefined;
  const l = luminance(color);
  const text = contrast(l, 1) >= contrast(l, 0) ? "#ffffff" : "#000000";
  return { "--brand": color, "--brand-text": text } as CSSProperties;
}

/** The hosted pages' frame: the tenant's logo and name on top, its support address below. */
export function BrandFrame({
  brand,
  fallbackName,
  children,
}: {
  brand: Brand | null;
  fallbackName: string;
  children: ReactNode;
}) {
  const name = brand?.name ?? fallbackName;
  return (
    <main className="page hosted" style={brandStyle(brand?.primaryColor ?? null)}>
      <header className="brand">
        {brand?.logoUrl && <img className="brand-logo" src={brand.logoUrl} alt="" width={48} height={48} />}
        <h1>{name}</h1>
      </header>
      {children}
      <footer className="hosted-footer">
        {brand?.supportEmail ? (
          <p>
            Need help? <a href={`mailto:${brand.supportEmail}`}>{brand.supportEmail}</a>
          </p>
        ) : (
          <p>Secured by Atlas</p>
        )}
      </footer>
    </main>
  );
}

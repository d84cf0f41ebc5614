// Writes web-app/src/login-methods.ts from service-auth's login method manifests
// (service-auth/src/methods/), so the web-app's list of methods has one source:
// `pnpm run generate:login-methods`. test/login-methods.test.ts fails when the committed file
// differs from what the manifests generate.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LOGIN_METHOD_MANIFESTS } from "../service-auth/src/methods/index.ts";

export const WEB_LOGIN_METHODS = fileURLToPath(new URL("../web-app/src/login-methods.ts", import.meta.url));

/** The web-app module: each method's id and label, in the manifests' order. */
export function renderWebLoginMethods(): string {
  const rows = LOGIN_METHOD_MANIFESTS.map(
    (m) => `  { id: ${JSON.stringify(m.id)}, label: ${JSON.stringify(m.label)} },`,
  );
  return `// Generated from service-auth's login method manifests (service-auth/src/methods/) by
// \`pnpm run generate:login-methods\`: do not edit. test/login-methods.test.ts fails when it drifts.

/** Every login method service-auth serves, with its label, in the order the sign-in page offers them. */
export const LOGIN_METHOD_LIST = [
${rows.join("\n")}
] as const;
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(WEB_LOGIN_METHODS, renderWebLoginMethods());
  console.log(`wrote ${WEB_LOGIN_METHODS}`);
}

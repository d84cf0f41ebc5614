#!/usr/bin/env node
// Runs the example relying party from the environment (see README.md).
import { startRelyingParty } from "./server.mjs";

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see README.md)`);
    process.exit(1);
  }
  return value;
};

const rp = await startRelyingParty({
  issuer: need("ATLAS_ISSUER"),
  clientId: need("CLIENT_ID"),
  clientSecret: need("CLIENT_SECRET"),
  port: Number(process.env.PORT || 5173),
  ...(process.env.SCOPE ? { scope: process.env.SCOPE } : {}),
});
console.log(`Example app on ${rp.url} — register ${rp.redirectUri} (and ${rp.postLogoutRedirectUri} after sign-out)`);

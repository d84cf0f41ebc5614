import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { loadConfig } from "./config.ts";
import { hostedRoute } from "./oidc/entry.ts";
import { HostedPage } from "./oidc/HostedPage.tsx";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("missing #root element");

// An app of a tenant sent the browser here to sign in ("Sign in with <tenant>"): the hosted
// login stands apart from the web-app's own session (see oidc/op-session.ts).
const hosted = hostedRoute();

void loadConfig().then((config) => {
  createRoot(root).render(
    <StrictMode>{hosted ? <HostedPage config={config} {...hosted} /> : <App config={config} />}</StrictMode>,
  );
});

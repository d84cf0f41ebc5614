// Stripe.js offline: the browser cannot reach js.stripe.com or api.stripe.com here, so the tests
// serve the Stripe.js peer (stripe-js-peer.js) at js.stripe.com and hand api.stripe.com's requests
// to the Stripe peer (service-auth/test/fakes/stripe.ts). The web-app's real code runs unchanged:
// @stripe/stripe-js injects its <script>, the page's CSP allows exactly these origins.
import { readFileSync } from "node:fs";
import type { BrowserContext } from "playwright-core";

const peerScript = readFileSync(new URL("./stripe-js-peer.js", import.meta.url), "utf8");

/** Routes the context's Stripe.js and Stripe API requests to the local peers. */
export async function serveStripeJs(context: BrowserContext, stripeApiUrl: string): Promise<void> {
  await context.route("https://js.stripe.com/**", (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/javascript; charset=utf-8",
      headers: { "access-control-allow-origin": "*" },
      body: peerScript,
    }),
  );
  await context.route("https://api.stripe.com/**", async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${stripeApiUrl}${url.pathname}${url.search}` });
    await route.fulfill({ response });
  });
}

// A local peer of the part of Stripe.js (https://docs.stripe.com/js) the web-app uses, served to
// Chromium in place of https://js.stripe.com/<release>/stripe.js by the browser tests, so that the
// real @stripe/stripe-js loader runs. Like Stripe.js, it talks to https://api.stripe.com with the
// publishable key and the intents' client secrets only (the tests route that origin to the Stripe
// peer, service-auth/test/fakes/stripe.ts) and resolves Stripe.js's result shapes:
// `{ setupIntent }` / `{ paymentIntent }` / `{ paymentMethod }` or `{ error }`, never rejecting on a
// declined card (https://docs.stripe.com/js/setup_intents/confirm_card_setup,
// https://docs.stripe.com/js/payment_intents/confirm_card_payment).
// Differences from Stripe.js, on purpose: the card fields are plain labelled inputs in the mount
// point rather than inputs in a js.stripe.com iframe, and the 3-D Secure window is a dialog in the
// page whose "Complete" / "Fail" buttons answer for the cardholder (as Stripe's test page does).
(() => {
  const API = "https://api.stripe.com/v1";

  /** Stripe's form encoding: nested objects as `card[number]=…`. */
  function encode(params) {
    const body = new URLSearchParams();
    const add = (key, value) => {
      if (value === undefined || value === null) return;
      if (typeof value === "object") for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
      else body.append(key, String(value));
    };
    for (const [k, v] of Object.entries(params)) add(k, v);
    return body;
  }

  /** The API error as Stripe.js hands it to the page. */
  function apiError(json) {
    const e = json?.error || {};
    const out = { type: e.type || "api_error", message: e.message || "An unexpected error occurred." };
    for (const k of ["code", "decline_code", "param", "payment_intent", "setup_intent", "payment_method"]) {
      if (e[k] !== undefined) out[k] = e[k];
    }
    return out;
  }

  const secretOk = (clientSecret) =>
    typeof clientSecret === "string" && /^(pi|seti)_[^_]+_secret_.+$/.test(clientSecret);
  const intentIdOf = (clientSecret) => clientSecret.split("_secret_")[0];

  /** A card element: number, expiry and CVC, with Stripe.js's client-side completeness checks. */
  function createCardElement() {
    const handlers = {};
    let root = null;
    const fields = {};
    const element = {
      _type: "card",
      mount(target) {
        const host = typeof target === "string" ? document.querySelector(target) : target;
        if (!host) throw new Error("IntegrationError: the element's mount point was not found.");
        root = document.createElement("div");
        root.className = "stripe-peer-card";
        const field = (name, label, autocomplete, placeholder) => {
          const wrap = document.createElement("label");
          wrap.className = "stripe-peer-field";
          const text = document.createElement("span");
          text.textContent = label;
          const input = document.createElement("input");
          input.name = name;
          input.autocomplete = autocomplete;
          input.inputMode = "numeric";
          input.placeholder = placeholder;
          input.addEventListener("input", () => {
            for (const h of handlers.change || []) h(element._state());
          });
          wrap.append(text, input);
          root.append(wrap);
          fields[name] = input;
        };
        field("cardnumber", "Card number", "cc-number", "1234 1234 1234 1234");
        field("exp-date", "Expiry (MM / YY)", "cc-exp", "MM / YY");
        field("cvc", "CVC", "cc-csc", "CVC");
        host.append(root);
        queueMicrotask(() => {
          for (const h of handlers.ready || []) h({ elementType: "card" });
        });
      },
      on(event, handler) {
        handlers[event] = [...(handlers[event] || []), handler];
        return element;
      },
      off(event, handler) {
        handlers[event] = (handlers[event] || []).filter((h) => h !== handler);
        return element;
      },
      focus() {
        fields.cardnumber?.focus();
      },
      clear() {
        for (const input of Object.values(fields)) input.value = "";
      },
      unmount() {
        root?.remove();
      },
      destroy() {
        root?.remove();
        root = null;
      },
      update() {},
      _state() {
        const problem = element._incomplete();
        return { elementType: "card", empty: !fields.cardnumber?.value, complete: !problem, error: undefined };
      },
      /** Stripe.js's validation_error for a field left incomplete, or null. */
      _incomplete() {
        const number = (fields.cardnumber?.value || "").replace(/\D/g, "");
        if (number.length < 12) return { code: "incomplete_number", message: "Your card number is incomplete." };
        if (!/^\s*\d{1,2}\s*\/\s*\d{2,4}\s*$/.test(fields["exp-date"]?.value || "")) {
          return { code: "incomplete_expiry", message: "Your card's expiration date is incomplete." };
        }
        if (!/^\d{3,4}$/.test((fields.cvc?.value || "").trim())) {
          return { code: "incomplete_cvc", message: "Your card's security code is incomplete." };
        }
        return null;
      },
      _card() {
        const [month, year] = fields["exp-date"].value.split("/").map((s) => s.trim());
        return {
          number: fields.cardnumber.value.replace(/\D/g, ""),
          exp_month: month,
          exp_year: year,
          cvc: fields.cvc.value.trim(),
        };
      },
    };
    return element;
  }

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (typeof publishableKey !== "string" || !/^pk_(test|live)_/.test(publishableKey)) {
      throw new Error("IntegrationError: Invalid value for Stripe(): apiKey should be a publishable key (pk_…).");
    }
    const key = publishableKey;

    const call = async (method, path, params) => {
      const body = encode({ ...params, key });
      const res =
        method === "GET"
          ? await fetch(`${API}${path}?${body}`, { method })
          : await fetch(`${API}${path}`, { method, body });
      const json = await res.json().catch(() => ({}));
      return { ok: res.ok, json };
    };

    /** The card from an element (or a PaymentMethod id as given): the PaymentMethod id, or the error. */
    const paymentMethodOf = async (given) => {
      if (given === undefined || given === null) return { id: null };
      if (typeof given === "string") return { id: given };
      const element = given.card;
      if (element?._type !== "card") {
        return { error: { type: "validation_error", message: "payment_method.card must be a card Element." } };
      }
      const incomplete = element._incomplete();
      if (incomplete) return { error: { type: "validation_error", ...incomplete } };
      const { ok, json } = await call("POST", "/payment_methods", {
        type: "card",
        card: element._card(),
        ...(given.billing_details ? { billing_details: given.billing_details } : {}),
      });
      return ok ? { id: json.id, paymentMethod: json } : { error: apiError(json) };
    };

    /** The 3-D Secure window: the cardholder completes or fails authentication. */
    const challenge = (intentId, clientSecret) =>
      new Promise((resolve) => {
        const overlay = document.createElement("div");
        Object.assign(overlay.style, {
          position: "fixed",
          inset: "0",
          background: "rgba(0,0,0,0.45)",
          display: "grid",
          placeItems: "center",
          zIndex: "2147483647",
        });
        const dialog = document.createElement("div");
        dialog.setAttribute("role", "dialog");
        dialog.setAttribute("aria-modal", "true");
        dialog.setAttribute("aria-labelledby", "stripe-peer-3ds-title");
        Object.assign(dialog.style, { background: "#fff", color: "#111", padding: "24px", maxWidth: "340px" });
        const title = document.createElement("h2");
        title.id = "stripe-peer-3ds-title";
        title.textContent = "3D Secure 2 Test Page";
        const text = document.createElement("p");
        text.textContent = "Your bank asks you to confirm this payment method.";
        const button = (label, outcome) => {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = label;
          b.addEventListener("click", async () => {
            b.disabled = true;
            await call("POST", `/three_d_secure_peer/${intentId}/${outcome}`, { client_secret: clientSecret });
            overlay.remove();
            resolve();
          });
          return b;
        };
        dialog.append(title, text, button("Complete", "complete"), button("Fail", "fail"));
        overlay.append(dialog);
        document.body.append(overlay);
        dialog.querySelector("button")?.focus();
      });

    /** Confirms an intent, runs its next action (3-D Secure), and answers as Stripe.js does. */
    const confirmIntent = async (kind, clientSecret, data) => {
      if (!secretOk(clientSecret)) {
        return { error: { type: "invalid_request_error", message: "Invalid value for clientSecret." } };
      }
      const id = intentIdOf(clientSecret);
      const path = kind === "setup" ? `/setup_intents/${id}` : `/payment_intents/${id}`;
      const pm = await paymentMethodOf(data?.payment_method);
      if (pm.error) return { error: pm.error };
      let intent;
      const current = await call("GET", path, { client_secret: clientSecret });
      if (!current.ok) return { error: apiError(current.json) };
      if (current.json.status === "requires_action" && !pm.id) intent = current.json;
      else {
        const confirmed = await call("POST", `${path}/confirm`, {
          client_secret: clientSecret,
          ...(pm.id ? { payment_method: pm.id } : {}),
        });
        if (!confirmed.ok) return { error: apiError(confirmed.json) };
        intent = confirmed.json;
      }
      if (intent.status === "requires_action") {
        await challenge(id, clientSecret);
        const after = await call("GET", path, { client_secret: clientSecret });
        if (!after.ok) return { error: apiError(after.json) };
        intent = after.json;
      }
      const field = kind === "setup" ? "setupIntent" : "paymentIntent";
      const lastError = kind === "setup" ? intent.last_setup_error : intent.last_payment_error;
      if (intent.status === "requires_payment_method" && lastError) {
        return { error: { ...lastError, [kind === "setup" ? "setup_intent" : "payment_intent"]: intent } };
      }
      return { [field]: intent };
    };

    return {
      _registerWrapper() {},
      elements(_options) {
        const made = {};
        return {
          create(type, _elementOptions) {
            if (type !== "card") throw new Error(`IntegrationError: the Stripe.js peer has no "${type}" Element.`);
            if (made[type]) throw new Error(`IntegrationError: Can only create one Element of type ${type}.`);
            made[type] = createCardElement();
            return made[type];
          },
          getElement(type) {
            return made[type] ?? null;
          },
        };
      },
      async createPaymentMethod(data) {
        const pm = await paymentMethodOf(data?.card ? { card: data.card } : undefined);
        return pm.error ? { error: pm.error } : { paymentMethod: pm.paymentMethod };
      },
      confirmCardSetup: (clientSecret, data) => confirmIntent("setup", clientSecret, data),
      confirmCardPayment: (clientSecret, data) => confirmIntent("payment", clientSecret, data),
      handleNextAction: ({ clientSecret }) =>
        confirmIntent(clientSecret.startsWith("seti_") ? "setup" : "payment", clientSecret, undefined),
    };
  }

  window.Stripe = Stripe;
})();

// The contract of service-auth: types generated from its /openapi.json by openapi-typescript.
// Do not edit: run `pnpm --filter @atlas/client generate` after changing a route (test/drift.test.ts checks).

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public signing keys (published before they sign, kept until their tokens expire) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JWKS */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["JWKS"];
                    };
                };
                /** @description Not modified (If-None-Match matched the ETag) */
                304: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit events of every user, newest first (admins; platform admins see every tenant) */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    eventType?: string;
                    /** @description Inclusive lower bound (ISO 8601) */
                    from?: string;
                    limit?: number;
                    /** @description Tenant slug (alternative to X-Tenant on GET) */
                    tenant?: string;
                    /** @description Platform admins only; others always see their own tenant */
                    tenantId?: string;
                    /** @description Exclusive upper bound (ISO 8601) */
                    to?: string;
                    userId?: string;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of events */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditEventPage"];
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin, or a tenant filter outside the caller's tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/billing/connect/{tenantId}/application-fee": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sets the platform's application fee on a tenant's Connect charges (platform admins)
         * @description The fee of each later charge made on behalf of the tenant's connected account is floor(amount × applicationFeeBps / 10000) minor units; refunds give it back pro rata.
         */
        put: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    tenantId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        applicationFeeBps: number;
                    };
                };
            };
            responses: {
                /** @description Set */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Invalid fee (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The tenant has no connected account */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/billing/invoices/{invoiceId}/refund": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refunds (part of) an invoice's card payment through Stripe (platform admins)
         * @description Idempotency-Key required: a retry never refunds twice. The refund is recorded once and announced to cloud-api, which issues a credit note. Connect charges reverse the transfer and the application fee pro rata. Crypto payments are refunded by hand (409).
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    invoiceId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Absent: all that is left of the payment */
                        amountMinor?: number;
                        /** @enum {string} */
                        reason: "duplicate" | "fraudulent" | "requested_by_customer";
                    };
                };
            };
            responses: {
                /** @description Refunded */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Refund"];
                    };
                };
                /** @description Invalid body or missing Idempotency-Key (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No payment for this invoice (NOT_FOUND) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Crypto payment, not paid by card, nothing left to refund, or refused by Stripe (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Stripe unreachable: retry with the same key (PROVIDER_UNAVAILABLE, Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/billing/outbox/{id}/discard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Discard a parked event: marked processed (never consumed) with the reason; the row stays; audited */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional: the same key and body within 24 h replay the first answer */
                    "idempotency-key"?: string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description The discarded event */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DiscardedOutboxEvent"];
                    };
                };
                /** @description Invalid id, or reason missing (3..500 characters) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No parked event with this id */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/billing/outbox/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Put a parked event back in its consumer's queue (attempts reset, due now); audited */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Optional: the same key and body within 24 h replay the first answer */
                    "idempotency-key"?: string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description The event as it was parked; now queued */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ParkedOutboxEvent"];
                    };
                };
                /** @description Invalid id or reason */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No parked event with this id */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/billing/outbox/parked": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Parked billing outbox events (dead letter), most recently parked first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of parked events */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["ParkedOutboxEvent"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Invalid cursor or limit */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Publish a new signing key now; it signs one JWKS cache lifetime later */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Rotation scheduled (or the pending one) */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["KeyRotation"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin (admin of the default tenant) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every tenant, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    tenant?: string;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of tenants */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Tenant"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Invalid cursor or limit */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a tenant (and its webhook signing secret, shown once)
         * @description Changes reach every instance at once (each instance's tenant cache is emptied through LISTEN/NOTIFY when the change commits; 5 s at most if a notification is lost).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TenantCreate"];
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedTenant"];
                    };
                };
                /** @description Invalid tenant */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Slug or jwtAudience already taken (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/tenants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One tenant */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Tenant */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Tenant"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change any subset of a tenant's fields; `isActive: false` deactivates it
         * @description Changes reach every instance at once (each instance's tenant cache is emptied through LISTEN/NOTIFY when the change commits; 5 s at most if a notification is lost). `settings` is merged key by key into the stored policy; `webhookUrl: null` stops webhooks.
         */
        patch: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TenantPatch"];
                };
            };
            responses: {
                /** @description Updated */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UpdatedTenant"];
                    };
                };
                /** @description Invalid change */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Slug or jwtAudience taken, or deactivating/renaming the default tenant (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/admin/tenants/{id}/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's OpenID clients, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    tenant?: string;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of clients */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["OidcClient"][];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Register a client (its secret, for secret-based authentication, is shown once) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OidcClientCreate"];
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedOidcClient"];
                    };
                };
                /** @description Invalid client */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/tenants/{id}/clients/{clientId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One client */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    clientId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OidcClient"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a client, its grants and tokens, and users' consents to it */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    clientId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change any subset of a client's fields */
        patch: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    clientId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OidcClientPatch"];
                };
            };
            responses: {
                /** @description Updated (clientSecret only when switching to a secret-based method) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UpdatedOidcClient"];
                    };
                };
                /** @description Invalid change */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/admin/tenants/{id}/clients/{clientId}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the client secret; the previous one keeps working for overlapSeconds */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    clientId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        overlapSeconds?: number;
                    };
                };
            };
            responses: {
                /** @description The new secret (shown once) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RotatedOidcClientSecret"];
                    };
                };
                /** @description Invalid overlap */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A private_key_jwt client has no secret */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/tenants/{id}/webhook-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the tenant's webhook secret; the previous one keeps signing for the grace period */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The new secret (shown once) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RotatedWebhookSecret"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/arweave/nonce": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A single-use nonce for a Arweave sign-in message (10 minutes) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Nonce */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WalletNonce"];
                    };
                };
                /** @description Arweave login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/arweave/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in with a signed Arweave sign-in message
         * @description The text layout of api.md (`Chain ID: arweave:mainnet`); `publicKey` is the owner modulus n (base64url), `signature` the RSA-PSS (SHA-256, salt 32) signature over SHA-256(message), base64url — what ArConnect's signMessage produces.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        message: string;
                        publicKey: string;
                        signature: string;
                    };
                };
            };
            responses: {
                /** @description Logged in */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Malformed message, key or signature encoding */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Arweave login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's own security events, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    eventType?: string;
                    /** @description Inclusive lower bound (ISO 8601) */
                    from?: string;
                    limit?: number;
                    /** @description Tenant slug (alternative to X-Tenant on GET) */
                    tenant?: string;
                    /** @description Exclusive upper bound (ISO 8601) */
                    to?: string;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of events */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditEventPage"];
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/connected-apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Apps the caller signed in to with Atlas and what they may read */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Connected apps, newest consent first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["ConnectedApp"][];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/connected-apps/{clientId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an app: its consent and every grant, code and refresh token it holds for the caller */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such app */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/device/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a device request: its next poll receives a PAT with the requested scopes (recent MFA where enrolled) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        user_code: string;
                    };
                };
            };
            responses: {
                /** @description Decided */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeviceRequest"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used); counted */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts or wrong codes */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/device/code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * RFC 8628 device authorization request (e.g. `atlas login`)
         * @description Form-encoded (RFC 8628 §3.1) or JSON. The device shows `user_code` (or `verification_uri_complete`) to the user and polls the token endpoint (`POST /auth/token/refresh`, form `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…`) every `interval` seconds.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description A known device client: `atlas-cli`
                         * @enum {string}
                         */
                        client_id: "atlas-cli";
                        /** @description The device's hostname, shown to the approving user and used in the PAT's name */
                        hostname?: string;
                        /** @description Space-separated scopes of the PAT asked for; default `profile:read` */
                        scope?: string;
                    };
                    "application/x-www-form-urlencoded": {
                        /**
                         * @description A known device client: `atlas-cli`
                         * @enum {string}
                         */
                        client_id: "atlas-cli";
                        /** @description The device's hostname, shown to the approving user and used in the PAT's name */
                        hostname?: string;
                        /** @description Space-separated scopes of the PAT asked for; default `profile:read` */
                        scope?: string;
                    };
                };
            };
            responses: {
                /** @description The codes */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeviceAuthorizationResponse"];
                    };
                };
                /** @description Unknown client_id or scope, bad hostname (VALIDATION_FAILED, with `error` per RFC 6749) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/device/deny": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deny a device request: its next poll receives access_denied */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        user_code: string;
                    };
                };
            };
            responses: {
                /** @description Decided */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeviceRequest"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used); counted */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts or wrong codes */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/device/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What a user code asks for: client, scopes, where the device asked from */
        get: {
            parameters: {
                query: {
                    user_code: string;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The pending request */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeviceRequest"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used); counted */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts or wrong codes */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/email/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a magic link (202 whether or not the account exists) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        redirectTo?: string;
                    };
                };
            };
            responses: {
                /** @description A link is on its way if the address can receive it */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EmailStarted"];
                    };
                };
                /** @description Invalid address or redirectTo */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description E-mail login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/email/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a magic-link token for tokens (first login creates the user) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Logged in */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"] & {
                            redirectTo: string | null;
                        };
                    };
                };
                /** @description Invalid, used or expired link (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description E-mail login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The address is an account's primary address but not one of its sign-in methods (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/identities/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Unlink one of the caller's identities, as long as another way to log in remains
         * @description An unlinked e-mail address or phone number no longer reaches the account: it also leaves the account's primary address when it was that.
         */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Unlinked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such identity */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description It is the last way to log in (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/identities/email/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a confirmation link to an address the caller wants to add */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                    };
                };
            };
            responses: {
                /** @description Link sent */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "sent";
                        };
                    };
                };
                /** @description Invalid address */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/identities/email/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm the link: the address becomes one of the caller's identities */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Linked */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Identity"];
                    };
                };
                /** @description Invalid, used or expired link, or another user's */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The address belongs to another account */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/identities/oauth/{provider}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start linking a provider to the caller: answers the URL to navigate to
         * @description Call with credentials (the response sets the `atlas_oauth` flow cookie), then navigate the browser to `url`. The callback links the provider identity and redirects to `redirectTo` with `?linked=<provider>` (or `?error=CONFLICT` when another user holds it).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    provider: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        redirectTo?: string;
                    };
                };
            };
            responses: {
                /** @description Where to send the browser */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthLinkStart"];
                    };
                };
                /** @description Invalid redirectTo */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Provider not enabled for this tenant or not configured */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown provider */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/identities/sms/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a code to a phone number the caller wants to add */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        phone: string;
                    };
                };
            };
            responses: {
                /** @description Code sent */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "sent";
                        };
                    };
                };
                /** @description Invalid phone number */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description SMS not configured on this server */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited or within the resend cooldown */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/identities/sms/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm the code: the number becomes one of the caller's identities */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                        phone: string;
                    };
                };
            };
            responses: {
                /** @description Linked */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Identity"];
                    };
                };
                /** @description Wrong, used or expired code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The number belongs to another account */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the current session and its refresh family */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Logged out */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End every session of the caller and forget their trusted devices (and their PATs when asked)
         * @description Revokes every session (with its refresh tokens) and every trusted device; with `includePats: true` also every personal access token. The body is optional.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": components["schemas"]["LogoutAllRequest"];
                };
            };
            responses: {
                /** @description Logged out everywhere */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller, their linked identities and MFA state
         * @description With an access token, or a personal access token holding `profile:read` (403 FORBIDDEN without it).
         */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Me */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A personal access token without profile:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete the caller's account; its audit trail is pseudonymised, not deleted
         * @description Users with MFA need a verification within MFA_STEP_UP_MAX_AGE_MIN (else 401 MFA_REQUIRED with an mfaToken). Live subscriptions are canceled through a `subscription.canceled` billing event.
         */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated, or MFA_REQUIRED */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The payment provider could not stop billing: nothing was deleted, try again */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every piece of personal data held about the caller, as JSON */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The export */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccountExport"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/backup-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the backup codes with a new set of 10 (recent MFA required) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description New codes, shown once */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BackupCodes"];
                    };
                };
                /** @description MFA_REQUIRED (no recent MFA on this session) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description TOTP not enabled */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/enroll": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Tenant requires MFA and the user has none: start TOTP enrolment with the login's mfaToken
         * @description Then answer `POST /auth/mfa/verify` with the mfaToken and a code from the app.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        mfaToken: string;
                    };
                };
            };
            responses: {
                /** @description Secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TotpSetup"];
                    };
                };
                /** @description Invalid mfaToken (INVALID_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The user already has MFA */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/totp/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable TOTP (recent MFA and a current code required); backup codes and trusted devices go too */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Disabled */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Wrong code, or MFA_REQUIRED (no recent MFA on this session) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/totp/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable TOTP with a code from the app; answers the 10 backup codes, once */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Enabled */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BackupCodes"];
                    };
                };
                /** @description Wrong code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending setup, or already enabled */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/totp/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start TOTP enrolment: a secret for the authenticator app (not active until enabled) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TotpSetup"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description TOTP already enabled */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/trusted-devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's trusted devices (live ones) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Devices */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["TrustedDevice"][];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/trusted-devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Stop trusting a device: its next login asks for the second factor again */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such device */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Answer an MFA_REQUIRED challenge (login or step-up) with a TOTP or backup code
         * @description At most 5 attempts per mfaToken. A login answers tokens (`amr` with both factors) and, with `trustDevice`, sets the HttpOnly `atlas_device` cookie that skips this step on this device. A step-up answers a fresh access token for the same session. Enrolment required by the tenant answers `backupCodes` too.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        backupCode?: string;
                        code?: string;
                        mfaToken: string;
                        trustDevice?: boolean;
                        webauthn?: components["schemas"]["AuthenticationResponseJSON"] & unknown;
                    };
                };
            };
            responses: {
                /** @description Verified */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            backupCodes?: string[];
                            backupCodesRemaining?: number;
                            expiresIn: number;
                            /** @description Absent for browsers of an allowed origin: they get it in the HttpOnly cookie atlas_refresh_token */
                            refreshToken?: string;
                            /** @enum {string} */
                            tokenType: "Bearer";
                            user: components["schemas"]["User"];
                        };
                    };
                };
                /** @description Unknown, used, expired or spent mfaToken (INVALID_TOKEN); wrong factor (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/webauthn/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * WebAuthn request options for the MFA step (the user's passkeys)
         * @description Then answer `POST /auth/mfa/verify` with `{ mfaToken, webauthn: <AuthenticationResponseJSON> }`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        mfaToken: string;
                    };
                };
            };
            responses: {
                /** @description Request options */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PasskeyRequestOptions"];
                    };
                };
                /** @description Origin not allowed for this tenant */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Invalid mfaToken (INVALID_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/oauth/{provider}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The provider's redirect back: completes the login or the linking
         * @description Requires the `atlas_oauth` cookie of the browser that started the flow. A login sets the refresh-token cookie and redirects to `redirectTo` (default: the web-app); the page then calls `/auth/token/refresh`. A link redirects with `?linked=<provider>`. Failures after the flow is recognised redirect with `?error=<CODE>`; an unknown, used, expired or foreign `state` answers 401 INVALID_CREDENTIALS.
         */
        get: {
            parameters: {
                query?: {
                    code?: string;
                    error?: string;
                    error_description?: string;
                    iss?: string;
                    state?: string;
                };
                header?: never;
                path: {
                    provider: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description To redirectTo: logged in (refresh cookie set), linked, or `?error=<CODE>` */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description State missing, not this browser's, unknown, used or expired (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown provider */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/oauth/{provider}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Redirect to the provider with state, PKCE (S256) and, for OIDC, a nonce
         * @description Providers: google, github, discord, twitter, and `oidc` (a generic OpenID Connect provider). A browser navigates here; the tenant comes from `X-Tenant` or `?tenant=`. Sets the HttpOnly flow cookie `atlas_oauth` that the callback requires.
         */
        get: {
            parameters: {
                query?: {
                    redirectTo?: string;
                    /** @description Tenant slug (navigations carry no header) */
                    tenant?: string;
                };
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    provider: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description To the provider's authorization endpoint */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description redirectTo is not one of the tenant's allowed origins */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Provider not enabled for this tenant or not configured */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown provider */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The provider cannot be reached */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/passkey/login/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request options; without an e-mail for discoverable credentials (conditional UI)
         * @description With an e-mail, allowCredentials lists that account's passkeys; an address without any gets a decoy entry of the same shape, so the answer does not tell whether the account exists.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email?: string;
                    };
                };
            };
            responses: {
                /** @description Request options */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PasskeyRequestOptions"];
                    };
                };
                /** @description Origin not allowed for this tenant, or invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/passkey/login/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify a passkey assertion and log in (amr hwk) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        response: components["schemas"]["AuthenticationResponseJSON"];
                    };
                };
            };
            responses: {
                /** @description Logged in */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Invalid, used or expired challenge, or a rejected assertion (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/passkey/register/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Creation options for a new passkey of the caller (challenge: single use, 5 min)
         * @description The RP ID is the host of the request's Origin, which must be one of the tenant's allowed origins. Users with MFA need a verification within MFA_STEP_UP_MAX_AGE_MIN (else 401 MFA_REQUIRED with an mfaToken), as for removing a passkey.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        friendlyName?: string;
                    };
                };
            };
            responses: {
                /** @description Creation options */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PasskeyCreationOptions"];
                    };
                };
                /** @description Origin not allowed for this tenant, or invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/passkey/register/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify the authenticator's attestation and store the passkey */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        friendlyName?: string;
                        response: components["schemas"]["RegistrationResponseJSON"];
                    };
                };
            };
            responses: {
                /** @description Registered */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Passkey"];
                    };
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, MFA_REQUIRED (users with MFA need a recent verification), or an invalid, used or expired challenge or attestation */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description This passkey is already registered (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's passkeys */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Passkeys */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Passkey"][];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/passkeys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove one of the caller's passkeys, as long as another way to log in remains */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Removed */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such passkey */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description It is the last way to log in (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Rename one of the caller's passkeys */
        patch: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        friendlyName: string;
                    };
                };
            };
            responses: {
                /** @description Renamed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Passkey"];
                    };
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such passkey */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/auth/pats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's live PATs (never their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description PATs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["PersonalAccessToken"][];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A PAT caller without profile:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a PAT; the token is shown once
         * @description With an access token (MFA users: recent MFA). With a PAT holding `profile:read` (the CLI): only scopes that PAT has, expiring no later than it, and not for users with MFA.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        expiresInDays?: number;
                        name: string;
                        scopes: ("profile:read" | "objects:read" | "objects:write" | "usage:read" | "billing:read")[];
                    };
                };
            };
            responses: {
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedPersonalAccessToken"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A PAT caller asked for more than it may grant (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/pats/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of the caller's PATs */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A PAT caller without profile:read revoking another token (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such token */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's live sessions */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Sessions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Session"][];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of the caller's sessions (its refresh family dies with it) */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such session */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/siwe/nonce": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A single-use nonce for a Ethereum sign-in message (10 minutes) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Nonce */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WalletNonce"];
                    };
                };
                /** @description Ethereum login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/siwe/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in with a signed EIP-4361 message (EOA, ERC-1271 and ERC-6492 wallets) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        message: string;
                        signature: string;
                    };
                };
            };
            responses: {
                /** @description Logged in */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Not a well-formed EIP-4361 message */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Ethereum login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The chain's RPC could not be reached (smart-contract wallets) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/siws/nonce": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A single-use nonce for a Solana sign-in message (10 minutes) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Nonce */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WalletNonce"];
                    };
                };
                /** @description Solana login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/siws/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in with a signed Solana sign-in message
         * @description Phantom's Sign-In With Solana text; `publicKey` base58 (it must be the message's address), `signature` (ed25519) base58 or base64.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        message: string;
                        publicKey: string;
                        signature: string;
                    };
                };
            };
            responses: {
                /** @description Logged in */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Malformed message, key or signature encoding */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Solana login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/sms/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Text a 6-digit code (10 min, 5 attempts) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        phone: string;
                    };
                };
            };
            responses: {
                /** @description A code is on its way */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "sent";
                        };
                    };
                };
                /** @description Not an E.164 phone number */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description SMS login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited or within the resend cooldown (Retry-After) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/sms/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange the code for tokens (first login creates the user) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                        phone: string;
                    };
                };
            };
            responses: {
                /** @description Logged in */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Wrong, used, expired or exhausted code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description SMS login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The number is an account's primary number but not one of its sign-in methods (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/token/introspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** RFC 7662 token introspection (service clients, HTTP Basic) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                        /** @enum {string} */
                        token_type_hint?: "access_token" | "refresh_token" | "pat";
                    };
                    "application/x-www-form-urlencoded": {
                        token: string;
                        /** @enum {string} */
                        token_type_hint?: "access_token" | "refresh_token" | "pat";
                    };
                };
            };
            responses: {
                /** @description Token state */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Introspection"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid client credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited: the client's introspection budget, or failed client authentications from this IP */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/token/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a refresh token (body or cookie) for a new token pair; or poll a device_code (RFC 8628)
         * @description JSON `{ refreshToken }` (or the cookie) rotates a refresh token. A form body (or JSON with `grant_type`) `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…` polls a device authorization: 200 with a PAT once approved, else 400 with an RFC 6749 error (`authorization_pending`, `slow_down`, `expired_token`, `access_denied`, `invalid_grant`).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        refreshToken?: string;
                    };
                    "application/x-www-form-urlencoded": {
                        /** @enum {string} */
                        client_id?: "atlas-cli";
                        device_code: string;
                        /** @enum {string} */
                        grant_type: "urn:ietf:params:oauth:grant-type:device_code";
                    };
                };
            };
            responses: {
                /** @description New tokens (refresh), or the device's PAT (device_code grant) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenResponse"] | components["schemas"]["DeviceTokenResponse"];
                    };
                };
                /** @description Device grant: RFC 6749 §5.2 / RFC 8628 §3.5 error */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
                /** @description Unknown, expired, revoked or reused refresh token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A cookie refresh without an allowed Origin (CSRF defence) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/token/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** RFC 7009 revocation (service client via Basic, or the token's owner via Bearer) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                        /** @enum {string} */
                        token_type_hint?: "access_token" | "refresh_token" | "pat";
                    };
                    "application/x-www-form-urlencoded": {
                        token: string;
                        /** @enum {string} */
                        token_type_hint?: "access_token" | "refresh_token" | "pat";
                    };
                };
            };
            responses: {
                /** @description Revoked, or nothing to revoke */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/connect/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's connected account status (from account.updated) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Status */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of the tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No connected account, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Creates the tenant's Stripe Connect account once (charges are then made on its behalf) */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Existed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of the tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No connected account, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/connect/onboarding-link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A Stripe-hosted onboarding link for the tenant's connected account */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Link */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            expiresAt: string;
                            url: string;
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of the tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No connected account, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/credits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's credit balance per currency and its ledger (applied to the next charges) */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Credit balance and ledger entries, newest first (at most 200) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CustomerCredits"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Token lacks billing:read */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/crypto/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verifies the transfer on chain and settles the invoice; emits payment.succeeded */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        chainId: number;
                        invoiceId: string;
                        txHash: string;
                    };
                };
            };
            responses: {
                /** @description Paid */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            chainId: number;
                            /** @description Minor units credited to the customer (overpayment or second payment) */
                            creditedMinor: number;
                            invoiceId: string;
                            logIndex: number;
                            /**
                             * @description confirmed: the transfer paid the invoice; credited: the invoice was already paid (by card), the transfer became credit
                             * @enum {string}
                             */
                            status: "confirmed" | "credited";
                            txHash: string;
                        };
                    };
                };
                /** @description Invalid request, unaccepted chain/currency, or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The transfer does not pay the invoice (reason: wrong_recipient, wrong_token, unconfirmed, reverted, not_found, before_quote, reorged, internal_transfer; amount_too_low: a partial payment, credited toward the invoice, with creditedMinor and remainingMinor) */
                402: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such invoice, no open payment request, or crypto not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/crypto/quote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A crypto payment request for an invoice: a deposit address of its own, the amount at a fresh feed price less customer credit (via Relay where configured) */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        chainId: number;
                        currency: string;
                        invoiceId: string;
                    };
                };
            };
            responses: {
                /** @description Payment request */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CryptoPaymentRequest"];
                    };
                };
                /** @description Invalid request, unaccepted chain/currency, or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such invoice, no open payment request, or crypto not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/customer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Creates the caller's Stripe customer once; emits customer.created */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Already existed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BillingProfile"];
                    };
                };
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BillingProfile"];
                    };
                };
                /** @description Missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/invoices/{id}/pay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pay now: the client secret of the invoice's one PaymentIntent (for SCA or a failed charge) */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    /** @description The invoice id (GET /v1/invoices at cloud-api) */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The PaymentIntent to confirm */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PayNow"];
                    };
                };
                /** @description Invalid invoice id or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such invoice (or another user's), or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The invoice is paid, void, or being paid by another rail; or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/payment-methods": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's payment methods */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Payment methods */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["PaymentMethod"][];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Token lacks billing:read */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/payment-methods/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Detaches one of the caller's payment methods */
        delete: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Detached */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/payment-methods/{id}/default": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Makes a payment method the default for subscriptions and invoices */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default set */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PaymentMethod"];
                    };
                };
                /** @description Missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/payment-methods/setup-intent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A SetupIntent for Stripe Elements: returns its clientSecret */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description SetupIntent */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            clientSecret: string;
                            setupIntentId: string;
                        };
                    };
                };
                /** @description Missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The plan catalogue: prices, included usage, overage prices and limits */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Plans */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Plan"][];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's billing profile, current subscription and the plan in force */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Billing state */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            plan: components["schemas"]["Plan"];
                            profile: components["schemas"]["BillingProfile"];
                            subscription: components["schemas"]["Subscription"];
                        };
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Token lacks billing:read */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** How the caller's invoices are paid: charged to the card (stripe) or paid on chain (crypto) */
        patch: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        preferredProvider: "stripe" | "crypto";
                    };
                };
            };
            responses: {
                /** @description Updated */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BillingProfile"];
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing profile yet */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/billing/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Subscribes to a plan, or upgrades/downgrades the current subscription (prorated); emits subscription.updated */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        planId: string;
                    };
                };
            };
            responses: {
                /** @description The subscription; while its first payment needs the customer (`incomplete`), also that payment's `clientSecret` */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Subscription"] & {
                            /** @description Client secret of the first invoice's PaymentIntent, for Stripe.js to confirm */
                            clientSecret?: string;
                        };
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such plan or subscription */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, free plan, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/subscriptions/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancels the current subscription at the end of its period */
        delete: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The subscription */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Subscription"];
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such plan or subscription */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, free plan, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/subscriptions/current/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resumes a subscription set to cancel at period end */
        post: {
            parameters: {
                query?: never;
                header: {
                    /** @description Required: the same key and body within 24 h replay the first answer */
                    "idempotency-key": string;
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The subscription */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Subscription"];
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such plan or subscription */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No billing customer yet, free plan, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Up */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: every dependency (database, ...) answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description A dependency is down */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/t/{slug}/interactions/{uid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A pending sign-in request of the tenant's OpenID Provider, as the hosted page shows it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    slug: string;
                    uid: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The interaction */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OidcInteraction"];
                    };
                };
                /** @description Inactive tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown or expired interaction, or unknown tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/t/{slug}/interactions/{uid}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel the sign-in: the client receives error=access_denied */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    slug: string;
                    uid: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Where the browser goes next (a top-level navigation that resumes the authorization) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OidcInteractionRedirect"];
                    };
                };
                /** @description Unknown or expired interaction */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/t/{slug}/interactions/{uid}/consent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Grant the requested scopes to the client (remembered per user, client and scopes) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    slug: string;
                    uid: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Where the browser goes next (a top-level navigation that resumes the authorization) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OidcInteractionRedirect"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Another user or tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown or expired interaction */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The interaction is not waiting for consent */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/t/{slug}/interactions/{uid}/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete the login prompt with the caller's Atlas session
         * @description 401 MFA_REQUIRED when the request asks for MFA (acr_values urn:atlas:acr:mfa) and the session has none; 401 INVALID_TOKEN 'sign in again' when prompt=login or max_age need a newer login.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    slug: string;
                    uid: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Where the browser goes next (a top-level navigation that resumes the authorization) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OidcInteractionRedirect"];
                    };
                };
                /** @description Not signed in, MFA required, or the login is too old */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A token of another tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown or expired interaction */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant named by X-Tenant, as the login page sees it
         * @description `allowedMethods`: the tenant's allowed methods that this server can serve (OAuth providers without credentials, and SMS or e-mail without a provider, are left out).
         */
        get: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Tenant slug; absent means `default` */
                    "x-tenant"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Tenant */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PublicTenant"];
                    };
                };
                /** @description Inactive tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/stripe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stripe webhook: verified on the raw body, each event id takes effect at most once */
        post: {
            parameters: {
                query?: never;
                header?: {
                    "stripe-signature"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Verified (applied, already applied, or not Atlas's) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            outcome: "applied" | "unchanged" | "duplicate" | "ignored";
                            /** @enum {boolean} */
                            received: true;
                        };
                    };
                };
                /** @description Missing or invalid signature, or a stale timestamp */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The effect failed: Stripe delivers again */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AccountExport: {
            auditEvents: components["schemas"]["AuditEvent"][];
            billing: {
                charges: {
                    [key: string]: unknown;
                }[];
                cryptoPayments: {
                    [key: string]: unknown;
                }[];
                paymentMethods: {
                    [key: string]: unknown;
                }[];
                profile: {
                    [key: string]: unknown;
                } | null;
                subscriptions: {
                    [key: string]: unknown;
                }[];
            };
            exportedAt: string;
            identities: {
                [key: string]: unknown;
            }[];
            mfa: {
                backupCodes: {
                    createdAt: string | null;
                    total: number;
                    unused: number;
                };
                totpEnabled: boolean;
                totpEnabledAt: string | null;
            };
            /** @description Names and dates; no public keys */
            passkeys: {
                [key: string]: unknown;
            }[];
            pendingSignIns: {
                magicLinks: {
                    [key: string]: unknown;
                }[];
                smsCodes: {
                    [key: string]: unknown;
                }[];
            };
            /** @description Without secrets or hashes */
            personalAccessTokens: {
                [key: string]: unknown;
            }[];
            sessions: {
                [key: string]: unknown;
            }[];
            tenant: {
                id: string;
                name: string;
                slug: string;
            };
            trustedDevices: {
                [key: string]: unknown;
            }[];
            user: {
                [key: string]: unknown;
            };
        };
        AuditEvent: {
            createdAt: string;
            details: {
                [key: string]: unknown;
            };
            deviceHash: string | null;
            eventType: string;
            geoLocation: string | null;
            id: string;
            /** @description Truncated (IPv4 /24, IPv6 /48) once older than the retention */
            ipAddress: string;
            riskScore: number;
            tenantId: string | null;
            userAgent: string | null;
            userId: string | null;
        };
        AuditEventPage: {
            items: components["schemas"]["AuditEvent"][];
            nextCursor: string | null;
        };
        AuthenticationResponseJSON: {
            /** @enum {string} */
            authenticatorAttachment?: "platform" | "cross-platform";
            clientExtensionResults: {
                [key: string]: unknown;
            };
            id: string;
            rawId: string;
            response: {
                authenticatorData: string;
                clientDataJSON: string;
                signature: string;
                userHandle?: string;
            } & {
                [key: string]: unknown;
            };
            /** @enum {string} */
            type: "public-key";
        } & {
            [key: string]: unknown;
        };
        BackupCodes: {
            backupCodes: string[];
        };
        BillingProfile: {
            createdAt: string;
            cryptoEnabled: boolean;
            defaultPaymentMethodId: string | null;
            id: string;
            preferredProvider: string;
            stripeCustomerId: string | null;
        } | null;
        ConnectedAccount: {
            /** @description Platform fee per charge in basis points: floor(amount × bps / 10000) */
            applicationFeeBps: number;
            chargesEnabled: boolean;
            detailsSubmitted: boolean;
            payoutsEnabled: boolean;
            stripeAccountId: string;
        };
        ConnectedApp: {
            clientId: string;
            grantedAt: string;
            logoUri: string | null;
            name: string;
            scopes: string[];
        };
        CreatedOidcClient: {
            client: components["schemas"]["OidcClient"];
            /** @description Shown once: Atlas stores only its SHA-256. */
            clientSecret?: string;
        };
        CreatedPersonalAccessToken: components["schemas"]["PersonalAccessToken"] & {
            token: string;
        };
        CreatedTenant: components["schemas"]["Tenant"] & {
            /** @description Shown once: store it in the webhook receiver. HMAC-SHA256 key = this string (UTF-8). */
            webhookSecret: string;
        };
        CryptoPaymentRequest: {
            address: string;
            /** @description Base units (wei, 10^-decimals) to send */
            amount: string;
            chainId: number;
            currency: string;
            decimals: number;
            expiresAt: string;
            invoiceId: string;
            paymentId: string;
            relay: {
                amountIn: string;
                requestId: string | null;
                steps: unknown[];
            } | null;
            tokenAddress: string | null;
        };
        CustomerCreditEntry: {
            /** @description Positive: credit received; negative: applied to a charge */
            amountMinor: number;
            createdAt: string;
            currency: string;
            id: string;
            invoiceId: string | null;
            /** @enum {string} */
            reason: "overpayment" | "underpayment" | "duplicate_payment" | "applied";
            /** @description eip155:chain:tx:log, stripe:pi_…, or applied:invoice:n */
            source: string;
        };
        CustomerCredits: {
            balances: {
                amountMinor: number;
                currency: string;
            }[];
            entries: components["schemas"]["CustomerCreditEntry"][];
        };
        DeviceAuthorizationResponse: {
            device_code: string;
            expires_in: number;
            interval: number;
            /** @example BCDF-GHJK */
            user_code: string;
            verification_uri: string;
            verification_uri_complete: string;
        };
        DeviceRequest: {
            clientName: string;
            createdAt: string;
            expiresAt: string;
            hostname: string | null;
            requestGeo: string | null;
            requestIp: string;
            requestUserAgent: string | null;
            scopes: string[];
            userCode: string;
        };
        DeviceTokenResponse: {
            /** @description A personal access token (`atlas_pat_…`) */
            access_token: string;
            expires_in: number;
            /** @description The PAT's id (to revoke it: DELETE /auth/pats/{id}) */
            pat_id: string;
            scope: string;
            /** @enum {string} */
            token_type: "Bearer";
        };
        DiscardedOutboxEvent: components["schemas"]["ParkedOutboxEvent"] & {
            discardedAt: string;
            discardReason: string;
        };
        EmailStarted: {
            /** @enum {string} */
            status: "sent";
        };
        Health: {
            service: string;
            /** @enum {string} */
            status: "ok";
        };
        Identity: {
            createdAt: string;
            id: string;
            lastUsedAt: string | null;
            provider: string;
            subject: string;
        };
        Introspection: {
            active: boolean;
            exp?: number;
            iat?: number;
            scope?: string;
            sid?: string;
            sub?: string;
            tid?: string;
            /** @enum {string} */
            token_type?: "access_token" | "refresh_token" | "pat";
        };
        JWKS: {
            keys: {
                [key: string]: unknown;
            }[];
        };
        KeyRotation: {
            activatesAt: string;
            kid: string;
        };
        LogoutAllRequest: {
            /** @description Also revoke every PAT */
            includePats?: boolean;
        };
        Me: {
            identities: components["schemas"]["Identity"][];
            mfa: {
                backupCodesLeft: number;
                passkeys: number;
                totpEnabled: boolean;
            };
            session: {
                amr: string[];
                id: string;
            };
            user: components["schemas"]["User"];
        };
        OAuthError: {
            /** @enum {string} */
            error: "authorization_pending" | "slow_down" | "expired_token" | "access_denied" | "invalid_grant" | "invalid_request" | "unsupported_grant_type";
            error_description: string;
            /** @description With slow_down: the interval now required */
            interval?: number;
        };
        OAuthLinkStart: {
            url: string;
        };
        OidcClient: {
            allowedScopes: string[];
            clientId: string;
            createdAt: string;
            firstParty: boolean;
            jwks: {
                keys: {
                    [key: string]: unknown;
                }[];
            } | null;
            logoUri: string | null;
            name: string;
            postLogoutRedirectUris: string[];
            previousSecretExpiresAt: string | null;
            redirectUris: string[];
            tenantId: string;
            tokenEndpointAuthMethod: string;
            updatedAt: string;
        };
        OidcClientCreate: {
            allowedScopes: ("openid" | "profile" | "email" | "phone" | "offline_access")[];
            firstParty?: boolean;
            jwks?: {
                keys: {
                    [key: string]: unknown;
                }[];
            } | null;
            /** Format: uri */
            logoUri?: string | null;
            name: string;
            postLogoutRedirectUris?: string[];
            redirectUris: string[];
            /** @enum {string} */
            tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post" | "private_key_jwt";
        };
        OidcClientPatch: {
            allowedScopes?: ("openid" | "profile" | "email" | "phone" | "offline_access")[];
            firstParty?: boolean;
            jwks?: {
                keys: {
                    [key: string]: unknown;
                }[];
            } | null;
            /** Format: uri */
            logoUri?: string | null;
            name?: string;
            postLogoutRedirectUris?: string[];
            redirectUris?: string[];
            /** @enum {string} */
            tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "private_key_jwt";
        };
        OidcInteraction: {
            client: {
                clientId: string;
                firstParty: boolean;
                logoUri: string | null;
                name: string;
                redirectHost: string;
            };
            loginHint: string | null;
            maxAge: number | null;
            /** @enum {string} */
            prompt: "login" | "consent";
            requireMfa: boolean;
            scopes: string[];
            tenant: {
                brand: {
                    logoUrl: string | null;
                    name: string;
                    primaryColor: string | null;
                    supportEmail: string | null;
                };
                name: string;
                slug: string;
            };
            uid: string;
        };
        OidcInteractionRedirect: {
            redirectTo: string;
        };
        ParkedOutboxEvent: {
            aggregateKey: string | null;
            attempts: number;
            createdAt: string;
            eventType: string;
            id: string;
            lastError: string | null;
            parkedAt: string;
            payload?: unknown;
            sourceService: string;
        };
        Passkey: {
            backedUp: boolean;
            createdAt: string;
            /** @description multiDevice (backup eligible) or singleDevice */
            deviceType: string | null;
            friendlyName: string | null;
            id: string;
            lastUsedAt: string | null;
            transports: string[];
        };
        /** @description PublicKeyCredentialCreationOptionsJSON: for navigator.credentials.create (or startRegistration) */
        PasskeyCreationOptions: {
            attestation?: string;
            authenticatorSelection?: {
                [key: string]: unknown;
            };
            challenge: string;
            excludeCredentials?: {
                id: string;
                transports?: string[];
                /** @example public-key */
                type: string;
            }[];
            pubKeyCredParams: {
                alg: number;
                /** @enum {string} */
                type: "public-key";
            }[];
            rp: {
                id?: string;
                name: string;
            };
            timeout?: number;
            user: {
                displayName: string;
                id: string;
                name: string;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description PublicKeyCredentialRequestOptionsJSON: for navigator.credentials.get (or startAuthentication) */
        PasskeyRequestOptions: {
            allowCredentials?: {
                id: string;
                transports?: string[];
                /** @example public-key */
                type: string;
            }[];
            challenge: string;
            rpId?: string;
            timeout?: number;
            userVerification?: string;
        } & {
            [key: string]: unknown;
        };
        PaymentMethod: {
            brand: string | null;
            expMonth: number | null;
            expYear: number | null;
            id: string;
            isDefault: boolean;
            last4: string | null;
            type: string;
        };
        PayNow: {
            /** @description Confirm it with Stripe.js (on-session: 3-D Secure, another card) */
            clientSecret: string;
            paymentIntentId: string;
            /** @description The PaymentIntent's status before the customer confirms it */
            status: string;
        };
        PersonalAccessToken: {
            createdAt: string;
            displayPrefix: string;
            expiresAt: string | null;
            id: string;
            lastUsedAt: string | null;
            name: string;
            scopes: string[];
        };
        Plan: {
            currency: string;
            id: string;
            includedUsage: {
                [key: string]: number;
            };
            limits: {
                maxObjectBytes: number;
                maxStorageBytes: number;
            };
            monthlyPriceMinor: number;
            name: string;
            overagePrices: {
                [key: string]: {
                    unitPriceMinor: number;
                    unitSize: number;
                };
            };
            purchasable: boolean;
            /** @description Free trial days a first subscription to the plan starts with */
            trialDays: number;
        };
        Problem: {
            code: string;
            detail: string;
            instance?: string;
            status: number;
            title: string;
            type: string;
        };
        PublicTenant: {
            allowedMethods: ("email" | "sms" | "siwe" | "siws" | "arweave" | "passkey" | "oauth:google" | "oauth:github" | "oauth:discord" | "oauth:twitter" | "oauth:oidc")[];
            brand: components["schemas"]["TenantBrand"];
            name: string;
            slug: string;
        };
        Readiness: {
            checks: {
                [key: string]: {
                    ms: number;
                    /** @enum {string} */
                    status: "ok" | "error";
                };
            };
            /** @enum {string} */
            status: "ready" | "not_ready";
        };
        Refund: {
            amountMinor: number;
            currency: string;
            /** @description The Stripe refund (re_...) */
            id: string;
            invoiceId: string;
            /** @enum {string} */
            reason: "duplicate" | "fraudulent" | "requested_by_customer";
            /** @description Connect charge: transfer and application fee reversed */
            reversedTransfer: boolean;
            /** @description Stripe's refund status (succeeded, pending, ...) */
            status: string;
        };
        RegistrationResponseJSON: {
            /** @enum {string} */
            authenticatorAttachment?: "platform" | "cross-platform";
            clientExtensionResults: {
                [key: string]: unknown;
            };
            id: string;
            rawId: string;
            response: {
                attestationObject: string;
                clientDataJSON: string;
                transports?: string[];
            } & {
                [key: string]: unknown;
            };
            /** @enum {string} */
            type: "public-key";
        } & {
            [key: string]: unknown;
        };
        RotatedOidcClientSecret: {
            /** @description Shown once: Atlas stores only its SHA-256. */
            clientSecret: string;
            previousSecretExpiresAt: string | null;
        };
        RotatedWebhookSecret: {
            previousSecretsExpireAt: string;
            /** @description Shown once: store it in the webhook receiver. HMAC-SHA256 key = this string (UTF-8). */
            webhookSecret: string;
        };
        Session: {
            amr: string[];
            createdAt: string;
            current: boolean;
            deviceHash: string | null;
            expiresAt: string;
            id: string;
            ipAddress: string | null;
            lastSeenAt: string;
            userAgent: string | null;
        };
        Subscription: {
            cancelAtPeriodEnd: boolean;
            canceledAt: string | null;
            currentPeriodEnd: string;
            currentPeriodStart: string;
            id: string;
            planId: string;
            status: string;
        } | null;
        Tenant: {
            allowedMethods: string[];
            allowedOrigins: string[];
            brand: components["schemas"]["TenantBrand"];
            createdAt: string;
            id: string;
            isActive: boolean;
            jwtAudience: string;
            name: string;
            settings: {
                [key: string]: unknown;
            };
            slug: string;
            updatedAt: string;
            webhookUrl: string | null;
        };
        TenantBrand: {
            logoUrl?: string;
            name?: string;
            /** @description #rrggbb */
            primaryColor?: string;
            supportEmail?: string;
        };
        /** @description White-label brand: hosted login/consent pages and e-mails; null removes a field */
        TenantBrandInput: {
            /** Format: uri */
            logoUrl?: string | null;
            name?: string | null;
            primaryColor?: string | null;
            /** Format: email */
            supportEmail?: string | null;
        };
        TenantCreate: {
            allowedMethods: ("email" | "sms" | "siwe" | "siws" | "arweave" | "passkey" | "oauth:google" | "oauth:github" | "oauth:discord" | "oauth:twitter" | "oauth:oidc")[];
            allowedOrigins: string[];
            brand?: components["schemas"]["TenantBrandInput"];
            isActive?: boolean;
            jwtAudience: string;
            name: string;
            settings?: {
                /** @enum {string} */
                lockout?: "soft" | "hard";
                /** @enum {string} */
                mfa?: "optional" | "required";
                risk?: {
                    challengeAt?: number;
                    denyAt?: number;
                };
            };
            /** @description Lower-case letters, digits and dashes */
            slug: string;
            /** @description Where auth events are POSTed, signed */
            webhookUrl?: string | null;
        };
        TenantPatch: {
            allowedMethods?: ("email" | "sms" | "siwe" | "siws" | "arweave" | "passkey" | "oauth:google" | "oauth:github" | "oauth:discord" | "oauth:twitter" | "oauth:oidc")[];
            allowedOrigins?: string[];
            brand?: components["schemas"]["TenantBrandInput"];
            isActive?: boolean;
            jwtAudience?: string;
            name?: string;
            settings?: {
                /** @enum {string} */
                lockout?: "soft" | "hard";
                /** @enum {string} */
                mfa?: "optional" | "required";
                risk?: {
                    challengeAt?: number;
                    denyAt?: number;
                };
            };
            /** @description Lower-case letters, digits and dashes */
            slug?: string;
            /** @description Where auth events are POSTed, signed */
            webhookUrl?: string | null;
        };
        TokenResponse: {
            accessToken: string;
            expiresIn: number;
            /** @description Absent for browsers of an allowed origin: they get it in the HttpOnly cookie atlas_refresh_token */
            refreshToken?: string;
            /** @enum {string} */
            tokenType: "Bearer";
            user: components["schemas"]["User"];
        };
        TotpSetup: {
            otpauthUrl: string;
            /** @description PNG data URL of the otpauth URL's QR code */
            qrCodeDataUrl: string;
            /** @description Base32 secret, for manual entry */
            secret: string;
        };
        TrustedDevice: {
            createdAt: string;
            current: boolean;
            expiresAt: string;
            id: string;
            label: string | null;
            lastUsedAt: string | null;
        };
        UpdatedOidcClient: components["schemas"]["OidcClient"] & {
            clientSecret?: string;
        };
        UpdatedTenant: components["schemas"]["Tenant"] & {
            /** @description Only when a webhookUrl was set on a tenant without a signing secret. Shown once: store it in the webhook receiver. HMAC-SHA256 key = this string (UTF-8). */
            webhookSecret?: string;
        };
        User: {
            displayName: string | null;
            email: string | null;
            id: string;
            phone: string | null;
            roles: string[];
            tenantId: string;
        };
        WalletNonce: {
            nonce: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

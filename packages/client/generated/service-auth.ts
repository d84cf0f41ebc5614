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
        /**
         * Public signing keys (published before they sign, kept until their tokens expire)
         * @description The JSON Web Key Set that verifies access tokens (RFC 7517). Cache it for the Cache-Control max-age; a new key is published one cache lifetime before it signs, and an old one stays until every token it signed has expired. Send If-None-Match with the ETag to get 304 when nothing changed.
         */
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
                        /**
                         * @example {
                         *       "keys": [
                         *         {
                         *           "kty": "EC",
                         *           "crv": "P-256",
                         *           "kid": "k2026-12",
                         *           "use": "sig",
                         *           "alg": "ES256",
                         *           "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                         *           "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
                         *         }
                         *       ]
                         *     }
                         */
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
        /**
         * Audit events of every user, newest first (admins; platform admins see every tenant)
         * @description For tenant admins: the events of every user of their tenant, filtered by userId, eventType and time range. Platform admins may pass tenantId to read another tenant. Same paging as GET /auth/audit.
         */
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "f0e1d2c3-b4a5-4968-8776-655443322110",
                         *           "eventType": "login_success",
                         *           "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *           "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *           "ipAddress": "203.0.113.24",
                         *           "geoLocation": "Lisbon, PT",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "riskScore": 0.1,
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "details": {
                         *             "method": "email",
                         *             "amr": [
                         *               "email",
                         *               "totp"
                         *             ]
                         *           }
                         *         },
                         *         {
                         *           "id": "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
                         *           "eventType": "pat_created",
                         *           "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *           "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *           "ipAddress": "203.0.113.24",
                         *           "geoLocation": "Lisbon, PT",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "riskScore": 0.1,
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "createdAt": "2026-12-07T09:12:40.000Z",
                         *           "details": {
                         *             "patId": "6a1d8e2f-4b3c-4d5e-9f0a-1b2c3d4e5f60",
                         *             "scopes": [
                         *               "objects:read",
                         *               "objects:write"
                         *             ]
                         *           }
                         *         }
                         *       ],
                         *       "nextCursor": "eyJjIjoiMjAyNi0xMi0wN1QwOToxMjo0MC4wMDBaIiwiaSI6ImE5YjhjN2Q2In0"
                         *     }
                         */
                        "application/json": components["schemas"]["AuditEventPage"];
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid filter or cursor",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin, or a tenant filter outside the caller's tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin, or a tenant filter outside the caller's tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "applicationFeeBps": 250
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "stripeAccountId": "acct_1QxK7rE2aY9sG0hW",
                         *       "chargesEnabled": true,
                         *       "payoutsEnabled": true,
                         *       "detailsSubmitted": true,
                         *       "applicationFeeBps": 250
                         *     }
                         */
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Invalid fee (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid fee (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The tenant has no connected account */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "The tenant has no connected account",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "amountMinor": 1000,
                     *       "reason": "requested_by_customer"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "re_3QxK6qD1zX8rF9gV",
                         *       "invoiceId": "inv_2026_12_000123",
                         *       "amountMinor": 1000,
                         *       "currency": "usd",
                         *       "status": "succeeded",
                         *       "reason": "requested_by_customer",
                         *       "reversedTransfer": false
                         *     }
                         */
                        "application/json": components["schemas"]["Refund"];
                    };
                };
                /** @description Invalid body or missing Idempotency-Key (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid body or missing Idempotency-Key (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No payment for this invoice (NOT_FOUND) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No payment for this invoice (NOT_FOUND)",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Crypto payment, not paid by card, nothing left to refund, or refused by Stripe (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "Crypto payment, not paid by card, nothing left to refund, or refused by Stripe (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Stripe unreachable: retry with the same key (PROVIDER_UNAVAILABLE, Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/provider-unavailable",
                         *       "title": "Provider unavailable",
                         *       "status": 503,
                         *       "detail": "Stripe unreachable: retry with the same key (PROVIDER_UNAVAILABLE, Retry-After)",
                         *       "code": "PROVIDER_UNAVAILABLE"
                         *     }
                         */
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
        /**
         * Discard a parked event: marked processed (never consumed) with the reason; the row stays; audited
         * @description Platform admins only, for an event that must never take effect (settled by hand, voided). The reason (3 to 500 characters) is required and audited; the row is kept for the record.
         */
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
                    /**
                     * @example {
                     *       "reason": "Invoice voided by hand (ticket 4812)"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "01JEXK4Z9M2QF7T3V8N1B6C0DR",
                         *       "eventType": "invoice.finalized",
                         *       "sourceService": "service-cloud-api",
                         *       "aggregateKey": "inv_2026_12_000123",
                         *       "attempts": 8,
                         *       "lastError": "Stripe answered 402: card_declined",
                         *       "parkedAt": "2026-12-07T08:00:00.000Z",
                         *       "createdAt": "2026-12-06T23:59:00.000Z",
                         *       "payload": {
                         *         "invoiceId": "inv_2026_12_000123",
                         *         "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "totalCents": 2900
                         *       },
                         *       "discardedAt": "2026-12-07T10:00:00.000Z",
                         *       "discardReason": "Invoice voided by hand (ticket 4812)"
                         *     }
                         */
                        "application/json": components["schemas"]["DiscardedOutboxEvent"];
                    };
                };
                /** @description Invalid id, or reason missing (3..500 characters) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid id, or reason missing (3..500 characters)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No parked event with this id */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No parked event with this id",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Put a parked event back in its consumer's queue (attempts reset, due now); audited
         * @description Platform admins only, once the cause is fixed (a card updated, a provider back). Its consumer picks it up again at once. An Idempotency-Key makes a retried request safe. The reason goes into the audit log.
         */
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
                    /**
                     * @example {
                     *       "reason": "The customer updated their card"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "01JEXK4Z9M2QF7T3V8N1B6C0DR",
                         *       "eventType": "invoice.finalized",
                         *       "sourceService": "service-cloud-api",
                         *       "aggregateKey": "inv_2026_12_000123",
                         *       "attempts": 8,
                         *       "lastError": "Stripe answered 402: card_declined",
                         *       "parkedAt": "2026-12-07T08:00:00.000Z",
                         *       "createdAt": "2026-12-06T23:59:00.000Z",
                         *       "payload": {
                         *         "invoiceId": "inv_2026_12_000123",
                         *         "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "totalCents": 2900
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["ParkedOutboxEvent"];
                    };
                };
                /** @description Invalid id or reason */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid id or reason",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No parked event with this id */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No parked event with this id",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Parked billing outbox events (dead letter), most recently parked first
         * @description Platform admins only. Billing events that failed every delivery attempt and wait for a person: the event, its payload, the attempts and the last error. Pages of up to 100 with nextCursor.
         */
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "01JEXK4Z9M2QF7T3V8N1B6C0DR",
                         *           "eventType": "invoice.finalized",
                         *           "sourceService": "service-cloud-api",
                         *           "aggregateKey": "inv_2026_12_000123",
                         *           "attempts": 8,
                         *           "lastError": "Stripe answered 402: card_declined",
                         *           "parkedAt": "2026-12-07T08:00:00.000Z",
                         *           "createdAt": "2026-12-06T23:59:00.000Z",
                         *           "payload": {
                         *             "invoiceId": "inv_2026_12_000123",
                         *             "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *             "totalCents": 2900
                         *           }
                         *         }
                         *       ],
                         *       "nextCursor": null
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid cursor or limit",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
        /**
         * Publish a new signing key now; it signs one JWKS cache lifetime later
         * @description Platform admins only. The new key is in the JWKS at once and starts signing after one JWKS cache lifetime, so every verifier has it before the first token it signs; when a rotation is already pending, that one is answered. Audited (signing_key_rotated).
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
            requestBody?: never;
            responses: {
                /** @description Rotation scheduled (or the pending one) */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "kid": "k2026-12b",
                         *       "activatesAt": "2026-12-07T10:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["KeyRotation"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin (admin of the default tenant) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin (admin of the default tenant)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
        /**
         * Every tenant, newest first
         * @description Platform admins only. Pages of up to 100 tenants (limit); pass nextCursor as cursor for the next page. Webhook secrets are never listed.
         */
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70",
                         *           "name": "Acme Robotics",
                         *           "slug": "acme",
                         *           "allowedOrigins": [
                         *             "https://app.acme.example"
                         *           ],
                         *           "allowedMethods": [
                         *             "email",
                         *             "passkey",
                         *             "oauth:github"
                         *           ],
                         *           "jwtAudience": "https://api.acme.example",
                         *           "webhookUrl": "https://hooks.acme.example/atlas",
                         *           "isActive": true,
                         *           "settings": {
                         *             "mfa": "required",
                         *             "lockout": "soft"
                         *           },
                         *           "brand": {
                         *             "name": "Acme",
                         *             "logoUrl": "https://acme.example/logo.svg",
                         *             "primaryColor": "#1d4ed8"
                         *           },
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "updatedAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       ],
                         *       "nextCursor": null
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid cursor or limit",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "name": "Acme Robotics",
                     *       "slug": "acme",
                     *       "allowedOrigins": [
                     *         "https://app.acme.example"
                     *       ],
                     *       "allowedMethods": [
                     *         "email",
                     *         "passkey",
                     *         "oauth:github"
                     *       ],
                     *       "jwtAudience": "https://api.acme.example",
                     *       "webhookUrl": "https://hooks.acme.example/atlas",
                     *       "settings": {
                     *         "mfa": "required"
                     *       }
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70",
                         *       "name": "Acme Robotics",
                         *       "slug": "acme",
                         *       "allowedOrigins": [
                         *         "https://app.acme.example"
                         *       ],
                         *       "allowedMethods": [
                         *         "email",
                         *         "passkey",
                         *         "oauth:github"
                         *       ],
                         *       "jwtAudience": "https://api.acme.example",
                         *       "webhookUrl": "https://hooks.acme.example/atlas",
                         *       "isActive": true,
                         *       "settings": {
                         *         "mfa": "required",
                         *         "lockout": "soft"
                         *       },
                         *       "brand": {
                         *         "name": "Acme",
                         *         "logoUrl": "https://acme.example/logo.svg",
                         *         "primaryColor": "#1d4ed8"
                         *       },
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "updatedAt": "2026-12-07T09:30:00.000Z",
                         *       "webhookSecret": "whsec_Zk3pR8sW1hQx7mT2vN9bC4dF6gJ0aLeU5yXo"
                         *     }
                         */
                        "application/json": components["schemas"]["CreatedTenant"];
                    };
                };
                /** @description Invalid tenant */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid tenant",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Slug or jwtAudience already taken (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "Slug or jwtAudience already taken (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * One tenant
         * @description Platform admins only: the tenant's settings, origins, login methods and JWT audience. The webhook secret is never shown again after creation or rotation.
         */
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
                        /**
                         * @example {
                         *       "id": "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70",
                         *       "name": "Acme Robotics",
                         *       "slug": "acme",
                         *       "allowedOrigins": [
                         *         "https://app.acme.example"
                         *       ],
                         *       "allowedMethods": [
                         *         "email",
                         *         "passkey",
                         *         "oauth:github"
                         *       ],
                         *       "jwtAudience": "https://api.acme.example",
                         *       "webhookUrl": "https://hooks.acme.example/atlas",
                         *       "isActive": true,
                         *       "settings": {
                         *         "mfa": "required",
                         *         "lockout": "soft"
                         *       },
                         *       "brand": {
                         *         "name": "Acme",
                         *         "logoUrl": "https://acme.example/logo.svg",
                         *         "primaryColor": "#1d4ed8"
                         *       },
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "updatedAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["Tenant"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "allowedMethods": [
                     *         "email",
                     *         "passkey"
                     *       ],
                     *       "settings": {
                     *         "lockout": "hard"
                     *       }
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70",
                         *       "name": "Acme Robotics",
                         *       "slug": "acme",
                         *       "allowedOrigins": [
                         *         "https://app.acme.example"
                         *       ],
                         *       "allowedMethods": [
                         *         "email",
                         *         "passkey"
                         *       ],
                         *       "jwtAudience": "https://api.acme.example",
                         *       "webhookUrl": "https://hooks.acme.example/atlas",
                         *       "isActive": true,
                         *       "settings": {
                         *         "mfa": "required",
                         *         "lockout": "hard"
                         *       },
                         *       "brand": {
                         *         "name": "Acme",
                         *         "logoUrl": "https://acme.example/logo.svg",
                         *         "primaryColor": "#1d4ed8"
                         *       },
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "updatedAt": "2026-12-07T10:00:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["UpdatedTenant"];
                    };
                };
                /** @description Invalid change */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid change",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Slug or jwtAudience taken, or deactivating/renaming the default tenant (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "Slug or jwtAudience taken, or deactivating/renaming the default tenant (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * The tenant's OpenID clients, newest first
         * @description Platform admins, or admins of this tenant. Pages of up to 100 clients (limit); pass nextCursor as cursor for the next page. Secrets are never listed.
         */
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "clientId": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e",
                         *           "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *           "name": "Acme Notes",
                         *           "redirectUris": [
                         *             "https://notes.acme.example/callback"
                         *           ],
                         *           "postLogoutRedirectUris": [
                         *             "https://notes.acme.example/"
                         *           ],
                         *           "allowedScopes": [
                         *             "openid",
                         *             "profile",
                         *             "email",
                         *             "offline_access"
                         *           ],
                         *           "firstParty": false,
                         *           "tokenEndpointAuthMethod": "client_secret_basic",
                         *           "jwks": null,
                         *           "logoUri": "https://notes.acme.example/logo.png",
                         *           "previousSecretExpiresAt": null,
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "updatedAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       ],
                         *       "nextCursor": null
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Register a client (its secret, for secret-based authentication, is shown once)
         * @description Platform admins, or admins of this tenant. The client id is 32 hex characters. client_secret_basic and client_secret_post clients get a secret in this answer only (Atlas keeps its SHA-256); private_key_jwt clients authenticate with a key of their jwks and get none. Redirect URIs must match exactly at authorization. Audited.
         */
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
                    /**
                     * @example {
                     *       "name": "Acme Notes",
                     *       "redirectUris": [
                     *         "https://notes.acme.example/callback"
                     *       ],
                     *       "postLogoutRedirectUris": [
                     *         "https://notes.acme.example/"
                     *       ],
                     *       "allowedScopes": [
                     *         "openid",
                     *         "profile",
                     *         "email",
                     *         "offline_access"
                     *       ],
                     *       "tokenEndpointAuthMethod": "client_secret_basic",
                     *       "logoUri": "https://notes.acme.example/logo.png"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "client": {
                         *         "clientId": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "name": "Acme Notes",
                         *         "redirectUris": [
                         *           "https://notes.acme.example/callback"
                         *         ],
                         *         "postLogoutRedirectUris": [
                         *           "https://notes.acme.example/"
                         *         ],
                         *         "allowedScopes": [
                         *           "openid",
                         *           "profile",
                         *           "email",
                         *           "offline_access"
                         *         ],
                         *         "firstParty": false,
                         *         "tokenEndpointAuthMethod": "client_secret_basic",
                         *         "jwks": null,
                         *         "logoUri": "https://notes.acme.example/logo.png",
                         *         "previousSecretExpiresAt": null,
                         *         "createdAt": "2026-12-07T09:30:00.000Z",
                         *         "updatedAt": "2026-12-07T09:30:00.000Z"
                         *       },
                         *       "clientSecret": "q7Vd2LkX9pWm4TzR8sNf1HcJ6yBg3QaE0uOi5KtZrMw"
                         *     }
                         */
                        "application/json": components["schemas"]["CreatedOidcClient"];
                    };
                };
                /** @description Invalid client */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid client",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * One client
         * @description Platform admins, or admins of this tenant. The client's settings, without its secret; previousSecretExpiresAt says until when a rotated-out secret still works.
         */
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
                        /**
                         * @example {
                         *       "clientId": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e",
                         *       "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *       "name": "Acme Notes",
                         *       "redirectUris": [
                         *         "https://notes.acme.example/callback"
                         *       ],
                         *       "postLogoutRedirectUris": [
                         *         "https://notes.acme.example/"
                         *       ],
                         *       "allowedScopes": [
                         *         "openid",
                         *         "profile",
                         *         "email",
                         *         "offline_access"
                         *       ],
                         *       "firstParty": false,
                         *       "tokenEndpointAuthMethod": "client_secret_basic",
                         *       "jwks": null,
                         *       "logoUri": "https://notes.acme.example/logo.png",
                         *       "previousSecretExpiresAt": null,
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "updatedAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["OidcClient"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such client",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a client, its grants and tokens, and users' consents to it
         * @description Platform admins, or admins of this tenant. Its authorization codes and refresh tokens stop working at once; access tokens it already holds expire on their own. Audited.
         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such client",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Change any subset of a client's fields
         * @description Platform admins, or admins of this tenant. At least one field; the others keep their values. Switching from private_key_jwt to a secret-based method issues a secret, shown once in this answer. Audited with the names of the changed fields.
         */
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
                    /**
                     * @example {
                     *       "redirectUris": [
                     *         "https://notes.acme.example/callback",
                     *         "https://beta.notes.acme.example/callback"
                     *       ]
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "clientId": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e",
                         *       "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *       "name": "Acme Notes",
                         *       "redirectUris": [
                         *         "https://notes.acme.example/callback",
                         *         "https://beta.notes.acme.example/callback"
                         *       ],
                         *       "postLogoutRedirectUris": [
                         *         "https://notes.acme.example/"
                         *       ],
                         *       "allowedScopes": [
                         *         "openid",
                         *         "profile",
                         *         "email",
                         *         "offline_access"
                         *       ],
                         *       "firstParty": false,
                         *       "tokenEndpointAuthMethod": "client_secret_basic",
                         *       "jwks": null,
                         *       "logoUri": "https://notes.acme.example/logo.png",
                         *       "previousSecretExpiresAt": null,
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "updatedAt": "2026-12-07T10:00:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["UpdatedOidcClient"];
                    };
                };
                /** @description Invalid change */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid change",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such client",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Rotate the client secret; the previous one keeps working for overlapSeconds
         * @description Platform admins, or admins of this tenant. The body is optional: without overlapSeconds (at most 30 days) the previous secret stops working at once. The new secret is shown once in this answer. Audited.
         */
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
                    /**
                     * @example {
                     *       "overlapSeconds": 86400
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "clientSecret": "Hn5rB1xW8kQ3mZ6tV0yC4pL9sD2fG7jA1eUoIw3RcNb",
                         *       "previousSecretExpiresAt": "2026-12-08T10:00:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["RotatedOidcClientSecret"];
                    };
                };
                /** @description Invalid overlap */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid overlap",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such client */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such client",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A private_key_jwt client has no secret */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "A private_key_jwt client has no secret",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Rotate the tenant's webhook secret; the previous one keeps signing for the grace period
         * @description Platform admins only. Webhooks are signed with the new secret and with the previous ones until previousSecretsExpireAt, so the receiver can switch without missing an event. The new secret is in this answer only. Audited.
         */
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
                        /**
                         * @example {
                         *       "webhookSecret": "whsec_Zk3pR8sW1hQx7mT2vN9bC4dF6gJ0aLeU5yXo",
                         *       "previousSecretsExpireAt": "2026-12-08T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["RotatedWebhookSecret"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not a platform admin */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not a platform admin",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * A single-use nonce for the Arweave sign-in message (10 minutes)
         * @description The first step of a Arweave sign-in: put this nonce in the message the wallet signs, then send both to POST /auth/arweave/verify within 10 minutes. Each nonce works once, for this tenant only.
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
                /** @description Nonce */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "nonce": "k7Qm2ZxT9vN4bC8d"
                         *     }
                         */
                        "application/json": components["schemas"]["WalletNonce"];
                    };
                };
                /** @description Arweave login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Arweave login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "message": "app.example.com wants you to sign in with your Arweave account:\nvLRHFqCw1uHu75xqB4fCDW-QxpkpJxBtFD9g4QYUbfw\n\nSign in to Atlas\n\nURI: https://app.example.com\nVersion: 1\nChain ID: arweave:mainnet\nNonce: k7Qm2ZxT9vN4bC8d\nIssued At: 2026-12-07T09:30:00.000Z",
                     *       "publicKey": "sq9JbppKLlAKtQwalfX5DagnGMlTirditXk7y4jgoeA7DEM0Z6cVPE5xMQ9kz_T9VppP6BFHtHyZCZODercEVWipzkr36tfQkR5EDGUQyLivdxUzbWgVkzw7D27PJEa4cd1Uy6r18rYLqERgbRvAZph5YJZmpSJk7r3MwnQquuktjvSpfCLFwSxP1w879-ss_JalM9ICzRi38henONio8gll6GV9-omrWwRMZer_15bspCK5txCwpY137nfKwKD5YBAuzxxcj424M7zlSHlsafBwaRwFbf8gHtW03iJER4lR4GxeY0WvnYaB3KDISHQp53a9nlbmiWO5WcHHYsR83OT2eJ0Pl3RWA-_imk_SNwGQTCjmA6tf_UVwL8HzYS2iyuu85b7iYK9ZQoh8nqbNC6qibICE4h9Fe3bN7AgitIe9XzCTOXDfMr4ahjC8kkqJ1z4zNAI6-Leei_Mgd8JtZh2vqFNZhXK0lSadFl_9Oh3AET7tUds2E7s-6zpRPd9oBZu6-kNuHDRJ6TQhZSwJ9ZO5HYsccb_G_1so72aXJymR9ggJgWr4J3bawAYYnqmvmzGklYOlE_5HVnMxf-UxpT7ztdsHbc9QEH6W2bzwxbpjTczEZs3JCCB3c-NewNHsj9PYM3b5tTlTNP9kNAwPZHWpt11t79LuNkNGt9LfOek",
                     *       "signature": "Tq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb7Kc3Ld9Jf4Hg6Ps1Rw0YeTq8Zx2Vm5Nb"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Malformed message, key or signature encoding */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Malformed message, key or signature encoding",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Arweave login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Arweave login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * The caller's own security events, newest first
         * @description Sign-ins, MFA and token changes, linked methods and billing actions of the caller, with address, approximate place, device and risk score. Pages of up to 100 (limit); pass nextCursor as cursor for the next page. Filter by eventType and a from/to time range.
         */
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "f0e1d2c3-b4a5-4968-8776-655443322110",
                         *           "eventType": "login_success",
                         *           "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *           "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *           "ipAddress": "203.0.113.24",
                         *           "geoLocation": "Lisbon, PT",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "riskScore": 0.1,
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "details": {
                         *             "method": "email",
                         *             "amr": [
                         *               "email",
                         *               "totp"
                         *             ]
                         *           }
                         *         },
                         *         {
                         *           "id": "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
                         *           "eventType": "pat_created",
                         *           "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *           "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *           "ipAddress": "203.0.113.24",
                         *           "geoLocation": "Lisbon, PT",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "riskScore": 0.1,
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "createdAt": "2026-12-07T09:12:40.000Z",
                         *           "details": {
                         *             "patId": "6a1d8e2f-4b3c-4d5e-9f0a-1b2c3d4e5f60",
                         *             "scopes": [
                         *               "objects:read",
                         *               "objects:write"
                         *             ]
                         *           }
                         *         }
                         *       ],
                         *       "nextCursor": "eyJjIjoiMjAyNi0xMi0wN1QwOToxMjo0MC4wMDBaIiwiaSI6ImE5YjhjN2Q2In0"
                         *     }
                         */
                        "application/json": components["schemas"]["AuditEventPage"];
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid filter or cursor",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Apps the caller signed in to with Atlas and what they may read
         * @description The OpenID clients the signed-in user consented to, each with the scopes granted (the union of every consent) and the time of the first consent. First-party clients that skip consent are not listed.
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
                /** @description Connected apps, newest consent first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "clientId": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e",
                         *           "name": "Acme Notes",
                         *           "logoUri": "https://notes.acme.example/logo.png",
                         *           "scopes": [
                         *             "email",
                         *             "openid",
                         *             "profile"
                         *           ],
                         *           "grantedAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       ]
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Revoke an app: its consent and every grant, code and refresh token it holds for the caller
         * @description Only the caller's own consent is touched: another user's clientId answers 404 like an unknown one. The next sign-in to the app asks for consent again. Audited.
         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such app */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such app",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Approve a device request: its next poll receives a PAT with the requested scopes (recent MFA where enrolled)
         * @description Approves the pending request of this user code: the device's next poll of POST /auth/token/refresh receives a personal access token with the requested scopes, named after the device's hostname. Users with MFA must have verified it recently (else 401 MFA_REQUIRED). Audited.
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
                    /**
                     * @example {
                     *       "user_code": "BCDF-GHJK"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "userCode": "BCDF-GHJK",
                         *       "clientName": "Atlas CLI",
                         *       "hostname": "ada-laptop",
                         *       "scopes": [
                         *         "profile:read",
                         *         "objects:read"
                         *       ],
                         *       "requestIp": "203.0.113.24",
                         *       "requestGeo": "Lisbon, PT",
                         *       "requestUserAgent": "atlas-cli/0.1.0 (linux x64)",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "expiresAt": "2026-12-07T09:45:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["DeviceRequest"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used); counted */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No pending request with this code (wrong, expired or used); counted",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts or wrong codes */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Too many attempts or wrong codes",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "client_id": "atlas-cli",
                     *       "scope": "profile:read objects:read",
                     *       "hostname": "ada-laptop"
                     *     }
                     */
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
                    /**
                     * @example {
                     *       "client_id": "atlas-cli",
                     *       "scope": "profile:read objects:read",
                     *       "hostname": "ada-laptop"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "device_code": "dc_4f8Kq2ZxN7vT1mB9cR3sW6yH0pLa",
                         *       "user_code": "BCDF-GHJK",
                         *       "verification_uri": "https://app.example.com/device",
                         *       "verification_uri_complete": "https://app.example.com/device?user_code=BCDF-GHJK",
                         *       "expires_in": 900,
                         *       "interval": 5
                         *     }
                         */
                        "application/json": components["schemas"]["DeviceAuthorizationResponse"];
                    };
                };
                /** @description Unknown client_id or scope, bad hostname (VALIDATION_FAILED, with `error` per RFC 6749) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Unknown client_id or scope, bad hostname (VALIDATION_FAILED, with `error` per RFC 6749)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Deny a device request: its next poll receives access_denied
         * @description Denies the pending request of this user code: the device's next poll receives the RFC 8628 error access_denied and no token is issued. Audited.
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
                    /**
                     * @example {
                     *       "user_code": "BCDF-GHJK"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "userCode": "BCDF-GHJK",
                         *       "clientName": "Atlas CLI",
                         *       "hostname": "ada-laptop",
                         *       "scopes": [
                         *         "profile:read",
                         *         "objects:read"
                         *       ],
                         *       "requestIp": "203.0.113.24",
                         *       "requestGeo": "Lisbon, PT",
                         *       "requestUserAgent": "atlas-cli/0.1.0 (linux x64)",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "expiresAt": "2026-12-07T09:45:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["DeviceRequest"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used); counted */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No pending request with this code (wrong, expired or used); counted",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts or wrong codes */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Too many attempts or wrong codes",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
    "/auth/device/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who a user code belongs to, for the sign-in page (no sign-in needed)
         * @description Answers only the client's name and the hostname the device reported, so the sign-in page can say "Sign in to approve Atlas CLI on ada-laptop". Where the device asked from, its scopes and the decision need sign-in (GET /auth/device/verify). Rate limited per address; a wrong, used or expired code answers 404.
         */
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
                /** @description The pending request's client and hostname */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "clientName": "Atlas CLI",
                         *       "hostname": "ada-laptop"
                         *     }
                         */
                        "application/json": components["schemas"]["DevicePreview"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No pending request with this code (wrong, expired or used)",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many requests from this address (Retry-After) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Too many requests from this address (Retry-After)",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
    "/auth/device/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What a user code asks for: client, scopes, where the device asked from
         * @description For the approval page: the signed-in user types or follows the code the device shows and sees which client asks, for which scopes, from which address and place, before approving or denying. Wrong codes are counted and rate limited.
         */
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
                        /**
                         * @example {
                         *       "userCode": "BCDF-GHJK",
                         *       "clientName": "Atlas CLI",
                         *       "hostname": "ada-laptop",
                         *       "scopes": [
                         *         "profile:read",
                         *         "objects:read"
                         *       ],
                         *       "requestIp": "203.0.113.24",
                         *       "requestGeo": "Lisbon, PT",
                         *       "requestUserAgent": "atlas-cli/0.1.0 (linux x64)",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "expiresAt": "2026-12-07T09:45:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["DeviceRequest"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending request with this code (wrong, expired or used); counted */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No pending request with this code (wrong, expired or used); counted",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts or wrong codes */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Too many attempts or wrong codes",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Send a magic link and a 6-digit code (202 whether or not the account exists)
         * @description Sends a sign-in link and a 6-digit code to the address. The answer is the same whether or not an account exists, so it cannot be used to find accounts; the first sign-in creates the user. The link (/auth/callback?token=…) and the code work once and for 15 minutes; the code only with this answer's codeToken. redirectTo, one of the tenant's origins, is where the web-app goes after signing in. Another link to the same address while the last one is unused and younger than EMAIL_RESEND_COOLDOWN_SEC (30 s) is refused: 429 RATE_LIMITED with Retry-After.
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
                    /**
                     * @example {
                     *       "email": "ada@example.com",
                     *       "redirectTo": "https://app.example.com/billing"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "status": "sent",
                         *       "expiresAt": "2026-12-07T10:15:00.000Z",
                         *       "codeToken": "ec_3hT9wQ2mZ8vK4nR7xB1cY6pL0sD5fGjA"
                         *     }
                         */
                        "application/json": components["schemas"]["EmailStarted"];
                    };
                };
                /** @description Invalid address or redirectTo */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid address or redirectTo",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description E-mail login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "E-mail login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited or within the resend cooldown (Retry-After) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited or within the resend cooldown (Retry-After)",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Exchange a magic-link token for tokens (first login creates the user)
         * @description Takes the token of the link. Single use and short-lived. Answers an access token and a refresh token (browsers of an allowed origin get the refresh token as an HttpOnly cookie instead), the user, and the redirectTo given at the start. A user with a second factor gets 401 MFA_REQUIRED with an mfaToken for POST /auth/mfa/verify.
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
                    /**
                     * @example {
                     *       "token": "el_Vq3xN8bT2mK7wZ4cR9sY1hJ6gF0dLpA5uE"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       },
                         *       "redirectTo": "https://app.example.com/billing"
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"] & {
                            redirectTo: string | null;
                        };
                    };
                };
                /** @description Invalid, used or expired link (INVALID_CREDENTIALS); or MFA_REQUIRED with `mfaToken`, `methods` and, when the flow had one, its `redirectTo` */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Invalid, used or expired link (INVALID_CREDENTIALS); or MFA_REQUIRED with `mfaToken`, `methods` and, when the flow had one, its `redirectTo`",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description E-mail login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "E-mail login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The address is an account's primary address but not one of its sign-in methods (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The address is an account's primary address but not one of its sign-in methods (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
    "/auth/email/verify-code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange the e-mail's 6-digit code for tokens, in the page that started the sign-in
         * @description `codeToken` is the start's answer: the code works only for that pending sign-in, once, for 15 minutes and 5 attempts.
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
                    /**
                     * @example {
                     *       "codeToken": "ec_3hT9wQ2mZ8vK4nR7xB1cY6pL0sD5fGjA",
                     *       "code": "482913"
                     *     }
                     */
                    "application/json": {
                        code: string;
                        codeToken: string;
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       },
                         *       "redirectTo": "https://app.example.com/billing"
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"] & {
                            redirectTo: string | null;
                        };
                    };
                };
                /** @description Not 6 digits, or no codeToken */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Not 6 digits, or no codeToken",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong, used, expired or exhausted code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong, used, expired or exhausted code (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description E-mail login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "E-mail login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The address is an account's primary address but not one of its sign-in methods (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The address is an account's primary address but not one of its sign-in methods (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Too many attempts (Retry-After) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Too many attempts (Retry-After)",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such identity */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such identity",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description It is the last way to log in (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "It is the last way to log in (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Send a confirmation link to an address the caller wants to add
         * @description Sends a link to the address; following it (POST /auth/identities/email/verify with its token, signed in as the same user) adds the address as a way to sign in. Nothing changes until then.
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
                    /**
                     * @example {
                     *       "email": "ada.work@example.com"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "status": "sent"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid address",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Confirm the link: the address becomes one of the caller's identities
         * @description Takes the token of the link sent by POST /auth/identities/email/start. The link is single use, expires, and only works for the user who asked for it. Audited.
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
                    /**
                     * @example {
                     *       "token": "el_Vq3xN8bT2mK7wZ4cR9sY1hJ6gF0dLpA5uE"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
                         *       "provider": "email",
                         *       "subject": "ada.work@example.com",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "lastUsedAt": null
                         *     }
                         */
                        "application/json": components["schemas"]["Identity"];
                    };
                };
                /** @description Invalid, used or expired link, or another user's */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Invalid, used or expired link, or another user's",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The address belongs to another account */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The address belongs to another account",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "redirectTo": "https://app.example.com/account/sign-in-methods"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "url": "https://accounts.google.com/o/oauth2/v2/auth?client_id=atlas&response_type=code&scope=openid%20email&state=Qx7mT2vN9bC4&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&nonce=Zk3pR8sW1h"
                         *     }
                         */
                        "application/json": components["schemas"]["OAuthLinkStart"];
                    };
                };
                /** @description Invalid redirectTo */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid redirectTo",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Provider not enabled for this tenant or not configured */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Provider not enabled for this tenant or not configured",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown provider */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown provider",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Send a code to a phone number the caller wants to add
         * @description Texts a 6-digit code to the number (any common format, normalised to E.164); POST /auth/identities/sms/verify with the code adds it as a way to sign in. Needs an SMS provider on the server; a resend within the cooldown answers 429.
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
                    /**
                     * @example {
                     *       "phone": "+14155550123"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "status": "sent"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid phone number",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description SMS not configured on this server */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "SMS not configured on this server",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited or within the resend cooldown */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited or within the resend cooldown",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Confirm the code: the number becomes one of the caller's identities
         * @description Takes the number and the 6-digit code sent by POST /auth/identities/sms/start. Codes are single use, expire after 10 minutes and allow 5 attempts. Audited.
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
                    /**
                     * @example {
                     *       "phone": "+14155550123",
                     *       "code": "482913"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
                         *       "provider": "sms",
                         *       "subject": "+14155550123",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "lastUsedAt": null
                         *     }
                         */
                        "application/json": components["schemas"]["Identity"];
                    };
                };
                /** @description Wrong, used or expired code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong, used or expired code (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The number belongs to another account */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The number belongs to another account",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * End the current session and its refresh family
         * @description Signs this device out: revokes the session of the access token and its refresh tokens, and clears the refresh cookie. Audited.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "includePats": true
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid body",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       },
                         *       "identities": [
                         *         {
                         *           "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
                         *           "provider": "email",
                         *           "subject": "ada@example.com",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastUsedAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       ],
                         *       "mfa": {
                         *         "totpEnabled": true,
                         *         "passkeys": 1,
                         *         "backupCodesLeft": 9
                         *       },
                         *       "session": {
                         *         "id": "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
                         *         "amr": [
                         *           "email",
                         *           "totp"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A personal access token without profile:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "A personal access token without profile:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete the caller's account; its audit trail is pseudonymised, not deleted
         * @description Users with MFA need a verification within MFA_STEP_UP_MAX_AGE_MIN (else 401 MFA_REQUIRED with an mfaToken). Live subscriptions are canceled through a `subscription.canceled` billing event. The address the account had is told by e-mail once the deletion is committed.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, or MFA_REQUIRED",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The payment provider could not stop billing: nothing was deleted, try again */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/service-unavailable",
                         *       "title": "Service unavailable",
                         *       "status": 503,
                         *       "detail": "The payment provider could not stop billing: nothing was deleted, try again",
                         *       "code": "SERVICE_UNAVAILABLE"
                         *     }
                         */
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
        /**
         * Every piece of personal data held about the caller, as JSON
         * @description The right of access (GDPR art. 15) as one JSON document: account, identities, sessions, passkeys, personal access tokens, MFA state, trusted devices, pending sign-in links and codes, the audit trail and billing records. Never secrets: no key material, token hashes or TOTP secret. Audited (data_exported).
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
                /** @description The export */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "exportedAt": "2026-12-07T11:00:00.000Z",
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "email": "ada@example.com",
                         *         "emailVerifiedAt": "2026-12-07T09:30:00.000Z",
                         *         "phone": null,
                         *         "phoneVerifiedAt": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ],
                         *         "createdAt": "2026-12-07T09:30:00.000Z",
                         *         "updatedAt": "2026-12-07T09:30:00.000Z"
                         *       },
                         *       "tenant": {
                         *         "id": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "slug": "default",
                         *         "name": "Atlas"
                         *       },
                         *       "identities": [
                         *         {
                         *           "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
                         *           "provider": "email",
                         *           "subject": "ada@example.com",
                         *           "chainFamily": null,
                         *           "metadata": {},
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastUsedAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       ],
                         *       "sessions": [
                         *         {
                         *           "id": "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
                         *           "current": true,
                         *           "amr": [
                         *             "email"
                         *           ],
                         *           "ipAddress": "203.0.113.24",
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastSeenAt": "2026-12-07T11:02:41.000Z",
                         *           "expiresAt": "2027-01-06T09:30:00.000Z",
                         *           "mfaVerifiedAt": "2026-12-07T09:30:00.000Z",
                         *           "revokedAt": null,
                         *           "revokedReason": null
                         *         }
                         *       ],
                         *       "passkeys": [
                         *         {
                         *           "id": "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f",
                         *           "friendlyName": "MacBook Touch ID",
                         *           "deviceType": "multiDevice",
                         *           "backedUp": true,
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastUsedAt": "2026-12-07T10:02:11.000Z",
                         *           "transports": [
                         *             "internal",
                         *             "hybrid"
                         *           ],
                         *           "aaguid": "fbfc3007-154e-4ecc-8c0b-6e020557d7bd"
                         *         }
                         *       ],
                         *       "personalAccessTokens": [],
                         *       "mfa": {
                         *         "totpEnabled": true,
                         *         "totpEnabledAt": "2026-12-07T09:30:00.000Z",
                         *         "backupCodes": {
                         *           "total": 10,
                         *           "unused": 9,
                         *           "createdAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       },
                         *       "trustedDevices": [],
                         *       "pendingSignIns": {
                         *         "magicLinks": [],
                         *         "smsCodes": []
                         *       },
                         *       "auditEvents": [
                         *         {
                         *           "id": "f0e1d2c3-b4a5-4968-8776-655443322110",
                         *           "eventType": "login_success",
                         *           "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *           "userId": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *           "ipAddress": "203.0.113.24",
                         *           "geoLocation": "Lisbon, PT",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "riskScore": 0.1,
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "details": {
                         *             "method": "email",
                         *             "amr": [
                         *               "email",
                         *               "totp"
                         *             ]
                         *           }
                         *         }
                         *       ],
                         *       "billing": {
                         *         "profile": null,
                         *         "paymentMethods": [],
                         *         "subscriptions": [],
                         *         "charges": [],
                         *         "cryptoPayments": []
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["AccountExport"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Replace the backup codes with a new set of 10 (recent MFA required)
         * @description The old codes stop working at once. The new ones are in this answer only. Needs a second-factor verification on this session within the step-up window. Audited.
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
            requestBody?: never;
            responses: {
                /** @description New codes, shown once */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "backupCodes": [
                         *         "7KQM-2ZXT",
                         *         "9VNB-4C8D",
                         *         "R3SW-6YH0",
                         *         "PLAE-5UXC",
                         *         "K2MQ-7VZ1",
                         *         "BN6C-R3SY",
                         *         "8DF0-GJ5A",
                         *         "LEUH-P4TW",
                         *         "9XK2-MQ7V",
                         *         "Z1BN-6CR3"
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["BackupCodes"];
                    };
                };
                /** @description MFA_REQUIRED (no recent MFA on this session) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "MFA_REQUIRED (no recent MFA on this session)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description TOTP not enabled */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "TOTP not enabled",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "mfaToken": "mfa_Zp8Wq3Tn6Vb1Kc9Xm4Rd7Ls2"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                         *       "otpauthUrl": "otpauth://totp/Atlas:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Atlas",
                         *       "qrCodeDataUrl": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAKQAAACkCAYAAAAZtYVBAAAAAklEQVR4AewaftIAAAY"
                         *     }
                         */
                        "application/json": components["schemas"]["TotpSetup"];
                    };
                };
                /** @description Invalid mfaToken (INVALID_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Invalid mfaToken (INVALID_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The user already has MFA */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The user already has MFA",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Disable TOTP (recent MFA and a current code required); backup codes and trusted devices go too
         * @description Needs a second-factor verification on this session within the step-up window and a current code. Removes the secret, the backup codes and every trusted device. Audited.
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
                    /**
                     * @example {
                     *       "code": "482913"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Wrong code, or MFA_REQUIRED (no recent MFA on this session)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
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
        /**
         * Enable TOTP with a code from the app; answers the 10 backup codes, once
         * @description Confirms the pending secret with a current 6-digit code. From then on, sign-ins on untrusted devices ask for a code. The 10 single-use backup codes are in this answer only: show them to the user to keep. Audited.
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
                    /**
                     * @example {
                     *       "code": "482913"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "backupCodes": [
                         *         "7KQM-2ZXT",
                         *         "9VNB-4C8D",
                         *         "R3SW-6YH0",
                         *         "PLAE-5UXC",
                         *         "K2MQ-7VZ1",
                         *         "BN6C-R3SY",
                         *         "8DF0-GJ5A",
                         *         "LEUH-P4TW",
                         *         "9XK2-MQ7V",
                         *         "Z1BN-6CR3"
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["BackupCodes"];
                    };
                };
                /** @description Wrong code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong code (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No pending setup, or already enabled */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "No pending setup, or already enabled",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Start TOTP enrolment: a secret for the authenticator app (not active until enabled)
         * @description Answers a new secret as base32 (for typing in), an otpauth:// URL (for opening the authenticator app on the same device) and its QR code. Nothing changes until POST /auth/mfa/totp/enable confirms a code from the app.
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
            requestBody?: never;
            responses: {
                /** @description Secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                         *       "otpauthUrl": "otpauth://totp/Atlas:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Atlas",
                         *       "qrCodeDataUrl": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAKQAAACkCAYAAAAZtYVBAAAAAklEQVR4AewaftIAAAY"
                         *     }
                         */
                        "application/json": components["schemas"]["TotpSetup"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description TOTP already enabled */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "TOTP already enabled",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * The caller's trusted devices (live ones)
         * @description Devices on which the caller chose to be trusted after a second factor (trustDevice at POST /auth/mfa/verify): sign-ins there skip the second factor until the trust expires. current marks this browser.
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
                /** @description Devices */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
                         *           "label": "ada@example.com",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastUsedAt": "2026-12-07T10:02:11.000Z",
                         *           "expiresAt": "2027-01-06T09:30:00.000Z",
                         *           "current": true
                         *         }
                         *       ]
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Stop trusting a device: its next login asks for the second factor again
         * @description Revokes one trusted device of the caller. A device of another user answers 404. Audited.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such device */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such device",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "mfaToken": "mfa_Zp8Wq3Tn6Vb1Kc9Xm4Rd7Ls2",
                     *       "code": "482913",
                     *       "trustDevice": true
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       },
                         *       "backupCodesRemaining": 9
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Unknown, used, expired or spent mfaToken (INVALID_TOKEN); wrong factor (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "mfaToken": "mfa_Zp8Wq3Tn6Vb1Kc9Xm4Rd7Ls2"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "challenge": "Hp4tW9xK2mQ7vZ1bN6cR3sY8dF0gJ5aLeU",
                         *       "rpId": "app.example.com",
                         *       "allowCredentials": [
                         *         {
                         *           "id": "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo",
                         *           "type": "public-key",
                         *           "transports": [
                         *             "internal",
                         *             "hybrid"
                         *           ]
                         *         }
                         *       ],
                         *       "timeout": 300000,
                         *       "userVerification": "preferred"
                         *     }
                         */
                        "application/json": components["schemas"]["PasskeyRequestOptions"];
                    };
                };
                /** @description Origin not allowed for this tenant */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Origin not allowed for this tenant",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Invalid mfaToken (INVALID_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Invalid mfaToken (INVALID_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "State missing, not this browser's, unknown, used or expired (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown provider */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown provider",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "redirectTo is not one of the tenant's allowed origins",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Provider not enabled for this tenant or not configured */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Provider not enabled for this tenant or not configured",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown provider */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown provider",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The provider cannot be reached */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/service-unavailable",
                         *       "title": "Service unavailable",
                         *       "status": 503,
                         *       "detail": "The provider cannot be reached",
                         *       "code": "SERVICE_UNAVAILABLE"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "email": "ada@example.com"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "challenge": "Hp4tW9xK2mQ7vZ1bN6cR3sY8dF0gJ5aLeU",
                         *       "rpId": "app.example.com",
                         *       "allowCredentials": [
                         *         {
                         *           "id": "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo",
                         *           "type": "public-key",
                         *           "transports": [
                         *             "internal",
                         *             "hybrid"
                         *           ]
                         *         }
                         *       ],
                         *       "timeout": 300000,
                         *       "userVerification": "preferred"
                         *     }
                         */
                        "application/json": components["schemas"]["PasskeyRequestOptions"];
                    };
                };
                /** @description Origin not allowed for this tenant, or invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Origin not allowed for this tenant, or invalid body",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Passkeys not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Verify a passkey assertion and log in (amr hwk)
         * @description Send what navigator.credentials.get answered (as JSON, e.g. from startAuthentication) for the options of POST /auth/passkey/login/options. A passkey with user verification is both factors at once, so no MFA challenge follows. Answers tokens as every sign-in does.
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
                    /**
                     * @example {
                     *       "response": {
                     *         "id": "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo",
                     *         "rawId": "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo",
                     *         "type": "public-key",
                     *         "authenticatorAttachment": "platform",
                     *         "clientExtensionResults": {},
                     *         "response": {
                     *           "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiSHA0dFc5eEsybVE3dloxYk42Y1Izc1k4ZEYwZ0o1YUxlVSJ9",
                     *           "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MdAAAAAQ",
                     *           "signature": "MEUCIQDx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7QoAiB4mZ8qT1vN6bC2dR7sW4hJ9gF0aLpE5uXcYk3m",
                     *           "userHandle": "W2I3ZjNjMmUtOGE0MS00ZDBi"
                     *         }
                     *       }
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid body",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Invalid, used or expired challenge, or a rejected assertion (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Invalid, used or expired challenge, or a rejected assertion (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Passkeys not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "friendlyName": "MacBook Touch ID"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "challenge": "Yk3mZ8qT1vN6bC2dR7sW4hJ9gF0aLpE5uXc",
                         *       "rp": {
                         *         "id": "app.example.com",
                         *         "name": "Atlas"
                         *       },
                         *       "user": {
                         *         "id": "W2I3ZjNjMmUtOGE0MS00ZDBi",
                         *         "name": "ada@example.com",
                         *         "displayName": "Ada Lovelace"
                         *       },
                         *       "pubKeyCredParams": [
                         *         {
                         *           "type": "public-key",
                         *           "alg": -7
                         *         },
                         *         {
                         *           "type": "public-key",
                         *           "alg": -257
                         *         }
                         *       ],
                         *       "timeout": 300000,
                         *       "excludeCredentials": [],
                         *       "authenticatorSelection": {
                         *         "residentKey": "required",
                         *         "userVerification": "preferred"
                         *       },
                         *       "attestation": "none"
                         *     }
                         */
                        "application/json": components["schemas"]["PasskeyCreationOptions"];
                    };
                };
                /** @description Origin not allowed for this tenant, or invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Origin not allowed for this tenant, or invalid body",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Passkeys not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Verify the authenticator's attestation and store the passkey
         * @description Send what navigator.credentials.create answered (as JSON, e.g. from startRegistration) for the options of POST /auth/passkey/register/options. The challenge is single use. The passkey then signs in with POST /auth/passkey/login/verify and counts as a second factor. Audited.
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
                    /**
                     * @example {
                     *       "friendlyName": "MacBook Touch ID",
                     *       "response": {
                     *         "id": "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo",
                     *         "rawId": "AWJ2d8Vx3kQe7mZtP1bN9cYf4Rs6Lh0Ug5Ka2Xw8Jn3Ti7Qo",
                     *         "type": "public-key",
                     *         "authenticatorAttachment": "platform",
                     *         "clientExtensionResults": {
                     *           "credProps": {
                     *             "rk": true
                     *           }
                     *         },
                     *         "response": {
                     *           "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiWWszbVo4cVQxdk42YkMyZFI3c1c0aEo5Z0YwYUxwRTV1WGMifQ",
                     *           "attestationObject": "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjFSZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NdAAAAAA",
                     *           "transports": [
                     *             "internal",
                     *             "hybrid"
                     *           ]
                     *         }
                     *       }
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f",
                         *       "friendlyName": "MacBook Touch ID",
                         *       "deviceType": "multiDevice",
                         *       "backedUp": true,
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "lastUsedAt": "2026-12-07T10:02:11.000Z",
                         *       "transports": [
                         *         "internal",
                         *         "hybrid"
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["Passkey"];
                    };
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid body",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, MFA_REQUIRED (users with MFA need a recent verification), or an invalid, used or expired challenge or attestation */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, MFA_REQUIRED (users with MFA need a recent verification), or an invalid, used or expired challenge or attestation",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Passkeys not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Passkeys not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description This passkey is already registered (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "This passkey is already registered (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * The caller's passkeys
         * @description Every passkey of the caller with its name, whether it syncs between devices (deviceType multiDevice, backedUp), its transports and when it was last used.
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
                /** @description Passkeys */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f",
                         *           "friendlyName": "MacBook Touch ID",
                         *           "deviceType": "multiDevice",
                         *           "backedUp": true,
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastUsedAt": "2026-12-07T10:02:11.000Z",
                         *           "transports": [
                         *             "internal",
                         *             "hybrid"
                         *           ]
                         *         }
                         *       ]
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Remove one of the caller's passkeys, as long as another way to log in remains
         * @description Users with MFA need a recent verification (else 401 MFA_REQUIRED). Refused with 409 when it is the account's last way to sign in. Audited.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such passkey */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such passkey",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description It is the last way to log in (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "It is the last way to log in (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Rename one of the caller's passkeys
         * @description Changes the name shown in the account (1 to 64 characters). A passkey of another user answers 404.
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
                    /**
                     * @example {
                     *       "friendlyName": "MacBook Touch ID"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f",
                         *       "friendlyName": "MacBook Touch ID",
                         *       "deviceType": "multiDevice",
                         *       "backedUp": true,
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "lastUsedAt": "2026-12-07T10:02:11.000Z",
                         *       "transports": [
                         *         "internal",
                         *         "hybrid"
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["Passkey"];
                    };
                };
                /** @description Invalid body */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid body",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such passkey */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such passkey",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * The caller's live PATs (never their secrets)
         * @description The caller's personal access tokens that are neither revoked nor expired: name, scopes, the first characters of the token (displayPrefix) and when it was last used. The secret itself is never shown again. A PAT caller needs `profile:read`.
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
                /** @description PATs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "6a1d8e2f-4b3c-4d5e-9f0a-1b2c3d4e5f60",
                         *           "name": "CI deploys",
                         *           "scopes": [
                         *             "objects:read",
                         *             "objects:write"
                         *           ],
                         *           "displayPrefix": "atlas_pat_6a1d8e2f",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "expiresAt": "2027-03-07T09:30:00.000Z",
                         *           "lastUsedAt": "2026-12-07T10:15:00.000Z"
                         *         }
                         *       ]
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A PAT caller without profile:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "A PAT caller without profile:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a personal access token
         * @description The token (atlas_pat_…) is in this answer once and never again; only its hash is stored. With an access token (MFA users: recent MFA). With a PAT holding `profile:read` (the CLI): only scopes that PAT has, expiring no later than it, and not for users with MFA.
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
                    /**
                     * @example {
                     *       "name": "CI deploys",
                     *       "scopes": [
                     *         "objects:read",
                     *         "objects:write"
                     *       ],
                     *       "expiresInDays": 90
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "6a1d8e2f-4b3c-4d5e-9f0a-1b2c3d4e5f60",
                         *       "name": "CI deploys",
                         *       "scopes": [
                         *         "objects:read",
                         *         "objects:write"
                         *       ],
                         *       "displayPrefix": "atlas_pat_6a1d8e2f",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "expiresAt": "2027-03-07T09:30:00.000Z",
                         *       "lastUsedAt": null,
                         *       "token": "atlas_pat_6a1d8e2f4b3c4d5e9f0a1b2c3d4e5f60Qm7TzL2wX9vN4bC8dR1sY5hJ0gK3aPfE6uV2nM7qW4x"
                         *     }
                         */
                        "application/json": components["schemas"]["CreatedPersonalAccessToken"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/mfa-required",
                         *       "title": "Multi-factor authentication required",
                         *       "status": 401,
                         *       "detail": "Not authenticated, or MFA_REQUIRED (users with MFA need a recent verification)",
                         *       "code": "MFA_REQUIRED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A PAT caller asked for more than it may grant (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "A PAT caller asked for more than it may grant (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
        /**
         * Revoke one of the caller's PATs
         * @description The token stops working at once. A PAT may always revoke itself (atlas logout); revoking another token with a PAT needs `profile:read`. Audited.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A PAT caller without profile:read revoking another token (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "A PAT caller without profile:read revoking another token (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such token */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such token",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * The caller's live sessions
         * @description Every session of the caller that is neither revoked nor expired, most recently used first; current marks the one this access token belongs to. amr says how it signed in (email, sms, siwe, passkey, totp…).
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
                /** @description Sessions */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
                         *           "current": true,
                         *           "amr": [
                         *             "email"
                         *           ],
                         *           "ipAddress": "203.0.113.24",
                         *           "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
                         *           "deviceHash": "3c1f9a7e5b2d4c6a",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "lastSeenAt": "2026-12-07T11:02:41.000Z",
                         *           "expiresAt": "2027-01-06T09:30:00.000Z"
                         *         }
                         *       ]
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * Revoke one of the caller's sessions (its refresh family dies with it)
         * @description Signs one device out: the session's refresh tokens stop working at once, and its access token lapses within its short lifetime. Audited. A session of another user answers 404.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such session */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such session",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * A single-use nonce for the Ethereum sign-in message (10 minutes)
         * @description The first step of a Ethereum sign-in: put this nonce in the message the wallet signs, then send both to POST /auth/siwe/verify within 10 minutes. Each nonce works once, for this tenant only.
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
                /** @description Nonce */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "nonce": "k7Qm2ZxT9vN4bC8d"
                         *     }
                         */
                        "application/json": components["schemas"]["WalletNonce"];
                    };
                };
                /** @description Ethereum login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Ethereum login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Log in with a signed EIP-4361 message (EOA, ERC-1271 and ERC-6492 wallets)
         * @description The message must be a Sign-In with Ethereum message (EIP-4361) for this site's domain and URI, an allowed chain, a nonce from GET /auth/siwe/nonce and a current issued-at time; signature is 0x-prefixed hex. Plain accounts are checked offline; smart-contract wallets (ERC-1271, and ERC-6492 before deployment) through the chain's RPC. The first sign-in creates the user.
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
                    /**
                     * @example {
                     *       "message": "app.example.com wants you to sign in with your Ethereum account:\n0x71C7656EC7ab88b098defB751B7401B5f6d8976F\n\nSign in to Atlas\n\nURI: https://app.example.com\nVersion: 1\nChain ID: 1\nNonce: k7Qm2ZxT9vN4bC8d\nIssued At: 2026-12-07T09:30:00.000Z",
                     *       "signature": "0x4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4fa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a11b"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Not a well-formed EIP-4361 message */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Not a well-formed EIP-4361 message",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Ethereum login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Ethereum login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The chain's RPC could not be reached (smart-contract wallets) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/service-unavailable",
                         *       "title": "Service unavailable",
                         *       "status": 503,
                         *       "detail": "The chain's RPC could not be reached (smart-contract wallets)",
                         *       "code": "SERVICE_UNAVAILABLE"
                         *     }
                         */
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
        /**
         * A single-use nonce for the Solana sign-in message (10 minutes)
         * @description The first step of a Solana sign-in: put this nonce in the message the wallet signs, then send both to POST /auth/siws/verify within 10 minutes. Each nonce works once, for this tenant only.
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
                /** @description Nonce */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "nonce": "k7Qm2ZxT9vN4bC8d"
                         *     }
                         */
                        "application/json": components["schemas"]["WalletNonce"];
                    };
                };
                /** @description Solana login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Solana login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "message": "app.example.com wants you to sign in with your Solana account:\n7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV\n\nSign in to Atlas\n\nURI: https://app.example.com\nVersion: 1\nChain ID: mainnet\nNonce: k7Qm2ZxT9vN4bC8d\nIssued At: 2026-12-07T09:30:00.000Z",
                     *       "publicKey": "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV",
                     *       "signature": "5Hy8TfJ3bR2kQw9Lm4Zx7Vc1Np6Ds3Ga8Ke2Jh5Fu9Yt4Wr7Mq1Lb6Nc3Xd8Sz2Pv5Kf9Gh1Jm4Tn7Rq2Ws6Ey"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Malformed message, key or signature encoding */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Malformed message, key or signature encoding",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Solana login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Solana login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Text a 6-digit code (10 min, 5 attempts)
         * @description Texts a 6-digit sign-in code to the number (any common format, normalised to E.164). One code per number per cooldown (429 with Retry-After within it); the first sign-in creates the user.
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
                    /**
                     * @example {
                     *       "phone": "+14155550123"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "status": "sent"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Not an E.164 phone number",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description SMS login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "SMS login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited or within the resend cooldown (Retry-After) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited or within the resend cooldown (Retry-After)",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * Exchange the code for tokens (first login creates the user)
         * @description Takes the number and the code. Answers an access token and a refresh token as every sign-in does; a user with a second factor gets 401 MFA_REQUIRED with an mfaToken for POST /auth/mfa/verify.
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
                    /**
                     * @example {
                     *       "phone": "+14155550123",
                     *       "code": "482913"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"];
                    };
                };
                /** @description Wrong, used, expired or exhausted code (INVALID_CREDENTIALS) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-credentials",
                         *       "title": "Invalid credentials",
                         *       "status": 401,
                         *       "detail": "Wrong, used, expired or exhausted code (INVALID_CREDENTIALS)",
                         *       "code": "INVALID_CREDENTIALS"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description SMS login not enabled for this tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "SMS login not enabled for this tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The number is an account's primary number but not one of its sign-in methods (CONFLICT) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The number is an account's primary number but not one of its sign-in methods (CONFLICT)",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * RFC 7662 token introspection (service clients, HTTP Basic)
         * @description For resource servers such as service-cloud-api: HTTP Basic with a service client's id and secret. Answers the token's state (active, owner, tenant, scopes, expiry) for an access token, refresh token or PAT; an unknown, expired or revoked token is simply active: false. Rate limited per client, and failed client authentications per address.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "token": "atlas_pat_6a1d8e2f4b3c4d5e9f0a1b2c3d4e5f60Qm7TzL2wX9vN4bC8dR1sY5hJ0gK3aPfE6uV2nM7qW4x",
                     *       "token_type_hint": "pat"
                     *     }
                     */
                    "application/json": {
                        token: string;
                        /** @enum {string} */
                        token_type_hint?: "access_token" | "refresh_token" | "pat";
                    };
                    /**
                     * @example {
                     *       "token": "atlas_pat_6a1d8e2f4b3c4d5e9f0a1b2c3d4e5f60Qm7TzL2wX9vN4bC8dR1sY5hJ0gK3aPfE6uV2nM7qW4x",
                     *       "token_type_hint": "pat"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "active": true,
                         *       "token_type": "pat",
                         *       "sub": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *       "tid": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *       "scope": "profile:read objects:read objects:write",
                         *       "exp": 1812345600,
                         *       "iat": 1796621400
                         *     }
                         */
                        "application/json": components["schemas"]["Introspection"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid client credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Missing or invalid client credentials",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited: the client's introspection budget, or failed client authentications from this IP */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited: the client's introspection budget, or failed client authentications from this IP",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
                    /**
                     * @example {
                     *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe"
                     *     }
                     */
                    "application/json": {
                        refreshToken?: string;
                    };
                    /**
                     * @example {
                     *       "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                     *       "device_code": "dc_4f8Kq2ZxN7vT1mB9cR3sW6yH0pLa",
                     *       "client_id": "atlas-cli"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "accessToken": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsyMDI2LTEyIn0.eyJzdWIiOiI1YjdmM2MyZSJ9.c2lnbmF0dXJl",
                         *       "refreshToken": "rt_9QmZ3k7VtY2pX8cN4bW6hJ1sD5fG0aLe",
                         *       "tokenType": "Bearer",
                         *       "expiresIn": 900,
                         *       "user": {
                         *         "id": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *         "tenantId": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *         "email": "ada@example.com",
                         *         "phone": null,
                         *         "displayName": "Ada Lovelace",
                         *         "roles": [
                         *           "user"
                         *         ]
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["TokenResponse"] | components["schemas"]["DeviceTokenResponse"];
                    };
                };
                /** @description Device grant: RFC 6749 §5.2 / RFC 8628 §3.5 error */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "error": "authorization_pending",
                         *       "error_description": "The user has not approved the request yet"
                         *     }
                         */
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
                /** @description Unknown, expired, revoked or reused refresh token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Unknown, expired, revoked or reused refresh token",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A cookie refresh without an allowed Origin (CSRF defence) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "A cookie refresh without an allowed Origin (CSRF defence)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Rate limited */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/rate-limited",
                         *       "title": "Too many requests",
                         *       "status": 429,
                         *       "detail": "Rate limited",
                         *       "code": "RATE_LIMITED"
                         *     }
                         */
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
        /**
         * RFC 7009 revocation (service client via Basic, or the token's owner via Bearer)
         * @description Revokes an access token's session, a refresh token's family or a PAT. A service client (HTTP Basic) may revoke any token; a user (Bearer) only their own. As RFC 7009 asks, an unknown or already revoked token also answers 200, so the answer says nothing about the token.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "token": "atlas_pat_6a1d8e2f4b3c4d5e9f0a1b2c3d4e5f60Qm7TzL2wX9vN4bC8dR1sY5hJ0gK3aPfE6uV2nM7qW4x",
                     *       "token_type_hint": "pat"
                     *     }
                     */
                    "application/json": {
                        token: string;
                        /** @enum {string} */
                        token_type_hint?: "access_token" | "refresh_token" | "pat";
                    };
                    /**
                     * @example {
                     *       "token": "atlas_pat_6a1d8e2f4b3c4d5e9f0a1b2c3d4e5f60Qm7TzL2wX9vN4bC8dR1sY5hJ0gK3aPfE6uV2nM7qW4x",
                     *       "token_type_hint": "pat"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
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
        /**
         * The tenant's connected account status (from account.updated)
         * @description Tenant admins only: whether the account may take charges and receive payouts, whether its details are complete, and the platform's fee.
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
                /** @description Status */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "stripeAccountId": "acct_1QxK7rE2aY9sG0hW",
                         *       "chargesEnabled": true,
                         *       "payoutsEnabled": true,
                         *       "detailsSubmitted": true,
                         *       "applicationFeeBps": 250
                         *     }
                         */
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of the tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of the tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No connected account, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No connected account, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Creates the tenant's Stripe Connect account once (charges are then made on its behalf)
         * @description Tenant admins only. The first call creates the connected account (201), later calls answer it (200). Its users' charges are then made on behalf of the account, less the platform's application fee; POST /billing/connect/onboarding-link completes its details.
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
                        /**
                         * @example {
                         *       "stripeAccountId": "acct_1QxK7rE2aY9sG0hW",
                         *       "chargesEnabled": true,
                         *       "payoutsEnabled": true,
                         *       "detailsSubmitted": true,
                         *       "applicationFeeBps": 250
                         *     }
                         */
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "stripeAccountId": "acct_1QxK7rE2aY9sG0hW",
                         *       "chargesEnabled": false,
                         *       "payoutsEnabled": false,
                         *       "detailsSubmitted": false,
                         *       "applicationFeeBps": 250
                         *     }
                         */
                        "application/json": components["schemas"]["ConnectedAccount"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of the tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of the tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No connected account, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No connected account, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * A Stripe-hosted onboarding link for the tenant's connected account
         * @description Tenant admins only. Send the admin's browser to url before expiresAt (a few minutes) to enter the business and bank details Stripe asks for; the account's status follows through Stripe's account.updated events.
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
                        /**
                         * @example {
                         *       "url": "https://connect.stripe.com/setup/e/acct_1QxK7rE2aY9sG0hW/Zk3pR8sW1hQx",
                         *       "expiresAt": "2026-12-07T09:35:00.000Z"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not an admin of the tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Not an admin of the tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No connected account, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No connected account, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * The caller's credit balance per currency and its ledger (applied to the next charges)
         * @description Credit comes from overpaid or duplicate payments (on chain or by card) and is taken off the next invoices before they are charged. Amounts are integer minor units; the ledger lists the latest 200 entries, newest first. Needs `billing:read`.
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
                /** @description Credit balance and ledger entries, newest first (at most 200) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "balances": [
                         *         {
                         *           "currency": "usd",
                         *           "amountMinor": 350
                         *         }
                         *       ],
                         *       "entries": [
                         *         {
                         *           "id": "7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f",
                         *           "amountMinor": -150,
                         *           "currency": "usd",
                         *           "reason": "applied",
                         *           "source": "applied:invoice:inv_2026_12_000123",
                         *           "invoiceId": "inv_2026_12_000123",
                         *           "createdAt": "2026-12-01T00:05:00.000Z"
                         *         },
                         *         {
                         *           "id": "3a5c7e9b-1d3f-4b7d-9f1a-3c5e7a9b1d3f",
                         *           "amountMinor": 500,
                         *           "currency": "usd",
                         *           "reason": "overpayment",
                         *           "source": "eip155:8453:0x9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9:4",
                         *           "invoiceId": "inv_2026_11_000098",
                         *           "createdAt": "2026-11-02T14:21:00.000Z"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["CustomerCredits"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Token lacks billing:read */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Token lacks billing:read",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
        /**
         * Verifies the transfer on chain and settles the invoice; emits payment.succeeded
         * @description Reads the transaction from the chain: it must pay the quoted address, in the quoted token, at least the quoted amount, with enough confirmations. More than due becomes credit; less is credited toward the invoice (402 amount_too_low). A transaction pays one invoice only.
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
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "invoiceId": "inv_2026_12_000123",
                     *       "chainId": 8453,
                     *       "txHash": "0x9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "invoiceId": "inv_2026_12_000123",
                         *       "chainId": 8453,
                         *       "txHash": "0x9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
                         *       "logIndex": 4,
                         *       "status": "confirmed",
                         *       "creditedMinor": 0
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request, unaccepted chain/currency, or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The transfer does not pay the invoice (reason: wrong_recipient, wrong_token, unconfirmed, reverted, not_found, before_quote, reorged, internal_transfer; amount_too_low: a partial payment, credited toward the invoice, with creditedMinor and remainingMinor) */
                402: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/payment-failed",
                         *       "title": "Payment failed",
                         *       "status": 402,
                         *       "detail": "The transfer does not pay the invoice (reason: wrong_recipient, wrong_token, unconfirmed, reverted, not_found, before_quote, reorged, internal_transfer; amount_too_low: a partial payment, credited toward the invoice, with creditedMinor and remainingMinor)",
                         *       "code": "PAYMENT_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such invoice, no open payment request, or crypto not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such invoice, no open payment request, or crypto not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/service-unavailable",
                         *       "title": "Service unavailable",
                         *       "status": 503,
                         *       "detail": "The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable",
                         *       "code": "SERVICE_UNAVAILABLE"
                         *     }
                         */
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
        /**
         * A crypto payment request for an invoice: a deposit address of its own, the amount at a fresh feed price less customer credit (via Relay where configured)
         * @description Send exactly amount (in the token's base units) of currency on chainId to address before expiresAt, then call POST /billing/crypto/confirm with the transaction hash. The price comes from the chain's price feed and must be fresh (else 503 stale_rate).
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
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "invoiceId": "inv_2026_12_000123",
                     *       "chainId": 8453,
                     *       "currency": "USDC"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "paymentId": "8e0a2c4e-6a8c-4e0a-8c2e-4a6c8e0a2c4e",
                         *       "invoiceId": "inv_2026_12_000123",
                         *       "chainId": 8453,
                         *       "currency": "USDC",
                         *       "tokenAddress": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                         *       "decimals": 6,
                         *       "address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                         *       "amount": "20000000",
                         *       "expiresAt": "2026-12-07T09:45:00.000Z",
                         *       "relay": null
                         *     }
                         */
                        "application/json": components["schemas"]["CryptoPaymentRequest"];
                    };
                };
                /** @description Invalid request, unaccepted chain/currency, or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request, unaccepted chain/currency, or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such invoice, no open payment request, or crypto not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such invoice, no open payment request, or crypto not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "Already paid (also from credit), transfer already used, a card payment of the invoice is processing, or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/service-unavailable",
                         *       "title": "Service unavailable",
                         *       "status": 503,
                         *       "detail": "The chain's price feed is stale or unreadable (reason stale_rate), Stripe or Relay unreachable",
                         *       "code": "SERVICE_UNAVAILABLE"
                         *     }
                         */
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
        /**
         * Creates the caller's Stripe customer once; emits customer.created
         * @description Idempotent: the first call creates the Stripe customer and the billing profile (201), later calls answer the existing profile (200). Takes an Idempotency-Key like every billing write.
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
                        /**
                         * @example {
                         *       "id": "4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c",
                         *       "stripeCustomerId": "cus_R7xQmZ2kT9vN4b",
                         *       "preferredProvider": "stripe",
                         *       "cryptoEnabled": false,
                         *       "defaultPaymentMethodId": "pm_1QxK2mZ9vT4nB7cR",
                         *       "createdAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["BillingProfile"];
                    };
                };
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c",
                         *       "stripeCustomerId": "cus_R7xQmZ2kT9vN4b",
                         *       "preferredProvider": "stripe",
                         *       "cryptoEnabled": false,
                         *       "defaultPaymentMethodId": "pm_1QxK2mZ9vT4nB7cR",
                         *       "createdAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["BillingProfile"];
                    };
                };
                /** @description Missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "A request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
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
        /**
         * Pay now: the client secret of the invoice's one PaymentIntent (for SCA or a failed charge)
         * @description For an open invoice whose automatic charge needs the customer (3-D Secure) or failed: answers the client secret of the invoice's PaymentIntent, to confirm with Stripe.js on the page (another card may be used). The same PaymentIntent every time, so an invoice is never paid twice.
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
                        /**
                         * @example {
                         *       "clientSecret": "pi_3QxK5pC0yW7qE8fU_secret_Hp4tW9xK2mQ7vZ1bN6cR3s",
                         *       "paymentIntentId": "pi_3QxK5pC0yW7qE8fU",
                         *       "status": "requires_action"
                         *     }
                         */
                        "application/json": components["schemas"]["PayNow"];
                    };
                };
                /** @description Invalid invoice id or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid invoice id or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such invoice (or another user's), or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such invoice (or another user's), or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The invoice is paid, void, or being paid by another rail; or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The invoice is paid, void, or being paid by another rail; or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
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
        /**
         * The caller's payment methods
         * @description The caller's cards as Stripe holds them: brand, last 4 digits, expiry, and which one is the default. Needs `billing:read`.
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
                /** @description Payment methods */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "pm_1QxK2mZ9vT4nB7cR",
                         *           "type": "card",
                         *           "brand": "visa",
                         *           "last4": "4242",
                         *           "expMonth": 8,
                         *           "expYear": 2029,
                         *           "isDefault": true
                         *         }
                         *       ]
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Token lacks billing:read */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Token lacks billing:read",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such payment method, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "A request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Detaches one of the caller's payment methods
         * @description Removes the card from the caller's Stripe customer. Users with MFA need a recent verification; an Idempotency-Key is honoured when sent.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such payment method, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "A request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Makes a payment method the default for subscriptions and invoices
         * @description Later invoices are charged to this card. Users with MFA need a recent verification.
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
                        /**
                         * @example {
                         *       "id": "pm_1QxK2mZ9vT4nB7cR",
                         *       "type": "card",
                         *       "brand": "visa",
                         *       "last4": "4242",
                         *       "expMonth": 8,
                         *       "expYear": 2029,
                         *       "isDefault": true
                         *     }
                         */
                        "application/json": components["schemas"]["PaymentMethod"];
                    };
                };
                /** @description Missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such payment method, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "A request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * A SetupIntent for Stripe Elements: returns its clientSecret
         * @description The first step of adding a card: give clientSecret to Stripe Elements (stripe.confirmSetup), which collects the card in Stripe's own frame, so card numbers never reach Atlas. The card then shows in GET /billing/payment-methods. Users with MFA need a recent verification.
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
                        /**
                         * @example {
                         *       "clientSecret": "seti_1QxK4oB9xV6pD7eT_secret_Zk3pR8sW1hQx7mT2vN9bC4",
                         *       "setupIntentId": "seti_1QxK4oB9xV6pD7eT"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such payment method, or Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such payment method, or Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "A request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
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
        /**
         * The plan catalogue: prices, included usage, overage prices and limits
         * @description Public: no token needed. Every plan with its monthly price, the usage it includes (requests, transfer bytes, storage byte-hours), the price of usage beyond that per unit, the largest object and total storage it allows, and whether it can be bought here. Prices are integer minor units (cents).
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
                /** @description Plans */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "free",
                         *           "name": "Free",
                         *           "monthlyPriceMinor": 0,
                         *           "includedUsage": {
                         *             "requests": 10000,
                         *             "transfer_bytes": 1073741824,
                         *             "storage_byte_hours": 783831531520
                         *           },
                         *           "overagePrices": {},
                         *           "limits": {
                         *             "maxObjectBytes": 10485760,
                         *             "maxStorageBytes": 1073741824
                         *           },
                         *           "currency": "usd",
                         *           "purchasable": false,
                         *           "trialDays": 0
                         *         },
                         *         {
                         *           "id": "pro",
                         *           "name": "Pro",
                         *           "monthlyPriceMinor": 2000,
                         *           "includedUsage": {
                         *             "requests": 1000000,
                         *             "transfer_bytes": 107374182400,
                         *             "storage_byte_hours": 39191576576000
                         *           },
                         *           "overagePrices": {
                         *             "requests": {
                         *               "unitSize": 10000,
                         *               "unitPriceMinor": 5
                         *             },
                         *             "transfer_bytes": {
                         *               "unitSize": 1073741824,
                         *               "unitPriceMinor": 9
                         *             },
                         *             "storage_byte_hours": {
                         *               "unitSize": 783831531520,
                         *               "unitPriceMinor": 3
                         *             }
                         *           },
                         *           "limits": {
                         *             "maxObjectBytes": 1073741824,
                         *             "maxStorageBytes": 536870912000
                         *           },
                         *           "currency": "usd",
                         *           "purchasable": true,
                         *           "trialDays": 0
                         *         },
                         *         {
                         *           "id": "business",
                         *           "name": "Business",
                         *           "monthlyPriceMinor": 10000,
                         *           "includedUsage": {
                         *             "requests": 10000000,
                         *             "transfer_bytes": 1073741824000,
                         *             "storage_byte_hours": 391915765760000
                         *           },
                         *           "overagePrices": {
                         *             "requests": {
                         *               "unitSize": 10000,
                         *               "unitPriceMinor": 3
                         *             },
                         *             "transfer_bytes": {
                         *               "unitSize": 1073741824,
                         *               "unitPriceMinor": 6
                         *             },
                         *             "storage_byte_hours": {
                         *               "unitSize": 783831531520,
                         *               "unitPriceMinor": 2
                         *             }
                         *           },
                         *           "limits": {
                         *             "maxObjectBytes": 5368709120,
                         *             "maxStorageBytes": 5368709120000
                         *           },
                         *           "currency": "usd",
                         *           "purchasable": true,
                         *           "trialDays": 0
                         *         }
                         *       ]
                         *     }
                         */
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
        /**
         * The caller's billing profile, current subscription and the plan in force
         * @description What the billing page shows: the billing profile (null before the first billing action), the current subscription (null on the free plan) and the plan whose allowances apply now. Needs `billing:read`, which every sign-in token has.
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
                /** @description Billing state */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "profile": {
                         *         "id": "4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c",
                         *         "stripeCustomerId": "cus_R7xQmZ2kT9vN4b",
                         *         "preferredProvider": "stripe",
                         *         "cryptoEnabled": false,
                         *         "defaultPaymentMethodId": "pm_1QxK2mZ9vT4nB7cR",
                         *         "createdAt": "2026-12-07T09:30:00.000Z"
                         *       },
                         *       "subscription": {
                         *         "id": "sub_1QxK3nA8wU5oC6dS",
                         *         "planId": "pro",
                         *         "status": "active",
                         *         "currentPeriodStart": "2026-12-01T00:00:00.000Z",
                         *         "currentPeriodEnd": "2027-01-01T00:00:00.000Z",
                         *         "cancelAtPeriodEnd": false,
                         *         "canceledAt": null
                         *       },
                         *       "plan": {
                         *         "id": "pro",
                         *         "name": "Pro",
                         *         "monthlyPriceMinor": 2000,
                         *         "includedUsage": {
                         *           "requests": 1000000,
                         *           "transfer_bytes": 107374182400,
                         *           "storage_byte_hours": 39191576576000
                         *         },
                         *         "overagePrices": {
                         *           "requests": {
                         *             "unitSize": 10000,
                         *             "unitPriceMinor": 5
                         *           },
                         *           "transfer_bytes": {
                         *             "unitSize": 1073741824,
                         *             "unitPriceMinor": 9
                         *           },
                         *           "storage_byte_hours": {
                         *             "unitSize": 783831531520,
                         *             "unitPriceMinor": 3
                         *           }
                         *         },
                         *         "limits": {
                         *           "maxObjectBytes": 1073741824,
                         *           "maxStorageBytes": 536870912000
                         *         },
                         *         "currency": "usd",
                         *         "purchasable": true,
                         *         "trialDays": 0
                         *       }
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Token lacks billing:read */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Token lacks billing:read",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
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
         * How the caller's invoices are paid: charged to the card (stripe) or paid on chain (crypto)
         * @description stripe: each invoice is charged to the default card when it is issued. crypto: invoices wait to be paid on chain (POST /billing/crypto/quote). Users with MFA need a recent verification.
         */
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
                    /**
                     * @example {
                     *       "preferredProvider": "crypto"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c",
                         *       "stripeCustomerId": "cus_R7xQmZ2kT9vN4b",
                         *       "preferredProvider": "crypto",
                         *       "cryptoEnabled": true,
                         *       "defaultPaymentMethodId": "pm_1QxK2mZ9vT4nB7cR",
                         *       "createdAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["BillingProfile"];
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Crypto payments are not configured here, or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "Crypto payments are not configured here, or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
        /**
         * Subscribes to a plan, or upgrades/downgrades the current subscription (prorated); emits subscription.updated
         * @description A plan change takes effect at once and is prorated on the next invoice. A first subscription whose payment needs the customer (3-D Secure, no card yet) is incomplete and answers the payment's clientSecret for Stripe.js. Users with MFA need a recent verification.
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
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "planId": "pro"
                     *     }
                     */
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
                        /**
                         * @example {
                         *       "id": "sub_1QxK3nA8wU5oC6dS",
                         *       "planId": "pro",
                         *       "status": "incomplete",
                         *       "currentPeriodStart": "2026-12-01T00:00:00.000Z",
                         *       "currentPeriodEnd": "2027-01-01T00:00:00.000Z",
                         *       "cancelAtPeriodEnd": false,
                         *       "canceledAt": null,
                         *       "clientSecret": "pi_3QxK5pC0yW7qE8fU_secret_Hp4tW9xK2mQ7vZ1bN6cR3s"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such plan or subscription */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such plan or subscription",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The free plan (no subscription), or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The free plan (no subscription), or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
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
        /**
         * Cancels the current subscription at the end of its period
         * @description The plan stays in force until currentPeriodEnd, then the account returns to the free plan. POST /billing/subscriptions/current/resume undoes it until then.
         */
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
                        /**
                         * @example {
                         *       "id": "sub_1QxK3nA8wU5oC6dS",
                         *       "planId": "pro",
                         *       "status": "active",
                         *       "currentPeriodStart": "2026-12-01T00:00:00.000Z",
                         *       "currentPeriodEnd": "2027-01-01T00:00:00.000Z",
                         *       "cancelAtPeriodEnd": true,
                         *       "canceledAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["Subscription"];
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such plan or subscription */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such plan or subscription",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The free plan (no subscription), or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The free plan (no subscription), or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
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
        /**
         * Resumes a subscription set to cancel at period end
         * @description Undoes a cancellation before the period ends: the subscription renews as before.
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
                        /**
                         * @example {
                         *       "id": "sub_1QxK3nA8wU5oC6dS",
                         *       "planId": "pro",
                         *       "status": "active",
                         *       "currentPeriodStart": "2026-12-01T00:00:00.000Z",
                         *       "currentPeriodEnd": "2027-01-01T00:00:00.000Z",
                         *       "cancelAtPeriodEnd": false,
                         *       "canceledAt": null
                         *     }
                         */
                        "application/json": components["schemas"]["Subscription"];
                    };
                };
                /** @description Invalid request or missing Idempotency-Key */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Invalid request or missing Idempotency-Key",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not authenticated",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such plan or subscription */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "No such plan or subscription",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The free plan (no subscription), or a request with this key is in progress */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The free plan (no subscription), or a request with this key is in progress",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Idempotency-Key reused with another request */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/idempotency-key-reused",
                         *       "title": "Idempotency key reused with a different request",
                         *       "status": 422,
                         *       "detail": "Idempotency-Key reused with another request",
                         *       "code": "IDEMPOTENCY_KEY_REUSED"
                         *     }
                         */
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
        /**
         * Liveness: the process is up
         * @description For orchestrators' liveness probes: answers 200 while the process serves requests, without touching any dependency, so a database outage does not get the process restarted.
         */
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
                        /**
                         * @example {
                         *       "status": "ok",
                         *       "service": "service-auth"
                         *     }
                         */
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
        /**
         * Readiness: every dependency (database, ...) answers
         * @description For load balancers' readiness probes: each dependency (database) is checked within 2 seconds; 503 while one does not answer, so traffic goes to other instances. Why a check failed is never in the answer (it could name hosts or credentials).
         */
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
                        /**
                         * @example {
                         *       "status": "ready",
                         *       "checks": {
                         *         "database": {
                         *           "status": "ok",
                         *           "ms": 3
                         *         }
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description A dependency is down */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "status": "not_ready",
                         *       "checks": {
                         *         "database": {
                         *           "status": "error",
                         *           "ms": 2000
                         *         }
                         *       }
                         *     }
                         */
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
        /**
         * A pending sign-in request of the tenant's OpenID Provider, as the hosted page shows it
         * @description No authentication: the uid (from the provider's redirect to the hosted page) is the capability. Shows the client, the requested scopes, whether MFA or a fresh login is required (acr_values, max_age, prompt=login) and the tenant's brand. The prompt is login until the browser's Atlas session completes it, then consent unless the user already granted these scopes. Never cached.
         */
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
                        /**
                         * @example {
                         *       "uid": "tK3vN8qW2xY7zB4cD9fG1hJ6mP0rS5uVa8LeQ2nRw4T",
                         *       "prompt": "consent",
                         *       "client": {
                         *         "clientId": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e",
                         *         "name": "Acme Notes",
                         *         "logoUri": "https://notes.acme.example/logo.png",
                         *         "redirectHost": "notes.acme.example",
                         *         "firstParty": false
                         *       },
                         *       "scopes": [
                         *         "openid",
                         *         "profile",
                         *         "email"
                         *       ],
                         *       "requireMfa": false,
                         *       "maxAge": null,
                         *       "loginHint": "ada@example.com",
                         *       "tenant": {
                         *         "slug": "acme",
                         *         "name": "Acme Robotics",
                         *         "brand": {
                         *           "name": "Acme",
                         *           "logoUrl": "https://acme.example/logo.svg",
                         *           "primaryColor": "#1d4ed8",
                         *           "supportEmail": "support@acme.example"
                         *         }
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["OidcInteraction"];
                    };
                };
                /** @description Inactive tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Inactive tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown or expired interaction, or unknown tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown or expired interaction, or unknown tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Cancel the sign-in: the client receives error=access_denied
         * @description No authentication: whoever holds the interaction's uid may cancel it (the user's Cancel button on the hosted login or consent page). The answer's redirectTo resumes the authorization, which ends at the client's redirect URI with error=access_denied.
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
                        /**
                         * @example {
                         *       "redirectTo": "https://auth.example.com/t/acme/authorize/tK3vN8qW2xY7zB4cD9fG1hJ6mP0rS5uVa8LeQ2nRw4T"
                         *     }
                         */
                        "application/json": components["schemas"]["OidcInteractionRedirect"];
                    };
                };
                /** @description Unknown or expired interaction */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown or expired interaction",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Grant the requested scopes to the client (remembered per user, client and scopes)
         * @description Only the user who completed the login prompt of this interaction, with a token of the same tenant, may consent; the consent is stored (a later request for the same or fewer scopes skips the page), audited, and listed under connected apps. The answer's redirectTo resumes the authorization, which ends at the client's redirect URI with a code.
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
                        /**
                         * @example {
                         *       "redirectTo": "https://auth.example.com/t/acme/authorize/tK3vN8qW2xY7zB4cD9fG1hJ6mP0rS5uVa8LeQ2nRw4T"
                         *     }
                         */
                        "application/json": components["schemas"]["OidcInteractionRedirect"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not signed in",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Another user or tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Another user or tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown or expired interaction */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown or expired interaction",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The interaction is not waiting for consent */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/conflict",
                         *       "title": "Conflict",
                         *       "status": 409,
                         *       "detail": "The interaction is not waiting for consent",
                         *       "code": "CONFLICT"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "redirectTo": "https://auth.example.com/t/acme/authorize/tK3vN8qW2xY7zB4cD9fG1hJ6mP0rS5uVa8LeQ2nRw4T"
                         *     }
                         */
                        "application/json": components["schemas"]["OidcInteractionRedirect"];
                    };
                };
                /** @description Not signed in, MFA required, or the login is too old */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Not signed in, MFA required, or the login is too old",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A token of another tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "A token of another tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown or expired interaction */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown or expired interaction",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "slug": "default",
                         *       "name": "Atlas",
                         *       "allowedMethods": [
                         *         "email",
                         *         "passkey",
                         *         "oauth:google"
                         *       ],
                         *       "brand": {
                         *         "name": "Atlas",
                         *         "primaryColor": "#1d4ed8"
                         *       }
                         *     }
                         */
                        "application/json": components["schemas"]["PublicTenant"];
                    };
                };
                /** @description Inactive tenant */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/forbidden",
                         *       "title": "Forbidden",
                         *       "status": 403,
                         *       "detail": "Inactive tenant",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Unknown tenant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Unknown tenant",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
        /**
         * Stripe webhook: verified on the raw body, each event id takes effect at most once
         * @description For Stripe only, not for clients. The Stripe-Signature header is checked against the webhook secret over the raw body, with a 5-minute tolerance. Each event id takes effect once: a redelivery answers duplicate, events for other objects ignored.
         */
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
                        /**
                         * @example {
                         *       "received": true,
                         *       "outcome": "applied"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/validation-failed",
                         *       "title": "Validation failed",
                         *       "status": 400,
                         *       "detail": "Missing or invalid signature, or a stale timestamp",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Stripe is not configured */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/not-found",
                         *       "title": "Not found",
                         *       "status": 404,
                         *       "detail": "Stripe is not configured",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The effect failed: Stripe delivers again */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/internal",
                         *       "title": "Internal server error",
                         *       "status": 500,
                         *       "detail": "The effect failed: Stripe delivers again",
                         *       "code": "INTERNAL"
                         *     }
                         */
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
        DevicePreview: {
            clientName: string;
            hostname: string | null;
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
            /** @description Names this pending sign-in: send it with the e-mail's 6-digit code to POST /auth/email/verify-code (keep it in the page that asked) */
            codeToken: string;
            /** @description When the link and the code stop working (ISO 8601) */
            expiresAt: string;
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

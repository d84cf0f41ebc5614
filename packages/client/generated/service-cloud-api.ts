// The contract of service-cloud-api: types generated from its /openapi.json by openapi-typescript.
// Do not edit: run `pnpm --filter @atlas/client generate` after changing a route (test/drift.test.ts checks).

export interface paths {
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
    "/v1/credit-notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's credit notes (refunds and disputes of paid invoices), newest first
         * @description Needs scope `billing:read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size, 1..100 */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of credit notes */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreditNoteList"];
                    };
                };
                /** @description Invalid limit or cursor (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
    "/v1/credit-notes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's credit notes
         * @description Needs scope `billing:read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The credit note */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreditNote"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's credit note, or no such credit note (NOT_FOUND) */
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
    "/v1/credit-notes/{id}/pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's credit notes as a PDF
         * @description Needs scope `billing:read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The PDF */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/pdf": string;
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's credit note, or no such credit note (NOT_FOUND) */
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
    "/v1/entitlements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The plan limits and allowances in force now (synced from billing events)
         * @description Needs scope `billing:read`. Reachable even when an allowance is used up.
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
                /** @description The entitlements */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Entitlements"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
    "/v1/invoices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's invoices with line items, newest period first
         * @description Needs scope `billing:read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size, 1..100 */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of invoices */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InvoiceList"];
                    };
                };
                /** @description Invalid limit or cursor (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
    "/v1/invoices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's invoices
         * @description Needs scope `billing:read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The invoice */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Invoice"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's invoice, or no such invoice (NOT_FOUND) */
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
    "/v1/invoices/{id}/pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's invoices as a PDF
         * @description Needs scope `billing:read`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The PDF */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/pdf": string;
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's invoice, or no such invoice (NOT_FOUND) */
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
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller: user, tenant, scopes and how they authenticated
         * @description Needs scope `profile:read`.
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
                /** @description The caller */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Missing, invalid (INVALID_TOKEN) or expired (EXPIRED_TOKEN) token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks scope profile:read (FORBIDDEN) */
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
    "/v1/objects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's objects, by key
         * @description Needs scope `objects:read`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `nextCursor` of the previous page */
                    cursor?: string;
                    /** @description Page size, 1..100 */
                    limit?: number;
                    /** @description Only keys starting with this */
                    prefix?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of objects */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ObjectList"];
                    };
                };
                /** @description Invalid limit or cursor (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:read (FORBIDDEN) */
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
    "/v1/objects/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download an object's bytes
         * @description Needs scope `objects:read`. Headers carry the metadata (Content-Type, Content-Length, ETag).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Object key (URL-encoded) */
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The bytes */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": string;
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description An allowance without overage is used up (QUOTA_EXCEEDED) */
                402: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:read (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's object, or no such object (NOT_FOUND) */
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
        /**
         * Store bytes under a key (replaces an existing object)
         * @description Needs scope `objects:write`. The raw body is stored; its size is limited by the plan (`maxObjectBytes`) and the caller's total by `maxStorageBytes`.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Object key (URL-encoded) */
                    key: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/octet-stream": string;
                };
            };
            responses: {
                /** @description Stored; the object's metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ObjectMeta"];
                    };
                };
                /** @description Invalid key or Content-Type (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The plan's storage limit or an allowance without overage is used up (QUOTA_EXCEEDED) */
                402: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:write (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The body stalled longer than the blob grace period and its bytes were collected (CONFLICT): send it again */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Larger than the plan's maxObjectBytes (PAYLOAD_TOO_LARGE) */
                413: {
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
        /**
         * Delete an object
         * @description Needs scope `objects:write`.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Object key (URL-encoded) */
                    key: string;
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
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:write (FORBIDDEN) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's object, or no such object (NOT_FOUND) */
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
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's usage series by hour or day
         * @description Needs scope `usage:read`. Metrics: `requests` (count), `transfer_bytes` (bytes in + out), `storage_bytes` (a level: the bytes stored during the bucket, its highest value; a bucket without a change carries the level before it), `storage_byte_hours` (byte-hours stored in the bucket, what storage is billed by). UTC buckets; `from` is aligned down and `to` up to bucket boundaries; at most 800 buckets.
         */
        get: {
            parameters: {
                query: {
                    from: string;
                    granularity?: "hour" | "day";
                    to: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description One series per metric */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UsageSeries"];
                    };
                };
                /** @description Bad dates, from not before to, or too many buckets (VALIDATION_FAILED) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks usage:read (FORBIDDEN) */
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
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        CreditNote: {
            amountMinor: number;
            currency: string;
            id: string;
            invoiceId: string;
            invoiceNumber: number | null;
            issuedAt: string;
            /**
             * @description A refund, or a dispute that withdrew the payment
             * @enum {string}
             */
            kind: "refund" | "dispute";
            /** @description Per tenant, gapless (apart from invoice numbers) */
            number: number;
            reason: string | null;
            /** @description The Stripe refund (re_...) or dispute (du_...) */
            reference: string;
            reversedAt: string | null;
            /**
             * @description `reversed`: a won dispute gave the money back to the merchant; it no longer credits
             * @enum {string}
             */
            status: "issued" | "reversed";
        };
        CreditNoteList: {
            items: components["schemas"]["CreditNote"][];
            nextCursor: string | null;
        };
        Entitlements: {
            cancelAtPeriodEnd: boolean;
            /**
             * @description Who collects the plan fee
             * @enum {string}
             */
            collection: "stripe_subscription" | "invoice";
            currentPeriod: {
                end: string;
                start: string;
            };
            /** @description Allowances without overage that are used up: requests using them answer 402 QUOTA_EXCEEDED */
            exhausted: ("requests" | "transfer_bytes" | "storage_byte_hours")[];
            includedUsage: {
                requests: number;
                storage_byte_hours: number;
                transfer_bytes: number;
            };
            limits: {
                maxObjectBytes: number;
                maxStorageBytes: number;
            };
            overagePrices: {
                [key: string]: {
                    unitPriceMinor: number;
                    unitSize: number;
                };
            };
            /** @description Payment trouble: the subscription is past_due/unpaid, an invoice's charge failed, or an invoice is unpaid past its dueAt (whatever the subscription says) */
            pastDue: boolean;
            /** @description The subscribed plan (free without a subscription) */
            planId: string;
            planName: string;
            /** @description Subscription status from billing events; `none` without one */
            status: string;
            storage: {
                bytes: number;
                objects: number;
            };
            /** @description This period so far (flushed counters) */
            usage: {
                requests: number;
                storage_byte_hours: number;
                transfer_bytes: number;
            };
        };
        Health: {
            service: string;
            /** @enum {string} */
            status: "ok";
        };
        Invoice: {
            /** @description What is charged: total less prepaid lines */
            amountDueMinor: number;
            currency: string;
            /** @description Still unpaid after this, the customer is past due */
            dueAt: string | null;
            failedAt: string | null;
            failureCode: string | null;
            finalizedAt: string | null;
            id: string;
            lines: {
                amountMinor: number;
                description: string;
                /** @description Overage lines: usage included in the plan */
                includedQuantity: number | null;
                /** @description `subscription` or `overage:<metric>` */
                kind: string;
                position: number;
                /** @description Collected by the Stripe subscription: listed, not charged again */
                prepaid: boolean;
                /** @description 1 for the plan fee; started overage blocks */
                quantity: number;
                unitPriceMinor: number;
                /** @description Overage lines: usage measured in the period */
                usedQuantity: number | null;
            }[];
            /** @description Per tenant, gapless */
            number: number | null;
            paidAmountMinor: number | null;
            paidAt: string | null;
            periodEnd: string;
            periodStart: string;
            planId: string;
            prepaidMinor: number;
            /** @description Given back by credit notes (refunds, disputes); a won dispute's reversed note does not count */
            refundedMinor: number;
            /**
             * @description Set when money went back; `status` stays `paid`
             * @enum {string|null}
             */
            refundStatus: "refunded" | "partially_refunded" | null;
            /** @enum {string} */
            status: "finalized" | "paid" | "failed" | "void";
            subtotalMinor: number;
            /** @description Plan price + overage, integer minor units */
            totalMinor: number;
            /** @description When an operator voided it (status `void`) */
            voidedAt: string | null;
        };
        InvoiceList: {
            items: components["schemas"]["Invoice"][];
            nextCursor: string | null;
        };
        Me: {
            /**
             * @description `jwt`: access token; `pat`: personal access token
             * @enum {string}
             */
            method: "jwt" | "pat";
            /** @description Scopes granted to this token */
            scopes: string[];
            /** @description Login session (access tokens only) */
            sessionId?: string;
            /** @description User id */
            sub: string;
            /** @description Tenant id */
            tid: string;
        };
        ObjectList: {
            items: components["schemas"]["ObjectMeta"][];
            nextCursor: string | null;
        };
        ObjectMeta: {
            contentType: string;
            /** Format: date-time */
            createdAt: string;
            key: string;
            /** @description SHA-256 of the content (hex); also the ETag */
            sha256: string;
            /** @description Size in bytes */
            sizeBytes: number;
            /** Format: date-time */
            updatedAt: string;
        };
        Problem: {
            code: string;
            detail: string;
            status: number;
            title: string;
            type: string;
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
        UsageSeries: {
            /** @description Start of the first bucket (ISO 8601) */
            from: string;
            /** @enum {string} */
            granularity: "hour" | "day";
            series: {
                /** @enum {string} */
                metric: "requests" | "storage_bytes" | "storage_byte_hours" | "transfer_bytes";
                points: {
                    /** @description Bucket start (ISO 8601) */
                    t: string;
                    value: number;
                }[];
            }[];
            /** @description End of the last bucket (ISO 8601) */
            to: string;
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

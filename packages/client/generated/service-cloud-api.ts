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
                         *       "service": "service-cloud-api"
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
         * @description For load balancers' readiness probes: each dependency (database, jwks) is checked within 2 seconds; 503 while one does not answer, so traffic goes to other instances. Why a check failed is never in the answer (it could name hosts or credentials).
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
                         *         },
                         *         "jwks": {
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
                         *         },
                         *         "jwks": {
                         *           "status": "ok",
                         *           "ms": 3
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
    "/v1/credit-notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's credit notes (refunds and disputes of paid invoices), newest first
         * @description Needs scope `billing:read`. Pages of up to 100 (limit); pass nextCursor as cursor for the next page. Amounts are integer minor units of the credit note's currency.
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "6c8e0a2c-4e6a-4c8e-9a2c-4e6a8c0e2a4c",
                         *           "number": 7,
                         *           "invoiceId": "3e5a7c9e-1b3d-4f5a-8c7e-9b1d3f5a7c9e",
                         *           "invoiceNumber": 123,
                         *           "kind": "refund",
                         *           "status": "issued",
                         *           "amountMinor": 1000,
                         *           "currency": "usd",
                         *           "reason": "requested_by_customer",
                         *           "reference": "re_3QxK6qD1zX8rF9gV",
                         *           "issuedAt": "2026-12-05T14:00:00.000Z",
                         *           "reversedAt": null
                         *         }
                         *       ],
                         *       "nextCursor": null
                         *     }
                         */
                        "application/json": components["schemas"]["CreditNoteList"];
                    };
                };
                /** @description Invalid limit or cursor (VALIDATION_FAILED) */
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
                         *       "detail": "Invalid limit or cursor (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
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
    "/v1/credit-notes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's credit notes
         * @description Needs scope `billing:read`. Another user's credit note answers 404, as one that does not exist.
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
                        /**
                         * @example {
                         *       "id": "6c8e0a2c-4e6a-4c8e-9a2c-4e6a8c0e2a4c",
                         *       "number": 7,
                         *       "invoiceId": "3e5a7c9e-1b3d-4f5a-8c7e-9b1d3f5a7c9e",
                         *       "invoiceNumber": 123,
                         *       "kind": "refund",
                         *       "status": "issued",
                         *       "amountMinor": 1000,
                         *       "currency": "usd",
                         *       "reason": "requested_by_customer",
                         *       "reference": "re_3QxK6qD1zX8rF9gV",
                         *       "issuedAt": "2026-12-05T14:00:00.000Z",
                         *       "reversedAt": null
                         *     }
                         */
                        "application/json": components["schemas"]["CreditNote"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's credit note, or no such credit note (NOT_FOUND) */
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
                         *       "detail": "Not the caller's credit note, or no such credit note (NOT_FOUND)",
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
    "/v1/credit-notes/{id}/pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's credit notes as a PDF
         * @description Needs scope `billing:read`. The credit note as a printable PDF document (shown inline, with a file name for saving).
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's credit note, or no such credit note (NOT_FOUND) */
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
                         *       "detail": "Not the caller's credit note, or no such credit note (NOT_FOUND)",
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
                        /**
                         * @example {
                         *       "planId": "pro",
                         *       "planName": "Pro",
                         *       "status": "active",
                         *       "pastDue": false,
                         *       "collection": "invoice",
                         *       "cancelAtPeriodEnd": false,
                         *       "currentPeriod": {
                         *         "start": "2026-12-01T00:00:00.000Z",
                         *         "end": "2027-01-01T00:00:00.000Z"
                         *       },
                         *       "limits": {
                         *         "maxObjectBytes": 1073741824,
                         *         "maxStorageBytes": 536870912000
                         *       },
                         *       "includedUsage": {
                         *         "requests": 1000000,
                         *         "transfer_bytes": 107374182400,
                         *         "storage_byte_hours": 39191576576000
                         *       },
                         *       "overagePrices": {
                         *         "requests": {
                         *           "unitSize": 10000,
                         *           "unitPriceMinor": 5
                         *         },
                         *         "transfer_bytes": {
                         *           "unitSize": 1073741824,
                         *           "unitPriceMinor": 9
                         *         },
                         *         "storage_byte_hours": {
                         *           "unitSize": 783831531520,
                         *           "unitPriceMinor": 3
                         *         }
                         *       },
                         *       "usage": {
                         *         "requests": 48311,
                         *         "transfer_bytes": 3221225472,
                         *         "storage_byte_hours": 14916280
                         *       },
                         *       "storage": {
                         *         "bytes": 93233,
                         *         "objects": 2
                         *       },
                         *       "exhausted": []
                         *     }
                         */
                        "application/json": components["schemas"]["Entitlements"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
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
    "/v1/invoices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's invoices with line items, newest period first
         * @description Needs scope `billing:read`. Pages of up to 100 (limit); pass nextCursor as cursor for the next page. Amounts are integer minor units of the invoice's currency.
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "3e5a7c9e-1b3d-4f5a-8c7e-9b1d3f5a7c9e",
                         *           "number": 123,
                         *           "status": "paid",
                         *           "planId": "pro",
                         *           "currency": "usd",
                         *           "periodStart": "2026-11-01T00:00:00.000Z",
                         *           "periodEnd": "2026-12-01T00:00:00.000Z",
                         *           "subtotalMinor": 2018,
                         *           "totalMinor": 2018,
                         *           "prepaidMinor": 0,
                         *           "amountDueMinor": 2018,
                         *           "paidAmountMinor": 2018,
                         *           "finalizedAt": "2026-12-01T00:05:00.000Z",
                         *           "dueAt": "2026-12-15T00:05:00.000Z",
                         *           "paidAt": "2026-12-01T00:06:12.000Z",
                         *           "failedAt": null,
                         *           "failureCode": null,
                         *           "voidedAt": null,
                         *           "refundedMinor": 0,
                         *           "refundStatus": null,
                         *           "lines": [
                         *             {
                         *               "position": 1,
                         *               "kind": "subscription",
                         *               "description": "Pro plan, November 2026",
                         *               "quantity": 1,
                         *               "unitPriceMinor": 2000,
                         *               "amountMinor": 2000,
                         *               "prepaid": false,
                         *               "usedQuantity": null,
                         *               "includedQuantity": null
                         *             },
                         *             {
                         *               "position": 2,
                         *               "kind": "overage:transfer_bytes",
                         *               "description": "Transfer beyond 100 GiB: 2 GiB at $0.09",
                         *               "quantity": 2,
                         *               "unitPriceMinor": 9,
                         *               "amountMinor": 18,
                         *               "prepaid": false,
                         *               "usedQuantity": 108447924224,
                         *               "includedQuantity": 107374182400
                         *             }
                         *           ]
                         *         }
                         *       ],
                         *       "nextCursor": null
                         *     }
                         */
                        "application/json": components["schemas"]["InvoiceList"];
                    };
                };
                /** @description Invalid limit or cursor (VALIDATION_FAILED) */
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
                         *       "detail": "Invalid limit or cursor (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
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
    "/v1/invoices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's invoices
         * @description Needs scope `billing:read`. Another user's invoice answers 404, as one that does not exist.
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
                        /**
                         * @example {
                         *       "id": "3e5a7c9e-1b3d-4f5a-8c7e-9b1d3f5a7c9e",
                         *       "number": 123,
                         *       "status": "paid",
                         *       "planId": "pro",
                         *       "currency": "usd",
                         *       "periodStart": "2026-11-01T00:00:00.000Z",
                         *       "periodEnd": "2026-12-01T00:00:00.000Z",
                         *       "subtotalMinor": 2018,
                         *       "totalMinor": 2018,
                         *       "prepaidMinor": 0,
                         *       "amountDueMinor": 2018,
                         *       "paidAmountMinor": 2018,
                         *       "finalizedAt": "2026-12-01T00:05:00.000Z",
                         *       "dueAt": "2026-12-15T00:05:00.000Z",
                         *       "paidAt": "2026-12-01T00:06:12.000Z",
                         *       "failedAt": null,
                         *       "failureCode": null,
                         *       "voidedAt": null,
                         *       "refundedMinor": 0,
                         *       "refundStatus": null,
                         *       "lines": [
                         *         {
                         *           "position": 1,
                         *           "kind": "subscription",
                         *           "description": "Pro plan, November 2026",
                         *           "quantity": 1,
                         *           "unitPriceMinor": 2000,
                         *           "amountMinor": 2000,
                         *           "prepaid": false,
                         *           "usedQuantity": null,
                         *           "includedQuantity": null
                         *         },
                         *         {
                         *           "position": 2,
                         *           "kind": "overage:transfer_bytes",
                         *           "description": "Transfer beyond 100 GiB: 2 GiB at $0.09",
                         *           "quantity": 2,
                         *           "unitPriceMinor": 9,
                         *           "amountMinor": 18,
                         *           "prepaid": false,
                         *           "usedQuantity": 108447924224,
                         *           "includedQuantity": 107374182400
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["Invoice"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's invoice, or no such invoice (NOT_FOUND) */
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
                         *       "detail": "Not the caller's invoice, or no such invoice (NOT_FOUND)",
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
    "/v1/invoices/{id}/pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's invoices as a PDF
         * @description Needs scope `billing:read`. The invoice as a printable PDF document (shown inline, with a file name for saving).
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks billing:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks billing:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's invoice, or no such invoice (NOT_FOUND) */
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
                         *       "detail": "Not the caller's invoice, or no such invoice (NOT_FOUND)",
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
                        /**
                         * @example {
                         *       "sub": "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40",
                         *       "tid": "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
                         *       "scopes": [
                         *         "profile:read",
                         *         "objects:read",
                         *         "objects:write",
                         *         "usage:read",
                         *         "billing:read"
                         *       ],
                         *       "method": "jwt",
                         *       "sessionId": "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
                         *     }
                         */
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Missing, invalid (INVALID_TOKEN) or expired (EXPIRED_TOKEN) token */
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
                         *       "detail": "Missing, invalid (INVALID_TOKEN) or expired (EXPIRED_TOKEN) token",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks scope profile:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks scope profile:read (FORBIDDEN)",
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
    "/v1/objects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's objects, by key
         * @description Needs scope `objects:read`. Keys in order, with size, content type and SHA-256; pass nextCursor as cursor for the next page and prefix to list one folder.
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
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "key": "reports/2026-12.csv",
                         *           "sizeBytes": 48213,
                         *           "contentType": "text/csv",
                         *           "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "updatedAt": "2026-12-07T09:30:00.000Z"
                         *         },
                         *         {
                         *           "key": "reports/2026-11.csv",
                         *           "sizeBytes": 45020,
                         *           "contentType": "text/csv",
                         *           "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                         *           "createdAt": "2026-12-07T09:30:00.000Z",
                         *           "updatedAt": "2026-12-07T09:30:00.000Z"
                         *         }
                         *       ],
                         *       "nextCursor": "cmVwb3J0cy8yMDI2LTExLmNzdg"
                         *     }
                         */
                        "application/json": components["schemas"]["ObjectList"];
                    };
                };
                /** @description Invalid limit or cursor (VALIDATION_FAILED) */
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
                         *       "detail": "Invalid limit or cursor (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks objects:read (FORBIDDEN)",
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description An allowance without overage is used up (QUOTA_EXCEEDED) */
                402: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/quota-exceeded",
                         *       "title": "Plan allowance used up",
                         *       "status": 402,
                         *       "detail": "An allowance without overage is used up (QUOTA_EXCEEDED)",
                         *       "code": "QUOTA_EXCEEDED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks objects:read (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's object, or no such object (NOT_FOUND) */
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
                         *       "detail": "Not the caller's object, or no such object (NOT_FOUND)",
                         *       "code": "NOT_FOUND"
                         *     }
                         */
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
                        /**
                         * @example {
                         *       "key": "reports/2026-12.csv",
                         *       "sizeBytes": 48213,
                         *       "contentType": "text/csv",
                         *       "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                         *       "createdAt": "2026-12-07T09:30:00.000Z",
                         *       "updatedAt": "2026-12-07T09:30:00.000Z"
                         *     }
                         */
                        "application/json": components["schemas"]["ObjectMeta"];
                    };
                };
                /** @description Invalid key or Content-Type (VALIDATION_FAILED) */
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
                         *       "detail": "Invalid key or Content-Type (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The plan's storage limit or an allowance without overage is used up (QUOTA_EXCEEDED) */
                402: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/quota-exceeded",
                         *       "title": "Plan allowance used up",
                         *       "status": 402,
                         *       "detail": "The plan's storage limit or an allowance without overage is used up (QUOTA_EXCEEDED)",
                         *       "code": "QUOTA_EXCEEDED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:write (FORBIDDEN) */
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
                         *       "detail": "The token lacks objects:write (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The body stalled longer than the blob grace period and its bytes were collected (CONFLICT): send it again */
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
                         *       "detail": "The body stalled longer than the blob grace period and its bytes were collected (CONFLICT): send it again",
                         *       "code": "CONFLICT"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Larger than the plan's maxObjectBytes (PAYLOAD_TOO_LARGE) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/payload-too-large",
                         *       "title": "Payload too large",
                         *       "status": 413,
                         *       "detail": "Larger than the plan's maxObjectBytes (PAYLOAD_TOO_LARGE)",
                         *       "code": "PAYLOAD_TOO_LARGE"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        /**
         * Delete an object
         * @description Needs scope `objects:write`. The bytes are gone for good, and from then on they no longer accrue storage byte-hours.
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
                        /**
                         * @example {
                         *       "type": "https://atlas.dev/problems/invalid-token",
                         *       "title": "Invalid token",
                         *       "status": 401,
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks objects:write (FORBIDDEN) */
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
                         *       "detail": "The token lacks objects:write (FORBIDDEN)",
                         *       "code": "FORBIDDEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Not the caller's object, or no such object (NOT_FOUND) */
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
                         *       "detail": "Not the caller's object, or no such object (NOT_FOUND)",
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
                        /**
                         * @example {
                         *       "from": "2026-12-07T09:00:00.000Z",
                         *       "to": "2026-12-07T11:00:00.000Z",
                         *       "granularity": "hour",
                         *       "series": [
                         *         {
                         *           "metric": "requests",
                         *           "points": [
                         *             {
                         *               "t": "2026-12-07T09:00:00.000Z",
                         *               "value": 1204
                         *             },
                         *             {
                         *               "t": "2026-12-07T10:00:00.000Z",
                         *               "value": 987
                         *             }
                         *           ]
                         *         },
                         *         {
                         *           "metric": "storage_bytes",
                         *           "points": [
                         *             {
                         *               "t": "2026-12-07T09:00:00.000Z",
                         *               "value": 93233
                         *             },
                         *             {
                         *               "t": "2026-12-07T10:00:00.000Z",
                         *               "value": 93233
                         *             }
                         *           ]
                         *         },
                         *         {
                         *           "metric": "storage_byte_hours",
                         *           "points": [
                         *             {
                         *               "t": "2026-12-07T09:00:00.000Z",
                         *               "value": 93233
                         *             },
                         *             {
                         *               "t": "2026-12-07T10:00:00.000Z",
                         *               "value": 93233
                         *             }
                         *           ]
                         *         },
                         *         {
                         *           "metric": "transfer_bytes",
                         *           "points": [
                         *             {
                         *               "t": "2026-12-07T09:00:00.000Z",
                         *               "value": 5120344
                         *             },
                         *             {
                         *               "t": "2026-12-07T10:00:00.000Z",
                         *               "value": 2004118
                         *             }
                         *           ]
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": components["schemas"]["UsageSeries"];
                    };
                };
                /** @description Bad dates, from not before to, or too many buckets (VALIDATION_FAILED) */
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
                         *       "detail": "Bad dates, from not before to, or too many buckets (VALIDATION_FAILED)",
                         *       "code": "VALIDATION_FAILED"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN) */
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
                         *       "detail": "Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)",
                         *       "code": "INVALID_TOKEN"
                         *     }
                         */
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The token lacks usage:read (FORBIDDEN) */
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
                         *       "detail": "The token lacks usage:read (FORBIDDEN)",
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

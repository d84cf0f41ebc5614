/**
 * Examples of the OpenAPI document (shown by the API reference and in its curl samples): what a
 * real answer of these routes looks like. test/openapi-document.test.ts checks each against its
 * schema. Identifiers are made up. Amounts are integer minor units (cents).
 */
const USER_ID = "5b7f3c2e-8a41-4d0b-9c6e-2f1a7d3e9b40";
const GIB = 1024 ** 3;

export const ME = {
  sub: USER_ID,
  tid: "0e9d2c4b-6f1a-4e8b-a3d7-5c2b1f0e9a68",
  scopes: ["profile:read", "objects:read", "objects:write", "usage:read", "billing:read"],
  method: "jwt",
  sessionId: "b2e4f6a8-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
};

export const OBJECT_META = {
  key: "reports/2026-12.csv",
  sizeBytes: 48_213,
  contentType: "text/csv",
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  createdAt: "2026-12-07T09:30:00.000Z",
  updatedAt: "2026-12-07T09:30:00.000Z",
};
export const OBJECT_LIST = {
  items: [OBJECT_META, { ...OBJECT_META, key: "reports/2026-11.csv", sizeBytes: 45_020 }],
  nextCursor: "cmVwb3J0cy8yMDI2LTExLmNzdg",
};

const hours = ["2026-12-07T09:00:00.000Z", "2026-12-07T10:00:00.000Z"];
export const USAGE_SERIES = {
  from: hours[0],
  to: "2026-12-07T11:00:00.000Z",
  granularity: "hour",
  series: [
    {
      metric: "requests",
      points: [
        { t: hours[0], value: 1_204 },
        { t: hours[1], value: 987 },
      ],
    },
    {
      metric: "storage_bytes",
      points: [
        { t: hours[0], value: 93_233 },
        { t: hours[1], value: 93_233 },
      ],
    },
    {
      metric: "storage_byte_hours",
      points: [
        { t: hours[0], value: 93_233 },
        { t: hours[1], value: 93_233 },
      ],
    },
    {
      metric: "transfer_bytes",
      points: [
        { t: hours[0], value: 5_120_344 },
        { t: hours[1], value: 2_004_118 },
      ],
    },
  ],
};

export const ENTITLEMENTS = {
  planId: "pro",
  planName: "Pro",
  status: "active",
  pastDue: false,
  collection: "invoice",
  cancelAtPeriodEnd: false,
  currentPeriod: { start: "2026-12-01T00:00:00.000Z", end: "2027-01-01T00:00:00.000Z" },
  limits: { maxObjectBytes: GIB, maxStorageBytes: 500 * GIB },
  includedUsage: { requests: 1_000_000, transfer_bytes: 100 * GIB, storage_byte_hours: 50 * GIB * 730 },
  overagePrices: {
    requests: { unitSize: 10_000, unitPriceMinor: 5 },
    transfer_bytes: { unitSize: GIB, unitPriceMinor: 9 },
    storage_byte_hours: { unitSize: GIB * 730, unitPriceMinor: 3 },
  },
  usage: { requests: 48_311, transfer_bytes: 3_221_225_472, storage_byte_hours: 14_916_280 },
  storage: { bytes: 93_233, objects: 2 },
  exhausted: [],
};

export const INVOICE = {
  id: "3e5a7c9e-1b3d-4f5a-8c7e-9b1d3f5a7c9e",
  number: 123,
  status: "paid",
  planId: "pro",
  currency: "usd",
  periodStart: "2026-11-01T00:00:00.000Z",
  periodEnd: "2026-12-01T00:00:00.000Z",
  subtotalMinor: 2_018,
  totalMinor: 2_018,
  prepaidMinor: 0,
  amountDueMinor: 2_018,
  paidAmountMinor: 2_018,
  finalizedAt: "2026-12-01T00:05:00.000Z",
  dueAt: "2026-12-15T00:05:00.000Z",
  paidAt: "2026-12-01T00:06:12.000Z",
  failedAt: null,
  failureCode: null,
  voidedAt: null,
  refundedMinor: 0,
  refundStatus: null,
  lines: [
    {
      position: 1,
      kind: "subscription",
      description: "Pro plan, November 2026",
      quantity: 1,
      unitPriceMinor: 2_000,
      amountMinor: 2_000,
      prepaid: false,
      usedQuantity: null,
      includedQuantity: null,
    },
    {
      position: 2,
      kind: "overage:transfer_bytes",
      description: "Transfer beyond 100 GiB: 2 GiB at $0.09",
      quantity: 2,
      unitPriceMinor: 9,
      amountMinor: 18,
      prepaid: false,
      usedQuantity: 108_447_924_224,
      includedQuantity: 107_374_182_400,
    },
  ],
};

export const CREDIT_NOTE = {
  id: "6c8e0a2c-4e6a-4c8e-9a2c-4e6a8c0e2a4c",
  number: 7,
  invoiceId: INVOICE.id,
  invoiceNumber: 123,
  kind: "refund",
  status: "issued",
  amountMinor: 1_000,
  currency: "usd",
  reason: "requested_by_customer",
  reference: "re_3QxK6qD1zX8rF9gV",
  issuedAt: "2026-12-05T14:00:00.000Z",
  reversedAt: null,
};

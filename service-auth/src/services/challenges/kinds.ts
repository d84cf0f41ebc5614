// The table of single-use secrets service-auth hands out: one row per kind, saying where it is
// stored, how its secret is made and kept, how long it lives, whom it is bound to, and the zod
// schema of the non-secret context stored with it. challenge-store.ts issues and consumes them.
import { z } from "zod";
import type { RandomSource } from "../../ports.ts";

/**
 * Where a kind's rows live. `auth_challenges` is the generic table (kind, hash, user, JSON data);
 * magic links and SMS codes keep the tables they always had, whose columns (address, IP) the
 * privacy export and account deletion read.
 */
export type ChallengeTable = "auth_challenges" | "auth_magic_links" | "auth_otp_codes";

export interface KindSpec {
  table: ChallengeTable;
  /**
   * How the secret is stored. `sha256`: a high-entropy token, found by its hash. `argon2id`: a
   * short code, found by its subject (the latest live one) and then verified, attempts counted.
   */
  secret: "sha256" | "argon2id";
  /** A fresh secret; null when the caller brings its own (WebAuthn: the library makes it). */
  newSecret: ((random: RandomSource) => string) | null;
  ttlMs: number;
  /** `required`: issued to a user; `optional`: to a user or to no one yet; `none`: never. */
  user: "none" | "optional" | "required";
  /**
   * `given`: the consumer names the tenant and only its challenges match. `row`: the consumer
   * cannot know it (the OAuth callback comes from the provider) and the row says which it is.
   */
  tenant: "given" | "row";
  /** Addressed to an e-mail address or phone number, given when issuing (and, for codes, consuming). */
  subject: boolean;
  /** Issuing kills the subject's earlier live ones: only the latest works. */
  supersedes: boolean;
  /** Consumes allowed per challenge (each counted before it is checked); null: one, no counter. */
  maxAttempts: number | null;
  /** The non-secret context stored with it (secrets inside it would be stored in the clear). */
  data: z.ZodType;
}

/** 256 random bits, base64url: magic links, OAuth state, MFA and link tokens. */
const token256 = (random: RandomSource) => random.token(32);
/** 128 random bits as 32 hex characters (SIWE wants alphanumerics, at least 8). */
const hexNonce = (random: RandomSource) => random.bytes(16).toString("hex");
/** Six decimal digits from the CSPRNG (ASVS 2.7.6). */
export const sixDigits = (random: RandomSource) => String(random.int(0, 1_000_000)).padStart(6, "0");

const walletNonce = {
  table: "auth_challenges",
  secret: "sha256",
  newSecret: hexNonce,
  ttlMs: 10 * 60_000,
  user: "none",
  tenant: "given",
  subject: false,
  supersedes: false,
  maxAttempts: null,
  data: z.object({}),
} as const;

/** Where a WebAuthn ceremony may complete: the RP ID and origin its options were made for. */
const Ceremony = { rpID: z.string(), origin: z.string() };

const KINDS = {
  /** E-mail login (api.md: 15 minutes, single use). Subject: the normalised address. */
  magic_link: {
    table: "auth_magic_links",
    secret: "sha256",
    newSecret: token256,
    ttlMs: 15 * 60_000,
    user: "none",
    tenant: "given",
    subject: true,
    supersedes: false,
    maxAttempts: null,
    data: z.object({ redirectTo: z.string().nullable(), ipAddress: z.string().nullable() }),
  },
  /**
   * The 6-digit code that travels with a magic link, for reading the mail on another device. Found
   * by the pending sign-in's token (only the browser that asked holds it); the code's argon2id hash
   * is checked after the attempt is spent: 15 minutes like its link, 5 attempts, single use.
   */
  email_code: {
    table: "auth_challenges",
    secret: "sha256",
    newSecret: token256,
    ttlMs: 15 * 60_000,
    user: "none",
    tenant: "given",
    subject: false,
    supersedes: false,
    maxAttempts: 5,
    data: z.object({
      email: z.string(),
      codeHash: z.string(),
      redirectTo: z.string().nullable(),
      /** SHA-256 of the link it travels with: using one of the two ends the other. */
      linkHash: z.string(),
    }),
  },
  /** Explicit linking of an e-mail address to the logged-in user who asked (15 minutes). */
  link_email: {
    table: "auth_challenges",
    secret: "sha256",
    newSecret: token256,
    ttlMs: 15 * 60_000,
    user: "required",
    tenant: "given",
    subject: false,
    supersedes: false,
    maxAttempts: null,
    data: z.object({ email: z.string() }),
  },
  /** SMS login or linking code: 10 minutes, 5 attempts, only the latest works. Subject: E.164. */
  sms_otp: {
    table: "auth_otp_codes",
    secret: "argon2id",
    newSecret: sixDigits,
    ttlMs: 10 * 60_000,
    user: "none",
    tenant: "given",
    subject: true,
    supersedes: true,
    maxAttempts: 5,
    data: z.object({}),
  },
  siwe_nonce: walletNonce,
  siws_nonce: walletNonce,
  arweave_nonce: walletNonce,
  /** Passkey registration of the logged-in user (api.md: 5 minutes). */
  webauthn_register: {
    table: "auth_challenges",
    secret: "sha256",
    newSecret: null,
    ttlMs: 5 * 60_000,
    user: "required",
    tenant: "given",
    subject: false,
    supersedes: false,
    maxAttempts: null,
    data: z.object({ ...Ceremony, friendlyName: z.string().nullish() }),
  },
  /** Passkey login, or WebAuthn as second factor: bound to a user when one was hinted. */
  webauthn_login: {
    table: "auth_challenges",
    secret: "sha256",
    newSecret: null,
    ttlMs: 5 * 60_000,
    user: "optional",
    tenant: "given",
    subject: false,
    supersedes: false,
    maxAttempts: null,
    data: z.object(Ceremony),
  },
  /** An OAuth flow (state; PKCE verifier stays in the browser's cookie), bound to a user when linking. */
  oauth_state: {
    table: "auth_challenges",
    secret: "sha256",
    newSecret: token256,
    ttlMs: 10 * 60_000,
    user: "optional",
    tenant: "row",
    subject: false,
    supersedes: false,
    maxAttempts: null,
    data: z.object({ provider: z.string(), redirectTo: z.string().nullable(), nonce: z.string().nullable() }),
  },
  /** A login or step-up that owes a second factor: 5 minutes, 5 answers. */
  mfa_token: {
    table: "auth_challenges",
    secret: "sha256",
    newSecret: token256,
    ttlMs: 5 * 60_000,
    user: "required",
    tenant: "given",
    subject: false,
    supersedes: false,
    maxAttempts: 5,
    data: z.object({
      purpose: z.enum(["login", "step_up"]),
      /** The first factor(s) already proven. */
      amr: z.array(z.string()),
      sessionId: z.string().optional(),
    }),
  },
} as const satisfies Record<string, KindSpec>;

type Kinds = typeof KINDS;
export type ChallengeKind = keyof Kinds;
/** The context stored with a challenge of kind K. */
export type ChallengeData<K extends ChallengeKind> = z.output<Kinds[K]["data"]>;

/** Every kind's rules, with its schema typed by its kind (so generic code reads typed data). */
export const CHALLENGE_KINDS: {
  readonly [K in ChallengeKind]: Omit<Kinds[K], "data"> & { data: z.ZodType<ChallengeData<K>> };
} = KINDS;

/** A kind's rules, for code that handles every kind alike. */
export function specOf(kind: ChallengeKind): KindSpec {
  return CHALLENGE_KINDS[kind];
}

/** A kind's rules as literal types, for types that depend on them (what issuing or consuming K needs). */
export type ChallengeRules<K extends ChallengeKind> = Kinds[K];

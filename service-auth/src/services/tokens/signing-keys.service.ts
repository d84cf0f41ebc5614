import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import type { PrismaClient, SigningKey } from "../../../generated/prisma/client.ts";
import type { KeyRing } from "../platform/crypto.ts";

export type SigningAlg = "RS256" | "ES256" | "EdDSA";

export interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** base64url of the access tokens' protected header `{"alg","kid","typ":"at+jwt"}`, built once. */
  jwsHeader: string;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
  unpublishAt: Date | null;
}

export interface SigningKeyPolicy {
  alg: SigningAlg;
  /** How long verifiers may cache the JWKS: a new key is published this long before it signs. */
  jwksMaxAgeSec: number;
  /** Longest-lived token a key signs: a retired key stays published this long (+ skew). */
  accessTokenTtlSec: number;
  rotationDays: number;
}

const PUBLISH_SKEW_MS = 60_000;
const LOCK_KEY = "atlas:signing-keys";

function generate(alg: SigningAlg): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg === "RS256") return generateKeyPairSync("rsa", { modulusLength: 2048 });
  if (alg === "ES256") return generateKeyPairSync("ec", { namedCurve: "P-256" });
  return generateKeyPairSync("ed25519");
}

const context = (kid: string) => `signing-key:${kid}`;

/**
 * Signing keys: stored in Postgres with the private key encrypted under the KEK, served from
 * memory. Lifecycle of a key: published (in the JWKS) → active (signs) from `activatesAt` →
 * retired at `retiredAt` (a successor signs) → unpublished at `unpublishAt`, once every token it
 * signed has expired.
 */
export class SigningKeyStore {
  private keys: LoadedKey[] = [];
  private jwksCache: { from: number; until: number; body: string; etag: string } | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ring: KeyRing,
    private readonly policy: SigningKeyPolicy,
  ) {}

  /** Reloads keys from the database (other instances may have rotated). */
  async refresh(now: Date): Promise<void> {
    const rows = await this.prisma.signingKey.findMany({
      where: { OR: [{ unpublishAt: null }, { unpublishAt: { gt: now } }] },
      orderBy: { activatesAt: "asc" },
    });
    this.keys = rows.map((row) => this.load(row));
    this.jwksCache = undefined;
  }

  private unwrap(row: SigningKey): Buffer {
    try {
      return this.ring.decrypt(Buffer.from(row.privateKeyCiphertext).toString(), row.kekId, context(row.kid));
    } catch (error) {
      // Fail closed, with a message an operator can act on (the cause names no key material).
      throw new Error(
        `signing key ${row.kid} cannot be decrypted with KEY_ENCRYPTION_KEYS (key-encryption key "${row.kekId}" missing or different)`,
        { cause: error },
      );
    }
  }

  private load(row: SigningKey): LoadedKey {
    const der = this.unwrap(row);
    const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    return {
      kid: row.kid,
      alg: row.alg as SigningAlg,
      publicJwk: row.publicJwk as JWK,
      publicKey: createPublicKey(privateKey),
      privateKey,
      jwsHeader: Buffer.from(JSON.stringify({ alg: row.alg, kid: row.kid, typ: "at+jwt" })).toString("base64url"),
      createdAt: row.createdAt,
      activatesAt: row.activatesAt,
      retiredAt: row.retiredAt,
      unpublishAt: row.unpublishAt,
    };
  }

  /** The key that signs now: the newest active one. */
  signer(now: Date): LoadedKey | undefined {
    const t = now.getTime();
    return this.keys.filter((k) => k.activatesAt.getTime() <= t && (!k.retiredAt || k.retiredAt.getTime() > t)).at(-1);
  }

  /** A published key by kid (for verifying tokens this service issued). */
  published(kid: string, now: Date): LoadedKey | undefined {
    const t = now.getTime();
    return this.keys.find((k) => k.kid === kid && (!k.unpublishAt || k.unpublishAt.getTime() > t));
  }

  /**
   * The published keys, the signer first (an OpenID Provider's keystore: it signs with the first
   * key of the alg and publishes them all). Empty when nothing signs.
   */
  publishedKeys(now: Date): LoadedKey[] {
    const signer = this.signer(now);
    if (!signer) return [];
    const t = now.getTime();
    const others = this.keys.filter(
      (k) => k !== signer && k.createdAt.getTime() <= t && (!k.unpublishAt || k.unpublishAt.getTime() > t),
    );
    return [signer, ...others];
  }

  /** The JWKS document (public parts only), serialised once per cache generation. */
  jwksJson(now: Date): string {
    return this.jwks(now).body;
  }

  /**
   * The JWKS body and its strong ETag, built once and reused for as long as the set of published
   * keys cannot change: until the next key's `createdAt` or `unpublishAt` (or a `refresh`).
   */
  jwks(now: Date): { body: string; etag: string } {
    const t = now.getTime();
    const cached = this.jwksCache;
    if (cached && t >= cached.from && t < cached.until) return cached;
    let until = Number.POSITIVE_INFINITY;
    for (const k of this.keys) {
      for (const edge of [k.createdAt.getTime(), k.unpublishAt?.getTime()]) {
        if (edge !== undefined && edge > t && edge < until) until = edge;
      }
    }
    const keys = this.keys
      .filter((k) => k.createdAt.getTime() <= t && (!k.unpublishAt || k.unpublishAt.getTime() > t))
      .map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: "sig" }));
    const body = JSON.stringify({ keys });
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    this.jwksCache = { from: t, until, body, etag };
    return this.jwksCache;
  }

  private async insertKey(tx: PrismaTx, now: Date, activatesAt: Date): Promise<void> {
    const { publicKey, privateKey } = generate(this.policy.alg);
    const jwk = publicKey.export({ format: "jwk" }) as JWK;
    const kid = await calculateJwkThumbprint(jwk, "sha256");
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const { ciphertext, kekId } = this.ring.encrypt(der, context(kid));
    await tx.signingKey.create({
      data: {
        kid,
        alg: this.policy.alg,
        publicJwk: jwk as object,
        privateKeyCiphertext: Buffer.from(ciphertext),
        kekId,
        createdAt: now,
        activatesAt,
      },
    });
  }

  /** Makes sure some key can sign now; the very first key signs at once (nobody cached a JWKS). */
  async ensureSigner(now: Date): Promise<void> {
    if (this.signer(now)) return;
    await this.withLock(async (tx) => {
      const count = await tx.signingKey.count({
        where: { activatesAt: { lte: now }, OR: [{ retiredAt: null }, { retiredAt: { gt: now } }] },
      });
      if (count === 0) await this.insertKey(tx, now, now);
    });
    await this.refresh(now);
  }

  /**
   * Rotates: publishes a new key now that starts signing one JWKS cache lifetime later, and
   * schedules the current signer's retirement then and its removal from the JWKS once its last
   * token has expired. A rotation already pending is reused (idempotent).
   */
  async rotate(now: Date): Promise<{ kid: string; activatesAt: Date }> {
    const activatesAt = new Date(now.getTime() + this.policy.jwksMaxAgeSec * 1_000);
    await this.withLock(async (tx) => {
      const pending = await tx.signingKey.findFirst({ where: { activatesAt: { gt: now } } });
      if (pending) return;
      await tx.signingKey.updateMany({
        where: { activatesAt: { lte: now }, retiredAt: null },
        data: {
          retiredAt: activatesAt,
          unpublishAt: new Date(activatesAt.getTime() + this.policy.accessTokenTtlSec * 1_000 + PUBLISH_SKEW_MS),
        },
      });
      await this.insertKey(tx, now, activatesAt);
    });
    await this.refresh(now);
    const next = this.keys.filter((k) => k.activatesAt.getTime() > now.getTime()).at(-1) as LoadedKey;
    return { kid: next.kid, activatesAt: next.activatesAt };
  }

  /** Scheduled rotation: rotates when the signer is older than the rotation interval. */
  async rotateIfDue(now: Date): Promise<boolean> {
    const signer = this.signer(now);
    const pending = this.keys.some((k) => k.activatesAt.getTime() > now.getTime());
    if (!signer || pending) return false;
    if (now.getTime() - signer.activatesAt.getTime() < this.policy.rotationDays * 86_400_000) return false;
    await this.rotate(now);
    return true;
  }

  /** Re-encrypts private keys wrapped under an older KEK with the current one (KEK rotation). */
  async rewrap(): Promise<number> {
    const rows = await this.prisma.signingKey.findMany({ where: { kekId: { not: this.ring.currentId } } });
    for (const row of rows) {
      const der = this.unwrap(row);
      const { ciphertext, kekId } = this.ring.encrypt(der, context(row.kid));
      await this.prisma.signingKey.update({
        where: { id: row.id, kekId: row.kekId },
        data: { privateKeyCiphertext: Buffer.from(ciphertext), kekId },
      });
    }
    return rows.length;
  }

  private async withLock(fn: (tx: PrismaTx) => Promise<void>): Promise<void> {
    await this.prisma.$transaction(
      async (tx) => {
        // One instance at a time creates or rotates keys.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${LOCK_KEY}))`;
        await fn(tx);
      },
      // Key generation (RSA) runs inside, and waiting for another instance's lock counts too:
      // Prisma's 5 s default expired on a loaded machine.
      { maxWait: 10_000, timeout: 30_000 },
    );
  }
}

type PrismaTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** SHA-256 hex digest: how high-entropy tokens are stored. */
export function sha256Hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Compares two strings in time independent of where they differ (lengths are not secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    // Still spend a comparison so a length mismatch is not faster than a content mismatch.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/**
 * The keys of a KEY_ENCRYPTION_KEYS spec, `id:base64[,id:base64]`; throws without echoing key
 * material. KeyRing.parse builds on it; config validation calls it alone.
 */
export function parseKeySpec(spec: string): { id: string; key: Buffer }[] {
  const keys = spec.split(",").map((part) => {
    const [id, b64, extra] = part.trim().split(":");
    if (!id || !b64 || extra !== undefined || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new Error("expected id:base64key[,id:base64key]");
    }
    return { id, key: Buffer.from(b64, "base64") };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error("duplicate key id");
  return checkKeys(keys);
}

/** At least one key, each 32 bytes (AES-256). */
function checkKeys(keys: { id: string; key: Buffer }[]): { id: string; key: Buffer }[] {
  if (keys.length === 0) throw new Error("at least one key-encryption key is required");
  for (const k of keys) {
    if (k.key.length !== 32) throw new Error(`key-encryption key ${k.id} must be 32 bytes`);
  }
  return keys;
}

/**
 * Key-encryption keys (AES-256-GCM) from the environment: `id:base64key[,id:base64key...]`.
 * The first key encrypts; every key decrypts, so a KEK is rotated without downtime by putting
 * the new one first, letting the re-wrap job run, then removing the old one.
 */
export class KeyRing {
  readonly currentId: string;
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: { id: string; key: Buffer }[],
    /** The IVs (deps.random; a slice of it, since ports.ts imports this module). */
    private readonly random: { bytes(n: number): Buffer },
  ) {
    const first = checkKeys(keys)[0] as { id: string; key: Buffer };
    this.currentId = first.id;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** Parses `id:base64[,id:base64]`; throws without echoing key material. */
  static parse(spec: string, random: { bytes(n: number): Buffer }): KeyRing {
    return new KeyRing(parseKeySpec(spec), random);
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  /**
   * Encrypts under the current KEK. `context` is bound as additional authenticated data, so a
   * ciphertext moved to another row or purpose fails to decrypt.
   * Output: base64url(iv ‖ tag ‖ ciphertext).
   */
  encrypt(plaintext: Buffer | string, context: string): { ciphertext: string; kekId: string } {
    const key = this.keys.get(this.currentId) as Buffer;
    const iv = this.random.bytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url"), kekId: this.currentId };
  }

  /**
   * HMAC-SHA-256 of `value` under a key derived (HKDF) from the current KEK for `context`: a
   * stable pseudonym nobody can compute or predict without the key (e.g. decoy passkey ids).
   */
  mac(value: string, context: string): Buffer {
    const key = hkdfSync("sha256", this.keys.get(this.currentId) as Buffer, Buffer.alloc(0), `mac:${context}`, 32);
    return createHmac("sha256", Buffer.from(key)).update(value).digest();
  }

  /** Decrypts; throws if the KEK is unknown or the data or its context was tampered with. */
  decrypt(ciphertext: string, kekId: string, context: string): Buffer {
    const key = this.keys.get(kekId);
    if (!key) throw new Error(`unknown key-encryption key ${kekId}`);
    const raw = Buffer.from(ciphertext, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  }
}

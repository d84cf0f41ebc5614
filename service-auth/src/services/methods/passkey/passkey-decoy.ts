// Decoy allowCredentials for addresses without passkeys (issue 18 §6): the answer for an unknown
// address must not be told apart from a real account's, by its members, its id lengths, how many
// entries it has, or by asking twice.
import type { Deps } from "../../../ports.ts";

/** An allowCredentials entry as passkeyLoginOptions hands it to the library. */
export interface AllowedCredential {
  id: string;
  transports?: string[];
}

/**
 * How many of the tenant's oldest credentials serve as templates. Fixed and oldest-first, so a
 * decoy stops changing once the tenant has this many (a changing decoy would be a tell, as a
 * real account's list rarely changes), and one query stays cheap.
 */
const TEMPLATE_CREDENTIALS = 64;

/**
 * With no credential in the tenant there is no real answer to resemble; this is what a synced
 * platform passkey (and the library's own tests' authenticators) report: a 32-byte id, transports
 * internal + hybrid.
 */
const DEFAULT_TEMPLATE: { idBytes: number; transports: string[] }[] = [
  { idBytes: 32, transports: ["internal", "hybrid"] },
];

/**
 * The decoy for `identifier` in a tenant: a copy of the shape of one real account's answer (the
 * number of credentials, each id's byte length and transports), that account picked by a keyed
 * MAC of (tenant, identifier) among the users owning the tenant's oldest credentials, and ids
 * drawn from the same MAC. Deterministic per (tenant, identifier, KEK); unpredictable without
 * the key; never a real credential id.
 */
export async function decoyAllowCredentials(
  deps: Pick<Deps, "prisma" | "keyRing">,
  input: { tenantId: string; identifier: string },
): Promise<AllowedCredential[]> {
  const seed = `${input.tenantId}\n${input.identifier}`;
  const rows = await deps.prisma.webAuthnCredential.findMany({
    where: { user: { tenantId: input.tenantId, deletedAt: null } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: TEMPLATE_CREDENTIALS,
    select: { userId: true, credentialIdBase64: true, transports: true },
  });
  const owners = new Map<string, { idBytes: number; transports: string[] }[]>();
  for (const row of rows) {
    const list = owners.get(row.userId) ?? [];
    list.push({ idBytes: Buffer.from(row.credentialIdBase64, "base64url").length, transports: row.transports });
    owners.set(row.userId, list);
  }
  const templates = [...owners.values()];
  const pick = deps.keyRing.mac(seed, "passkey-decoy-template").readUInt32BE(0);
  const template = templates.length ? (templates[pick % templates.length] ?? DEFAULT_TEMPLATE) : DEFAULT_TEMPLATE;
  return template.map((shape, index) => ({
    id: decoyBytes(deps, `${seed}\n${index}`, shape.idBytes).toString("base64url"),
    transports: [...shape.transports],
  }));
}

/** `length` bytes of keyed MAC output for `value` (counter-mode expansion beyond 32 bytes). */
function decoyBytes(deps: Pick<Deps, "keyRing">, value: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(deps.keyRing.mac(`${value}\n${i}`, "passkey-decoy"));
  return Buffer.concat(blocks).subarray(0, length);
}

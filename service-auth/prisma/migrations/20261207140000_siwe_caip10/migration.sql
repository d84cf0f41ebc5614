-- Hand-written data migration (no schema change; Prisma cannot express data steps).
--
-- SIWE identities of smart-contract wallets (ERC-1271, ERC-6492) are now keyed by CAIP-10,
-- `eip155:<chainId>:<address>`: the same contract address can belong to different owners on
-- different chains. Identities proven by the address's own key (EOAs) stay keyed by the address.
--
-- What this migration can know: every SIWE identity stored `metadata.chainId`, the chain of the
-- login that created it. What it cannot know: whether that login was an EOA or a contract wallet
-- (the signer kind was never stored, and a migration cannot ask a chain). So every SIWE identity
-- keyed by a bare address moves to the CAIP-10 id of its creation chain, marked
-- `metadata.signer = "unknown"`:
--   * a contract wallet's owner keeps the account on the chain that created it; the same address
--     on another chain (possibly another owner) no longer reaches it and gets its own account;
--   * an EOA's holder takes the identity back to the bare address at the next login, where the
--     signature proves the key (siwe.service.ts `reclaimLegacyEoaIdentity`).
-- An identity without a numeric `metadata.chainId` (none is written by the code) is left as it
-- is: a bare address is only ever reached by an EOA signature now.
UPDATE "auth"."auth_identities"
SET "subject" = 'eip155:' || ("metadata"->>'chainId') || ':' || "subject",
    "metadata" = "metadata" || '{"signer":"unknown"}'::jsonb
WHERE "provider" = 'siwe'
  AND "subject" ~ '^0x[0-9a-fA-F]{40}$'
  AND ("metadata"->>'chainId') ~ '^[0-9]+$';

// Fake browser wallets for the web-app's tests, injected with Playwright's addInitScript before
// any page script runs. They really sign: an EIP-1193 provider announced through EIP-6963 (viem's
// secp256k1 account), a Wallet Standard Solana wallet (tweetnacl ed25519) and an ArConnect-style
// `window.arweaveWallet` (WebCrypto RSA-PSS over SHA-256 of the message, salt 32).
import { generateKeyPairSync, type JsonWebKey, randomBytes } from "node:crypto";
import { join } from "node:path";
import { build } from "esbuild";

const serviceAuthDir = new URL("../../service-auth", import.meta.url).pathname;

export interface WalletKeys {
  /** Ethereum wallets to announce (EIP-6963), each with its secp256k1 private key. */
  ethereum: { name: string; rdns: string; privateKey: `0x${string}` }[];
  /** The Solana wallet's 64-byte ed25519 secret key, hex. */
  solanaSecretKey: string;
  /** The Arweave wallet's RSA private key, as a JWK. */
  arweaveJwk: JsonWebKey;
}

export function newWalletKeys(): WalletKeys {
  const ethKey = () => `0x${randomBytes(32).toString("hex")}` as const;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
  return {
    ethereum: [
      { name: "Test Wallet", rdns: "test.atlas.wallet", privateKey: ethKey() },
      { name: "Other Wallet", rdns: "test.atlas.other", privateKey: ethKey() },
    ],
    solanaSecretKey: ed25519SecretKey(),
    arweaveJwk: privateKey.export({ format: "jwk" }) as JsonWebKey,
  };
}

/** An ed25519 secret key as tweetnacl holds it: the 32-byte seed, then the 32-byte public key. */
function ed25519SecretKey(): string {
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  return Buffer.concat([Buffer.from(jwk.d ?? "", "base64url"), Buffer.from(jwk.x ?? "", "base64url")]).toString("hex");
}

// Runs in the page. `KEYS` is replaced by the JSON of a WalletKeys.
const SOURCE = `
import { privateKeyToAccount } from "viem/accounts";
import nacl from "tweetnacl";
import bs58 from "bs58";

const keys = KEYS;
const icon = "data:image/svg+xml;base64," + btoa('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#36c"/></svg>');
const log = (window.__walletLog = []);
const addresses = (window.__walletAddresses = {});

// Ethereum: one EIP-1193 provider per key, each announced on request (EIP-6963).
const providers = keys.ethereum.map((w, i) => {
  const account = privateKeyToAccount(w.privateKey);
  addresses[w.name] = account.address;
  const provider = {
    async request({ method, params }) {
      log.push({ wallet: w.name, method });
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [account.address.toLowerCase()];
        case "eth_chainId":
          return "0x1";
        case "personal_sign":
          return account.signMessage({ message: { raw: params[0] } });
        default:
          throw Object.assign(new Error("unsupported " + method), { code: 4200 });
      }
    },
    on() {},
    removeListener() {},
  };
  const info = Object.freeze({ uuid: "00000000-0000-4000-8000-00000000000" + i, name: w.name, icon, rdns: w.rdns });
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
  return provider;
});

// Solana: a Wallet Standard wallet with standard:connect and solana:signMessage.
const pair = nacl.sign.keyPair.fromSecretKey(Uint8Array.from(keys.solanaSecretKey.match(/../g).map((h) => parseInt(h, 16))));
const solAccount = Object.freeze({
  address: bs58.encode(pair.publicKey),
  publicKey: pair.publicKey,
  chains: ["solana:mainnet"],
  features: ["solana:signMessage"],
});
const solWallet = {
  version: "1.0.0",
  name: "Test Solana",
  icon,
  chains: ["solana:mainnet"],
  accounts: [],
  features: {
    "standard:connect": { version: "1.0.0", connect: async () => { log.push({ wallet: "Test Solana", method: "connect" }); return { accounts: [solAccount] }; } },
    "solana:signMessage": {
      version: "1.0.0",
      signMessage: async (...inputs) => inputs.map(({ message }) => {
        log.push({ wallet: "Test Solana", method: "signMessage" });
        return { signedMessage: message, signature: nacl.sign.detached(message, pair.secretKey) };
      }),
    },
  },
};
const register = ({ register }) => register(solWallet);
window.addEventListener("wallet-standard:app-ready", (e) => register(e.detail));
try {
  window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: register }));
} catch {}

// Arweave: ArConnect's injected API.
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
const fromB64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
let arKey;
window.arweaveWallet = {
  async connect() { log.push({ wallet: "Arweave", method: "connect" }); },
  async getActivePublicKey() { return keys.arweaveJwk.n; },
  async getActiveAddress() {
    return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", fromB64url(keys.arweaveJwk.n))));
  },
  async signMessage(data) {
    log.push({ wallet: "Arweave", method: "signMessage" });
    arKey ??= await crypto.subtle.importKey("jwk", { ...keys.arweaveJwk, alg: "PS256" }, { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
    const digest = await crypto.subtle.digest("SHA-256", data);
    return new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, arKey, digest));
  },
};
`;

/** The init script (one IIFE) that installs the three fake wallets with these keys. */
export async function walletInitScript(keys: WalletKeys): Promise<string> {
  const out = await build({
    stdin: { contents: SOURCE.replace("KEYS", JSON.stringify(keys)), resolveDir: serviceAuthDir, loader: "js" },
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
    absWorkingDir: join(serviceAuthDir),
  });
  return out.outputFiles[0]?.text ?? "";
}

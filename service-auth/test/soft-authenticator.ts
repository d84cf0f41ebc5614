// A software WebAuthn authenticator: a real P-256 key, real CBOR attestation ("none" format) and
// real ES256 assertions over authenticatorData ‖ SHA-256(clientDataJSON), as a platform
// authenticator and the browser between them would produce. Overrides let tests misbehave.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { type CBORType, encodeCBOR } from "@levischuck/tiny-cbor";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";

export const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface Misbehaviour {
  /** The origin the "browser" reports in clientDataJSON. */
  origin?: string;
  /** The RP ID whose hash goes into authenticatorData. */
  rpId?: string;
  /** The flags byte (default UP|UV|BE|BS, plus AT on registration). */
  flags?: number;
  /** The signature counter to report (default: one more than last time). */
  counter?: number;
  /** Sign with this private key instead of the credential's. */
  signWith?: KeyObject;
  /** Replace the challenge the client data carries. */
  challenge?: string;
  /** The user handle to report (default: the one given at creation). */
  userHandle?: string;
  /** A rawId different from id. */
  rawId?: string;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  /** The counter last reported. */
  counter = 0;
  userHandle: string | undefined;

  constructor(
    readonly origin: string,
    readonly rpId = new URL(origin).hostname,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: "jwk" });
    this.publicJwk = { x: jwk.x as string, y: jwk.y as string };
  }

  get id(): string {
    return this.credentialId.toString("base64url");
  }

  /** navigator.credentials.create: a new discoverable credential for the options' user. */
  create(
    options: { challenge: string; user: { id: string } },
    bad: Misbehaviour = {},
  ): RegistrationResponseJSON & { response: { transports: string[] } } {
    this.userHandle = options.user.id;
    const cose = encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(this.publicJwk.x, "base64url")],
        [-3, Buffer.from(this.publicJwk.y, "base64url")],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.authDataHead(bad, FLAG.UP | FLAG.UV | FLAG.BE | FLAG.BS | FLAG.AT, bad.counter ?? 0),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      this.credentialId,
      Buffer.from(cose),
    ]);
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ["fmt", "none"],
        ["attStmt", new Map<string, CBORType>()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: bad.rawId ?? this.id,
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData("webauthn.create", options.challenge, bad),
        attestationObject: Buffer.from(attestationObject).toString("base64url"),
        transports: ["internal", "hybrid"],
      },
    };
  }

  /** navigator.credentials.get: an assertion over the options' challenge. */
  get(options: { challenge: string }, bad: Misbehaviour = {}): AuthenticationResponseJSON {
    const counter = bad.counter ?? this.counter + 1;
    this.counter = counter;
    const authData = this.authDataHead(bad, FLAG.UP | FLAG.UV | FLAG.BE | FLAG.BS, counter);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, bad);
    const signed = Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, "base64url"))]);
    const signature = sign("sha256", signed, bad.signWith ?? this.privateKey); // DER, as WebAuthn wants
    const userHandle = bad.userHandle ?? this.userHandle;
    return {
      id: this.id,
      rawId: bad.rawId ?? this.id,
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: authData.toString("base64url"),
        signature: signature.toString("base64url"),
        ...(userHandle ? { userHandle } : {}),
      },
    };
  }

  private authDataHead(bad: Misbehaviour, defaultFlags: number, counter: number): Buffer {
    return Buffer.concat([sha256(bad.rpId ?? this.rpId), Buffer.from([bad.flags ?? defaultFlags]), u32(counter)]);
  }

  private clientData(type: string, challenge: string, bad: Misbehaviour): string {
    const json = JSON.stringify({
      type,
      challenge: bad.challenge ?? challenge,
      origin: bad.origin ?? this.origin,
      crossOrigin: false,
    });
    return Buffer.from(json).toString("base64url");
  }
}

/** Another P-256 private key, for signatures by the wrong key. */
export const strangerKey = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { freePort } from "@atlas/db";
import solc from "solc";
import {
  type Abi,
  type Chain,
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

const require = createRequire(import.meta.url);

/** The anvil binary shipped in @foundry-rs/anvil's platform package (no download needed). */
function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const base = dirname(require.resolve("@foundry-rs/anvil/package.json"));
  const platform = createRequire(join(base, "package.json")).resolve(
    `@foundry-rs/anvil-${process.platform}-${arch}/package.json`,
  );
  return join(dirname(platform), "bin", "anvil");
}

/** anvil's first pre-funded development account (public, well-known test key). */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as Hex;

export interface Compiled {
  abi: Abi;
  bytecode: Hex;
}

/** Compiles test/fakes/contracts/OwnedWallet.sol with solc (wasm). */
export function compileWalletContracts(): Record<"OwnedWallet" | "WalletFactory", Compiled> {
  const source = readFileSync(new URL("./contracts/OwnedWallet.sol", import.meta.url), "utf8");
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "OwnedWallet.sol": { content: source } },
        settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = output.errors?.filter((e) => e.severity === "error") ?? [];
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const pick = (name: string) => {
    const c = output.contracts["OwnedWallet.sol"]?.[name];
    if (!c) throw new Error(`${name} missing from solc output`);
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` as Hex };
  };
  return { OwnedWallet: pick("OwnedWallet"), WalletFactory: pick("WalletFactory") };
}

/** Compiles test/fakes/contracts/TestToken.sol: a minimal ERC-20 with mint and Transfer events. */
export function compileTestToken(): Compiled {
  const source = readFileSync(new URL("./contracts/TestToken.sol", import.meta.url), "utf8");
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "TestToken.sol": { content: source } },
        settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = output.errors?.filter((e) => e.severity === "error") ?? [];
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = output.contracts["TestToken.sol"]?.TestToken;
  if (!c) throw new Error("TestToken missing from solc output");
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` as Hex };
}

/** A real local EVM chain (anvil, chain id 31337 unless told otherwise) for ERC-1271 / ERC-6492 tests. */
export class Anvil {
  private constructor(
    private readonly proc: ChildProcess,
    readonly rpcUrl: string,
    readonly publicClient: PublicClient,
    readonly deployer: WalletClient,
    readonly chain: Chain = foundry,
  ) {}

  /** `chainId`: another chain id (anvil's --chain-id), e.g. to run the same contract on two chains. */
  static async start(options: { chainId?: number } = {}): Promise<Anvil> {
    const port = await freePort();
    const chain: Chain = options.chainId ? { ...foundry, id: options.chainId } : foundry;
    const args = ["--port", String(port), "--host", "127.0.0.1", "--silent"];
    if (options.chainId) args.push("--chain-id", String(options.chainId));
    const proc = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
    const rpcUrl = `http://127.0.0.1:${port}`;
    const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await publicClient.getChainId();
        break;
      } catch (error) {
        if (Date.now() > deadline || proc.exitCode !== null) {
          proc.kill("SIGKILL");
          throw new Error(`anvil did not start: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const deployer = createWalletClient({
      account: privateKeyToAccount(DEPLOYER_KEY),
      chain,
      transport: http(rpcUrl),
    });
    return new Anvil(proc, rpcUrl, publicClient, deployer, chain);
  }

  /** Deploys a contract and returns its address once mined. */
  async deploy(contract: Compiled, args: readonly unknown[]): Promise<Hex> {
    const hash = await this.deployer.deployContract({
      abi: contract.abi,
      bytecode: contract.bytecode,
      args,
      account: this.deployer.account ?? null,
      chain: this.chain,
    });
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (!receipt.contractAddress) throw new Error("deployment failed");
    return getAddress(receipt.contractAddress);
  }

  /** Mines `blocks` empty blocks (confirmations for what came before). */
  async mine(blocks: number): Promise<void> {
    const res = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_mine", params: [`0x${blocks.toString(16)}`] }),
    });
    const body = (await res.json()) as { error?: { message: string } };
    if (body.error) throw new Error(`anvil_mine: ${body.error.message}`);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      this.proc.once("exit", () => resolve());
      this.proc.kill("SIGTERM");
    });
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A JSON-RPC hop in front of a node, as a load balancer or a lagging replica would be: it forwards
 * every call, and lets a test act on the chain (a reorganization) right after a given call was
 * answered by the node and before its answer reaches the caller, so the caller acts on a view of
 * the chain that is already outdated.
 */
export class RpcProxy {
  /** Runs once, after the node answered the first call of `method`. */
  private armed: { method: string; action: () => Promise<void> } | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<RpcProxy> {
    let proxy: RpcProxy | undefined;
    const server = createServer((req, res) => void proxy?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    proxy = new RpcProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upstream);
    return proxy;
  }

  /** After the node answers the next `method` call, `action` runs before the answer is passed on. */
  after(method: string, action: () => Promise<void>): void {
    this.armed = { method, action };
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const upstream = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw,
    });
    const body = await upstream.text();
    const calls = ([] as { method?: string }[]).concat(JSON.parse(raw) as { method?: string });
    const armed = this.armed;
    if (armed && calls.some((c) => c.method === armed.method)) {
      this.armed = null;
      await armed.action();
    }
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(body);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

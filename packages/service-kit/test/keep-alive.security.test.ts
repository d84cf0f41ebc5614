// Early answers on kept-alive connections (issue 18 §10): a refusal sent before the request body
// was read must not leave a keep-alive client's next request on a socket the server drops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BaseVariables,
  createLogger,
  createServiceApp,
  type RunningServer,
  startHttpServer,
} from "../src/index.ts";
import { type FetchDispatcher, singleConnectionAgent } from "../src/testing/index.ts";

let server: RunningServer;
let base: string;

beforeAll(async () => {
  const app = createServiceApp<{ Variables: BaseVariables }>({
    name: "svc",
    version: "1",
    description: "keep-alive test service",
    logger: createLogger({ name: "t", level: "silent" }),
    readiness: {},
  });
  app.post("/things", async (c) => c.json({ size: (await c.req.arrayBuffer()).byteLength }));
  app.get("/things", (c) => c.json({ ok: true }));
  server = await startHttpServer((req, env) => app.fetch(req, env), 0, "127.0.0.1");
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
});

type FetchInit = RequestInit & { dispatcher: FetchDispatcher; duplex?: "half" };
const send = (path: string, init: FetchInit) => fetch(`${base}${path}`, init as RequestInit);

/** The oversized request and `n` ordinary ones, queued together on one kept-alive connection. */
async function oversizedThenOrdinary(body: () => NonNullable<RequestInit["body"]>, n: number) {
  const dispatcher = await singleConnectionAgent(base);
  try {
    const big = send("/things", {
      method: "POST",
      body: body(),
      headers: { "content-type": "application/octet-stream" },
      duplex: "half",
      dispatcher,
    });
    const next = Array.from({ length: n }, () => send("/things", { dispatcher }));
    const settled = await Promise.allSettled([big, ...next]);
    const outcomes = await Promise.all(
      settled.map(async (s) => {
        if (s.status === "rejected") return `failed: ${String((s.reason as Error).cause ?? s.reason)}`;
        await s.value.arrayBuffer();
        return s.value.status;
      }),
    );
    return {
      outcomes,
      connection: settled[0]?.status === "fulfilled" ? settled[0].value.headers.get("connection") : null,
    };
  } finally {
    await dispatcher.close();
  }
}

describe("early answers on keep-alive connections", () => {
  it("attack: a body over the limit with Content-Length, then requests on the same connection — 413 with Connection: close, every next request succeeds", async () => {
    const { outcomes, connection } = await oversizedThenOrdinary(() => new Uint8Array(2 * 1024 * 1024), 5);
    expect(outcomes).toEqual([413, 200, 200, 200, 200, 200]);
    expect(connection).toBe("close");
  });

  it("attack: a chunked body that grows past the limit while read, then requests on the same connection — all succeed", async () => {
    const body = () => {
      let chunks = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (chunks++ >= 40) controller.close();
          else controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
    };
    const { outcomes } = await oversizedThenOrdinary(body, 5);
    expect(outcomes).toEqual([413, 200, 200, 200, 200, 200]);
  });

  it("a body read to its end keeps the connection alive", async () => {
    const { outcomes, connection } = await oversizedThenOrdinary(() => new Uint8Array(1024), 2);
    expect(outcomes).toEqual([200, 200, 200]);
    expect(connection).toBe("keep-alive");
  });
});

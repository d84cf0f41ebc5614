import { ProviderUnavailableError } from "./outage.ts";

export interface RelayQuoteRequest {
  chainId: number;
  /** Token contract, or the zero address for the native coin. */
  currency: string;
  /** Amount the recipient must receive, in base units. */
  amount: string;
  recipient: string;
}

export interface RelayQuote {
  requestId: string | null;
  /** What the payer sends, fees included, in base units of the origin currency. */
  amountIn: string;
  /** The steps (transactions/signatures) the payer's wallet executes, as Relay returned them. */
  steps: unknown[];
}

/**
 * The Relay API's quote endpoint (`POST {base}/quote`): what a payer sends so that the recipient
 * receives exactly `amount` (EXACT_OUTPUT). The base URL is configuration (tests use a local fake).
 */
export class RelayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    /** Outbound HTTP (deps.fetch). */
    private readonly fetchImpl: typeof globalThis.fetch,
  ) {}

  async quote(request: RelayQuoteRequest): Promise<RelayQuote> {
    let res: Response;
    try {
      res = await this.fetchImpl(new URL("/quote", this.baseUrl), {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.apiKey && { "x-api-key": this.apiKey }) },
        body: JSON.stringify({
          user: request.recipient,
          recipient: request.recipient,
          originChainId: request.chainId,
          destinationChainId: request.chainId,
          originCurrency: request.currency,
          destinationCurrency: request.currency,
          amount: request.amount,
          tradeType: "EXACT_OUTPUT",
        }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new ProviderUnavailableError("relay", cause);
    }
    if (!res.ok) {
      throw new ProviderUnavailableError("relay", new Error(`relay quote: HTTP ${res.status}`));
    }
    const body = (await res.json()) as {
      steps?: { requestId?: string }[];
      details?: { currencyIn?: { amount?: string } };
    };
    const amountIn = body.details?.currencyIn?.amount;
    if (!amountIn || !/^\d+$/.test(amountIn)) {
      throw new ProviderUnavailableError("relay", new Error("relay quote without details.currencyIn.amount"));
    }
    return { requestId: body.steps?.[0]?.requestId ?? null, amountIn, steps: body.steps ?? [] };
  }
}

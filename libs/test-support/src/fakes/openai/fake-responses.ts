/**
 * A local stand-in of the OpenAI Responses API (`POST /v1/responses`, `stream: true`), enough for the real Codex
 * agent (codex-acp) to run offline. The event sequence and shapes follow openai/codex's client
 * (codex-rs/codex-api `sse/responses.rs`: response.created, response.output_item.added,
 * response.output_text.delta, response.output_item.done, response.completed) and the tool spec it sends
 * (`exec_command` with `cmd`, `sandbox_permissions: "require_escalated"`, `justification`). Each request is answered
 * by the test's script from what the request contains (the last input item: a user message, or the output of a
 * function call).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One output item of a scripted response. */
export type ScriptedItem =
  | { type: 'message'; text: string; /** split into this many deltas (default 2) */ chunks?: number }
  | { type: 'function_call'; name: string; arguments: Record<string, unknown>; callId?: string };

export interface ResponsesRequest {
  model: string;
  stream: boolean;
  input: { type: string; role?: string; content?: { type: string; text?: string }[]; call_id?: string; output?: unknown }[];
  tools?: { type: string; name?: string }[];
}

/** The last thing the model is asked about: the user's text, or the output of a function call. */
export function lastInput(r: ResponsesRequest): { kind: 'user'; text: string } | { kind: 'function_call_output'; callId: string; output: string } | { kind: 'other' } {
  const last = r.input[r.input.length - 1];
  if (last?.type === 'function_call_output') return { kind: 'function_call_output', callId: String(last.call_id), output: typeof last.output === 'string' ? last.output : JSON.stringify(last.output) };
  if (last?.type === 'message' && last.role === 'user') return { kind: 'user', text: (last.content ?? []).map((c) => c.text ?? '').join('') };
  return { kind: 'other' };
}

export interface FakeResponsesOptions {
  /** The API key the client must send as `Authorization: Bearer …` (401 otherwise, as the real API). */
  apiKey: string;
  respond: (request: ResponsesRequest) => ScriptedItem[] | Promise<ScriptedItem[]>;
}

const id = (p: string) => `${p}_${randomBytes(8).toString('hex')}`;

export class FakeResponses {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    /** Every request answered, in order. */
    readonly requests: ResponsesRequest[],
  ) {}

  /** `http://127.0.0.1:<port>/v1`: the `base_url` of a Codex model provider. */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  static async start(o: FakeResponsesOptions): Promise<FakeResponses> {
    const requests: ResponsesRequest[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          if (req.method !== 'POST' || req.url !== '/v1/responses') {
            res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
            return;
          }
          if (req.headers.authorization !== `Bearer ${o.apiKey}`) {
            res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
            return;
          }
          let body: ResponsesRequest;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ResponsesRequest;
          } catch {
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'invalid JSON body', type: 'invalid_request_error' } }));
            return;
          }
          if (!body.stream || !Array.isArray(body.input)) {
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'this stand-in serves stream: true requests with an input array', type: 'invalid_request_error' } }));
            return;
          }
          requests.push(body);
          const items = await o.respond(body);
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          const responseId = id('resp');
          const ev = (e: Record<string, unknown>) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
          ev({ type: 'response.created', response: { id: responseId } });
          items.forEach((item, output_index) => {
            if (item.type === 'message') {
              const msgId = id('msg');
              ev({ type: 'response.output_item.added', output_index, item: { type: 'message', id: msgId, role: 'assistant', content: [] } });
              const n = Math.max(1, item.chunks ?? 2);
              const size = Math.ceil(item.text.length / n);
              for (let i = 0; i < item.text.length; i += size) {
                ev({ type: 'response.output_text.delta', item_id: msgId, output_index, content_index: 0, delta: item.text.slice(i, i + size) });
              }
              ev({ type: 'response.output_item.done', output_index, item: { type: 'message', id: msgId, role: 'assistant', content: [{ type: 'output_text', text: item.text, annotations: [] }] } });
            } else {
              const call = { type: 'function_call', id: id('fc'), call_id: item.callId ?? id('call'), name: item.name, arguments: JSON.stringify(item.arguments) };
              ev({ type: 'response.output_item.added', output_index, item: { ...call, arguments: '' } });
              ev({ type: 'response.output_item.done', output_index, item: call });
            }
          });
          ev({
            type: 'response.completed',
            response: { id: responseId, usage: { input_tokens: 10, input_tokens_details: null, output_tokens: 10, output_tokens_details: null, total_tokens: 20 } },
          });
          res.end();
        })().catch((e) => {
          if (!res.headersSent) res.writeHead(500).end(String(e));
          else res.end();
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return new FakeResponses(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  }

  /** A CODEX_HOME `config.toml` that points Codex at this stand-in, reading the key from `envKey`. */
  codexConfig(envKey: string): string {
    return [
      'model_provider = "local"',
      'model = "gpt-5.1-codex"',
      '',
      '[model_providers.local]',
      'name = "local"',
      `base_url = "${this.baseUrl}"`,
      `env_key = "${envKey}"`,
      'wire_api = "responses"',
      '',
    ].join('\n');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

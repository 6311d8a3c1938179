import type { paths } from './openapi';

/**
 * A typed client of the admin API, its types generated from docs/openapi.json (openapi.ts, `npm run openapi`): a
 * route or schema that changes shape there fails the CLI's type check here. Bearer-authenticated, so every
 * command is audited with the token's admin as the actor.
 */
type Method = 'get' | 'post' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<R> = R extends { content: { 'application/json': infer J } } ? J : undefined;
type SuccessOf<O> = O extends { responses: infer R } ? Json<R[Extract<keyof R, 200 | 201 | 204>]> : never;
type PathParamsOf<O> = O extends { parameters: { path: infer P } } ? P : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export interface RequestOptions<O> {
  path?: PathParamsOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
}

export interface Answer<T> {
  body: T;
  status: number;
  /** The event position the answer reflects or produced (X-Twokey-Position), when the route says. */
  position?: number;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}

/** A non-2xx answer (problem+json) or no answer at all (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: ProblemBody,
  ) {
    super(message);
  }
}

export class AdminApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  request<P extends keyof paths, M extends Method & keyof paths[P]>(method: M, path: P, options: RequestOptions<Op<P, M>> = {}): Promise<Answer<SuccessOf<Op<P, M>>>> {
    const filled = String(path).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = (options.path as Record<string, string> | undefined)?.[name];
      if (value === undefined) throw new Error(`${String(path)}: missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    return this.send(method.toUpperCase(), filled, options.query as Record<string, unknown> | undefined, options.body) as Promise<Answer<SuccessOf<Op<P, M>>>>;
  }

  /** A route the document may not have yet (e.g. a newer admin-api's): untyped. */
  untyped(method: string, path: string): Promise<Answer<unknown>> {
    return this.send(method, path);
  }

  /** The raw response of a streaming route (NDJSON export), after checking its status. */
  async stream(path: string, query?: Record<string, unknown>): Promise<Response> {
    const res = await this.fetchRaw('GET', path, query, undefined, 'application/x-ndjson');
    if (!res.ok) throw await this.failure('GET', path, res);
    return res;
  }

  private async send(method: string, path: string, query?: Record<string, unknown>, body?: unknown): Promise<Answer<unknown>> {
    const res = await this.fetchRaw(method, path, query, body, 'application/json');
    if (!res.ok) throw await this.failure(method, path, res);
    const text = await res.text();
    const position = Number(res.headers.get('x-twokey-position') ?? NaN);
    return { body: text ? (JSON.parse(text) as unknown) : undefined, status: res.status, ...(Number.isInteger(position) ? { position } : {}) };
  }

  private async fetchRaw(method: string, path: string, query: Record<string, unknown> | undefined, body: unknown, accept: string): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: accept };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(0, `cannot reach the admin-api at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (e as Error).message})`);
    }
  }

  private async failure(method: string, path: string, res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    let problem: ProblemBody | undefined;
    try {
      problem = JSON.parse(text) as ProblemBody;
    } catch {
      problem = undefined;
    }
    const why = problem?.detail ?? problem?.title ?? text.slice(0, 200);
    return new ApiError(res.status, `${method} ${path} answered ${res.status}${why ? `: ${why}` : ''}`, problem);
  }
}

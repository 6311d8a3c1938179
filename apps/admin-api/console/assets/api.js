// The REST client. The session cookie is HttpOnly (the browser sends it); state-changing requests also carry
// the CSRF token the API returned at login (kept in sessionStorage so a reload keeps it).

const BASE = '/api/v1';
const CSRF_KEY = 'twokey.csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type;
    this.title = problem.title;
    this.field = problem.field;
  }
}

export const csrf = {
  get: () => sessionStorage.getItem(CSRF_KEY) ?? '',
  set: (token) => (token ? sessionStorage.setItem(CSRF_KEY, token) : sessionStorage.removeItem(CSRF_KEY)),
};

/** Where the login page sends the admin back to: only a console path of this site. */
export function safeNext(next) {
  return typeof next === 'string' && /^\/console(?:[/?#][^\\]*)?$/.test(next) && !/[\r\n]/.test(next) ? next : '/console/';
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(safeNext(next))}`);
}

async function problemOf(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') {
      // Nest's default error body has `message` (string or list) instead of RFC 9457 `detail`.
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
      return { ...body, detail: body.detail ?? message };
    }
  } catch {
    // not JSON: fall through
  }
  return { title: res.statusText, detail: text.slice(0, 200) || undefined };
}

/** JSON in, JSON out; a non-2xx answer throws ApiError; an expired session sends the admin to the login page. */
export async function api(method, path, body, { retried = false, login = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method)) headers['X-CSRF-Token'] = csrf.get();
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: 'The admin API cannot be reached. Check that admin-api is running.' });
  }
  if (res.status === 401 && !login) {
    toLogin();
    throw new ApiError(401, { title: 'Your session ended. Log in again.' });
  }
  if (res.status === 403 && UNSAFE.has(method) && !retried && !login) {
    // A stale CSRF token (new tab, restored session): fetch the current one once and retry.
    const session = await api('GET', '/session').catch(() => undefined);
    if (session?.csrfToken && session.csrfToken !== csrf.get()) {
      csrf.set(session.csrfToken);
      return api(method, path, body, { retried: true });
    }
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  if (res.status === 204) return undefined;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const del = (path) => api('DELETE', path);
export const enc = encodeURIComponent;

/** List endpoints may answer with a bare array or an object holding it. */
export const listOf = (r, key) => (Array.isArray(r) ? r : r?.[key] ?? r?.items ?? []);

// The one API client of the web UI: calls to management-api with the access token, refreshed with the refresh token
// (single use). Tokens live in sessionStorage: gone with the tab, never in a cookie (so no CSRF surface).

const KEY = 'cam.tokens';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
    this.status = status;
    this.problem = problem || {};
  }
}

let tokens = null;
let refreshing = null;
try {
  tokens = JSON.parse(sessionStorage.getItem(KEY));
} catch (e) {
  tokens = null;
}

function store(t) {
  tokens = t;
  if (t) {
    sessionStorage.setItem(KEY, JSON.stringify(t));
  } else {
    sessionStorage.removeItem(KEY);
  }
}

async function parse(response) {
  const type = response.headers.get('Content-Type') || '';
  if (response.status === 204 || !type.includes('json')) {
    return null;
  }
  return response.json();
}

function raw(method, path, body, accessToken, accept) {
  const headers = { Accept: accept || 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (accessToken) {
    headers.Authorization = 'Bearer ' + accessToken;
  }
  // credentials 'omit': no cookies, and no browser Basic-auth prompt on a 401.
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
}

async function refresh() {
  if (!tokens || !tokens.refreshToken) {
    throw new ApiError(401, { detail: 'not logged in' });
  }
  if (!refreshing) {
    const spent = tokens.refreshToken;
    refreshing = (async () => {
      try {
        const r = await raw('POST', '/api/v1/auth/refresh', { refreshToken: spent });
        const body = await parse(r);
        if (!r.ok) {
          store(null);
          throw new ApiError(r.status, body);
        }
        store(body);
        return body;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

function expiresSoon() {
  return !!tokens && !!tokens.accessTokenExpiresAt && Date.parse(tokens.accessTokenExpiresAt) - Date.now() < 30000;
}

/** One authenticated request; one refresh and retry on 401. Returns the Response (throws ApiError when not ok). */
async function send(method, path, body, accept) {
  if (!tokens) {
    throw new ApiError(401, { detail: 'not logged in' });
  }
  if (expiresSoon()) {
    await refresh();
  }
  let r = await raw(method, path, body, tokens.accessToken, accept);
  if (r.status === 401 && tokens && tokens.refreshToken) {
    await refresh();
    r = await raw(method, path, body, tokens.accessToken, accept);
  }
  if (!r.ok) {
    if (r.status === 401) {
      store(null);
    }
    throw new ApiError(r.status, await parse(r));
  }
  return r;
}

async function call(method, path, body) {
  return parse(await send(method, path, body));
}

/** A path with its query: null, undefined and '' values are left out. */
export function query(path, params) {
  const q = new URLSearchParams();
  Object.entries(params || {}).forEach(([k, v]) => {
    if (v !== null && v !== undefined && v !== '') {
      q.set(k, String(v));
    }
  });
  const s = q.toString();
  return s ? path + '?' + s : path;
}

export async function login(username, password) {
  const r = await raw('POST', '/api/v1/auth/login', { username, password });
  const body = await parse(r);
  if (!r.ok) {
    throw new ApiError(r.status, r.status === 401 ? { detail: 'Login failed: wrong user name or password, '
      + 'or the account is locked.' } : body);
  }
  store(body);
  return body;
}

export async function logout() {
  const t = tokens;
  store(null);
  if (t && t.refreshToken) {
    try {
      await raw('POST', '/api/v1/auth/logout', { refreshToken: t.refreshToken });
    } catch (e) {
      // the tokens are gone here either way
    }
  }
}

export const loggedIn = () => tokens !== null;
export const get = (path, params) => call('GET', query(path, params));
export const post = (path, body) => call('POST', path, body);
export const put = (path, body) => call('PUT', path, body);
export const del = (path) => call('DELETE', path);

/** A download (e.g. the audit export) as a Blob, with the token: a plain link could not carry it. */
export async function blob(path, params, accept) {
  return (await send('GET', query(path, params), undefined, accept)).blob();
}

/** The item of a list whose field equals name exactly (the list is searched on the server with q=name). */
export async function findByName(path, field, name, what) {
  const page = await get(path, { q: name, size: 50 });
  const item = page.items.find((x) => x[field] === name);
  if (!item) {
    throw new Error('no ' + what + ' named ' + name);
  }
  return item;
}

// CAM web UI: calls to management-api with the access token; refreshes it with the refresh token (single use).
// Tokens live in sessionStorage: gone with the tab, never in a cookie (so no CSRF surface).
'use strict';

(function (global) {
  const KEY = 'cam.tokens';

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
      this.problem = problem || {};
    }
  }

  let tokens = null;
  let refreshing = null;
  try {
    tokens = JSON.parse(global.sessionStorage.getItem(KEY));
  } catch (e) {
    tokens = null;
  }

  function store(t) {
    tokens = t;
    if (t) {
      global.sessionStorage.setItem(KEY, JSON.stringify(t));
    } else {
      global.sessionStorage.removeItem(KEY);
    }
  }

  async function parse(response) {
    const type = response.headers.get('Content-Type') || '';
    if (response.status === 204 || !type.includes('json')) {
      return null;
    }
    return response.json();
  }

  async function raw(method, path, body, accessToken) {
    const headers = { Accept: 'application/json' };
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
    if (!tokens || !tokens.accessTokenExpiresAt) {
      return false;
    }
    return Date.parse(tokens.accessTokenExpiresAt) - Date.now() < 30000;
  }

  /** A JSON call; one refresh and retry on 401. Throws ApiError with the problem+json body. */
  async function call(method, path, body) {
    if (!tokens) {
      throw new ApiError(401, { detail: 'not logged in' });
    }
    if (expiresSoon()) {
      await refresh();
    }
    let r = await raw(method, path, body, tokens.accessToken);
    if (r.status === 401 && tokens && tokens.refreshToken) {
      await refresh();
      r = await raw(method, path, body, tokens.accessToken);
    }
    const data = await parse(r);
    if (!r.ok) {
      if (r.status === 401) {
        store(null);
      }
      throw new ApiError(r.status, data);
    }
    return data;
  }

  async function login(username, password) {
    const r = await raw('POST', '/api/v1/auth/login', { username, password });
    const body = await parse(r);
    if (!r.ok) {
      throw new ApiError(r.status, r.status === 401 ? { detail: 'Login failed: wrong user name or password, '
        + 'or the account is locked.' } : body);
    }
    store(body);
    return body;
  }

  async function logout() {
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

  global.CamApi = {
    ApiError,
    login,
    logout,
    loggedIn: () => tokens !== null,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    del: (path) => call('DELETE', path),
  };
})(window);

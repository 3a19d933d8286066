// CAM web UI: login, the views by role, the session answer and the console view. All data reaches the DOM as
// text (textContent / text nodes), never as HTML.
'use strict';

(function () {
  const api = window.CamApi;
  const $ = (id) => document.getElementById(id);

  let me = null;            // {username, roles}
  let currentView = null;
  let offer = null;         // the last session answer
  let countdown = null;     // its expiry timer
  let consoleHandle = null;

  /** An element with attributes/properties and children (strings become text nodes). */
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    Object.entries(props || {}).forEach(([k, v]) => {
      if (k === 'class') {
        e.className = v;
      } else if (k === 'dataset') {
        Object.assign(e.dataset, v);
      } else if (k === 'onclick') {
        e.addEventListener('click', v);
      } else {
        e[k] = v;
      }
    });
    children.flat().forEach((c) => {
      if (c !== null && c !== undefined) {
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
      }
    });
    return e;
  }

  function message(text, error) {
    const box = $('messages');
    const m = el('div', { class: 'msg' + (error ? ' error' : '') }, text);
    box.replaceChildren(m);
    if (!error) {
      setTimeout(() => m.remove(), 8000);
    }
  }

  function clearMessages() {
    $('messages').replaceChildren();
  }

  function problemText(e) {
    if (e instanceof api.ApiError) {
      const p = e.problem || {};
      const parts = [p.detail || p.title || e.message];
      if (p.field) {
        parts.push('(' + p.field + ')');
      }
      return (e.status ? e.status + ': ' : '') + parts.join(' ');
    }
    return String(e && e.message ? e.message : e);
  }

  async function guarded(fn) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 401 && !api.loggedIn()) {
        showLogin('Your session has expired; please log in again.');
        return undefined;
      }
      message(problemText(e), true);
      return undefined;
    }
  }

  function when(iso) {
    if (!iso) {
      return '';
    }
    const d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  function hasRole(...roles) {
    return me !== null && roles.some((r) => me.roles.includes(r));
  }

  // ---- login -------------------------------------------------------------------------------------------------

  function showLogin(text) {
    me = null;
    closeConsole();
    hideOffer();
    document.querySelectorAll('section').forEach((s) => { s.hidden = true; });
    $('nav').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('login-view').hidden = false;
    if (text) {
      message(text, true);
    }
    $('username').focus();
  }

  async function onLogin(e) {
    e.preventDefault();
    clearMessages();
    $('login-button').disabled = true;
    try {
      await api.login($('username').value, $('password').value);
      $('password').value = '';
      await start();
    } catch (err) {
      message(problemText(err), true);
    } finally {
      $('login-button').disabled = false;
    }
  }

  async function onLogout() {
    await api.logout();
    showLogin();
    message('Logged out.');
  }

  async function start() {
    const who = await guarded(() => api.get('/api/v1/auth/whoami'));
    if (!who) {
      if (!api.loggedIn()) {
        showLogin();
      }
      return;
    }
    me = { username: who.username, roles: who.roles || [] };
    $('login-view').hidden = true;
    $('who').textContent = me.username + ' (' + (me.roles.join(', ') || 'no role') + ')';
    $('logout').hidden = false;
    $('nav').hidden = false;
    const ops = hasRole('operator', 'admin');
    document.querySelectorAll('.tab.ops').forEach((b) => { b.hidden = !ops; });
    if (!hasRole('viewer', 'user', 'operator', 'admin')) {
      message('Your account has no CAM role yet; ask an administrator.', true);
      return;
    }
    show('targets');
  }

  // ---- views -------------------------------------------------------------------------------------------------

  const loaders = {
    targets: loadTargets,
    devices: loadDevices,
    alarms: loadAlarms,
    sessions: loadSessions,
  };

  function show(view) {
    currentView = view;
    document.querySelectorAll('section.view').forEach((s) => { s.hidden = s.id !== view + '-view'; });
    $('console-view').hidden = true;
    document.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
    return loaders[view]();
  }

  function fill(table, rows, columns) {
    const body = table.tBodies[0];
    if (rows.length === 0) {
      body.replaceChildren(el('tr', {}, el('td', { class: 'empty', colSpan: columns }, 'Nothing here.')));
    } else {
      body.replaceChildren(...rows);
    }
  }

  async function loadTargets() {
    const page = await guarded(() => api.get('/api/v1/me/targets?size=500'));
    if (!page) {
      return;
    }
    fill($('targets-table'), page.items.map((t) => {
      const full = t.access === 'FULL_CONTROL';
      const canView = full || t.access === 'VIEW_ONLY';
      const actions = el('td', { class: 'actions' });
      if (full) {
        actions.append(el('button', { type: 'button', class: 'primary control', onclick: () => connect(t, 'control') },
          'Control'));
      }
      if (canView) {
        actions.append(el('button', { type: 'button', class: 'view', onclick: () => connect(t, 'view') }, 'View'));
      }
      return el('tr', { dataset: { targetId: String(t.id) } },
        el('td', { class: 'name' }, t.name),
        el('td', { class: 'status st-' + (t.status || '') }, t.statusText || t.status || ''),
        el('td', { class: 'access' }, full ? 'Full control' : canView ? 'View only' : String(t.access || '')),
        actions);
    }), 4);
  }

  async function loadDevices() {
    const page = await guarded(() => api.get('/api/v1/devices?size=500'));
    if (!page) {
      return;
    }
    fill($('devices-table'), page.items.map((d) => {
      const actions = el('td', { class: 'actions' });
      if (d.state === 'DISCOVERED' || d.state === 'PENDING') {
        actions.append(el('button', { type: 'button', class: 'approve', onclick: () => deviceAction(d, 'approve') },
          'Approve'));
      }
      if (d.state === 'MANAGED') {
        actions.append(el('button', { type: 'button', class: 'reboot', onclick: () => deviceAction(d, 'reboot') },
          'Reboot'));
      }
      return el('tr', { dataset: { deviceId: String(d.id) } },
        el('td', {}, d.name || d.deviceId, el('br'), el('small', {}, d.deviceId)),
        el('td', {}, d.address || ''),
        el('td', {}, d.state || '', d.lastError ? el('div', {}, el('small', {}, d.lastError)) : null),
        el('td', {}, d.status || ''),
        el('td', {}, d.operation ? d.operation + (d.operationBy ? ' (' + d.operationBy + ')' : '') : ''),
        el('td', {}, d.firmwareVersion || ''),
        actions);
    }), 7);
  }

  async function deviceAction(d, action) {
    if (action === 'reboot' && !window.confirm('Reboot ' + (d.name || d.deviceId) + '?')) {
      return;
    }
    const done = await guarded(async () => {
      await api.post('/api/v1/devices/' + encodeURIComponent(d.id) + '/' + action);
      return true;
    });
    if (done) {
      message(action === 'approve' ? 'Enrolment of ' + (d.name || d.deviceId) + ' done.'
        : 'Reboot of ' + (d.name || d.deviceId) + ' started.');
    }
    await loadDevices();
  }

  async function loadAlarms() {
    const page = await guarded(() => api.get('/api/v1/alarms?state=RAISED&size=500'));
    if (!page) {
      return;
    }
    fill($('alarms-table'), page.items.map((a) => el('tr', { dataset: { alarmId: String(a.id) } },
      el('td', {}, when(a.raisedAt)),
      el('td', {}, a.severity || ''),
      el('td', {}, a.key || ''),
      el('td', {}, a.message || ''),
      el('td', {}, a.acknowledgedAt ? (a.acknowledgedBy || '') + ', ' + when(a.acknowledgedAt) : ''),
      el('td', { class: 'actions' }, a.acknowledgedAt ? null : el('button', {
        type: 'button', class: 'ack',
        onclick: async () => {
          await guarded(() => api.post('/api/v1/alarms/' + encodeURIComponent(a.id) + '/acknowledge'));
          await loadAlarms();
        },
      }, 'Acknowledge')))), 6);
  }

  async function loadSessions() {
    const page = await guarded(() => api.get('/api/v1/sessions?state=ACTIVE&size=500'));
    if (!page) {
      return;
    }
    fill($('sessions-table'), page.items.map((s) => el('tr', { dataset: { sessionId: String(s.id) } },
      el('td', {}, s.user || ''),
      el('td', {}, s.targetName || String(s.targetId)),
      el('td', {}, s.mode || ''),
      el('td', {}, when(s.claimedAt || s.createdAt)),
      el('td', {}, s.clientAddress || ''),
      el('td', {}, s.brokerId || ''),
      el('td', { class: 'actions' }, s.disconnectRequestedBy ? 'disconnecting' : el('button', {
        type: 'button', class: 'disconnect',
        onclick: async () => {
          const ok = await guarded(async () => {
            await api.del('/api/v1/sessions/' + encodeURIComponent(s.id));
            return true;
          });
          if (ok) {
            message('Disconnect requested; the broker ends the session at its next heartbeat.');
          }
          await loadSessions();
        },
      }, 'Disconnect')))), 7);
  }

  // ---- a session answer --------------------------------------------------------------------------------------

  async function connect(target, mode) {
    clearMessages();
    const opened = await guarded(() => api.post('/api/v1/sessions', { targetId: target.id, mode }));
    if (!opened) {
      await loadTargets();
      return;
    }
    offer = { target, mode, answer: opened };
    $('connect-target').textContent = target.name;
    $('connect-mode').textContent = mode === 'control' ? 'control' : 'view only';
    $('connect-password').textContent = opened.vncPassword;
    $('connect-hint').textContent = 'vncviewer ' + opened.rfb;
    $('connect-tls').textContent = opened.rfbTls || '';
    $('open-console').disabled = false;
    $('connect-panel').hidden = false;
    tick();
    clearInterval(countdown);
    countdown = setInterval(tick, 1000);
  }

  function tick() {
    if (!offer) {
      return;
    }
    const left = Math.round((Date.parse(offer.answer.expiresAt) - Date.now()) / 1000);
    if (left > 0) {
      $('connect-expiry').textContent = 'Use it within ' + left + ' s (once): connect with a VNC client and this '
        + 'password, or open the console here.';
    } else {
      $('connect-expiry').textContent = 'Expired unless already used. Request a new session to connect again.';
      $('open-console').disabled = true;
      clearInterval(countdown);
    }
  }

  function hideOffer() {
    clearInterval(countdown);
    offer = null;
    $('connect-panel').hidden = true;
    $('connect-password').textContent = '';
  }

  // ---- the console -------------------------------------------------------------------------------------------

  const STATUS = { security: 'authenticating', init: 'starting', connected: 'connected' };

  // The broker closes with "ended: <reason>" (docs/protocols/broker-api.md end reasons).
  const END_REASONS = {
    client_closed: 'the console closed the connection',
    device_closed: 'the device closed the connection',
    device_unreachable: 'the device cannot be reached',
    device_protocol_error: 'the device answered with something that is not RFB',
    device_refused: 'the device refused the viewer',
    client_protocol_error: 'the broker could not parse a message from this console',
    handshake_timeout: 'the connection was not set up in time',
    idle_timeout: 'no keyboard or mouse input for too long',
    max_duration: 'the maximum session duration was reached',
    admin_disconnect: 'an operator disconnected this session',
    broker_drained: 'the broker was shut down',
  };

  function closeText(reason) {
    const m = /^ended: ([a-z_]+)$/.exec(reason || '');
    return m && END_REASONS[m[1]] ? END_REASONS[m[1]] + ' (' + m[1] + ')' : reason;
  }

  function openConsoleView() {
    if (!offer) {
      return;
    }
    const { target, mode, answer } = offer;
    hideOffer();
    closeConsole();
    document.querySelectorAll('section.view').forEach((s) => { s.hidden = true; });
    $('console-view').hidden = false;
    $('console-title').textContent = target.name + (mode === 'control' ? '' : ' (view only)');
    $('console-status').textContent = 'connecting';
    $('console-reason').hidden = true;
    $('console-cad').hidden = mode !== 'control';
    $('console-cad').disabled = false;
    $('console-close').textContent = 'Disconnect';
    const canvas = $('console-canvas');
    consoleHandle = window.CamConsole.openConsole(canvas, {
      url: answer.websocketUrl,
      ticket: answer.ticket,
      viewOnly: mode !== 'control',
      onStatus(state) {
        $('console-status').textContent = STATUS[state] || state;
      },
      onServerInit(init) {
        $('console-status').textContent = 'connected to ' + init.name + ' (' + init.width + 'x' + init.height + ')';
        if (mode === 'control') {
          canvas.focus();
        }
      },
      onClose(reason, error) {
        consoleHandle = null;
        $('console-status').textContent = 'closed';
        $('console-cad').disabled = true;
        $('console-close').textContent = 'Back to my targets';
        const r = $('console-reason');
        r.textContent = 'Session ended: ' + closeText(reason);
        r.classList.toggle('normal', !error);
        r.hidden = false;
      },
    });
  }

  function closeConsole() {
    if (consoleHandle) {
      const h = consoleHandle;
      consoleHandle = null;
      h.disconnect();
    }
  }

  // ---- wiring ------------------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    document.querySelectorAll('.tab').forEach((b) => b.addEventListener('click', () => {
      closeConsole();
      show(b.dataset.view);
    }));
    document.querySelectorAll('.refresh').forEach((b) => b.addEventListener('click', () => loaders[b.dataset.view]()));
    $('open-console').addEventListener('click', openConsoleView);
    $('connect-dismiss').addEventListener('click', hideOffer);
    $('console-cad').addEventListener('click', () => {
      if (consoleHandle) {
        consoleHandle.ctrlAltDel();
        $('console-canvas').focus();
      }
    });
    $('console-close').addEventListener('click', () => {
      if (consoleHandle) {
        closeConsole();
      } else {
        show('targets');
      }
    });
    if (api.loggedIn()) {
      start();
    } else {
      showLogin();
    }
  });
})();

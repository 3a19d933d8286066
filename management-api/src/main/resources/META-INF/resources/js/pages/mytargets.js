// My targets: what the user may open (searched and paged on the server), a session answer (one-time password for
// stock VNC clients) and the in-browser console.
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, clearMessages, guarded } from '../ui.js';
import { openConsole } from '../console.js';

const ACCESS = { FULL_CONTROL: 'Full control', VIEW_ONLY: 'View only' };

export function render(section) {
  let offer = null;
  let countdown = null;
  let consoleHandle = null;

  const list = pagedTable({
    id: 'targets',
    filters: [{ name: 'q', label: 'Name' }, { name: 'tag', label: 'Tag' }],
    columns: ['Name', 'Status', 'Access', 'Actions'],
    load: (p) => api.get('/api/v1/me/targets', p),
    row: (t) => {
      const full = t.access === 'FULL_CONTROL';
      const canView = full || t.access === 'VIEW_ONLY';
      return el('tr', { dataset: { targetId: String(t.id) } },
        el('td', { class: 'name' }, t.name),
        el('td', { class: 'status st-' + (t.status || '') }, t.statusText || t.status || ''),
        el('td', { class: 'access' }, ACCESS[t.access] || String(t.access || '')),
        actions(full ? button('Control', () => connect(t, 'control'), 'primary control') : null,
          canView ? button('View', () => connect(t, 'view'), 'view') : null));
    },
  });

  const panel = el('div', { id: 'connect-panel', class: 'card', hidden: true });
  const listView = el('div', { id: 'targets-view' },
    frame('My targets', button('Refresh', () => list.reload(), 'refresh')), list.element, panel);
  const consoleView = el('div', { id: 'console-view', hidden: true });
  section.replaceChildren(listView, consoleView);
  list.reload();

  async function connect(target, mode) {
    clearMessages();
    const opened = await guarded(() => api.post('/api/v1/sessions', { targetId: target.id, mode }));
    if (!opened) {
      await list.reload();
      return null;
    }
    offer = { target, mode, answer: opened };
    const openButton = button('Open console', () => showConsole(), 'primary');
    openButton.id = 'open-console';
    const expiry = el('p', { id: 'connect-expiry' });
    panel.replaceChildren(
      el('h3', {}, 'Session for ', el('span', { id: 'connect-target' }, target.name), ' (',
        el('span', { id: 'connect-mode' }, mode === 'control' ? 'control' : 'view only'), ')'),
      el('p', {}, 'One-time VNC password: ', el('code', { id: 'connect-password' }, opened.vncPassword)),
      el('p', {}, 'Stock VNC client: ', el('code', { id: 'connect-hint' }, 'vncviewer ' + opened.rfb),
        ' (encrypted, VeNCrypt X509Vnc: ', el('code', { id: 'connect-tls' }, opened.rfbTls || ''), ')'),
      // Only the console here comes back by itself when its broker is restarted: a stock client's password is used up.
      el('p', { id: 'connect-resume-note' }, 'The console here reconnects by itself when a broker '
        + 'is restarted or fails; a stock VNC client cannot (its password works once): it keeps its connection for the '
        + 'broker\'s drain grace, then you request a new session.'),
      opened.recorded ? el('p', { id: 'connect-recorded', class: 'recorded-note' }, 'This session is recorded: '
        + 'the screen, your keys and clipboard text are kept for review by administrators and auditors.') : null,
      expiry, openButton, button('Dismiss', hideOffer, 'dismiss'));
    panel.hidden = false;
    const tick = () => {
      const left = Math.round((Date.parse(opened.expiresAt) - Date.now()) / 1000);
      if (left > 0) {
        expiry.textContent = 'Use it within ' + left + ' s (once): connect with a VNC client and this password, '
          + 'or open the console here.';
      } else {
        expiry.textContent = 'Expired unless already used. Request a new session to connect again.';
        openButton.disabled = true;
        clearInterval(countdown);
      }
    };
    tick();
    clearInterval(countdown);
    countdown = setInterval(tick, 1000);
    return opened;
  }

  function hideOffer() {
    clearInterval(countdown);
    offer = null;
    panel.hidden = true;
    panel.replaceChildren();
  }

  function showConsole() {
    if (!offer) {
      return;
    }
    const { target, mode, answer } = offer;
    hideOffer();
    closeConsole();
    listView.hidden = true;
    consoleView.hidden = false;
    consoleHandle = openConsole(consoleView, {
      url: answer.websocketUrl,
      ticket: answer.ticket,
      title: target.name,
      viewOnly: mode !== 'control',
      recorded: !!answer.recorded,
      clipboard: answer.clipboard, // the session's policy; the console offers only what it allows
      idleTimeoutSeconds: answer.idleTimeoutSeconds,
      maxDurationSeconds: answer.maxDurationSeconds,
      onClose: async (reason, isError, code) => {
        consoleHandle = null;
        if (code === 'admin_disconnect') {
          // Who ended it, and their message, from the session's record.
          const s = await guarded(() => api.get('/api/v1/sessions/' + encodeURIComponent(answer.sessionId)));
          const line = document.getElementById('console-reason');
          if (s && line && s.disconnectRequestedBy) {
            line.textContent += ' by ' + s.disconnectRequestedBy
              + (s.disconnectMessage ? ': "' + s.disconnectMessage + '"' : '');
          }
        }
      },
      // The broker carrying the session went away: a ticket for the same session's next leg (ApiError on refusal).
      onResume: () => api.post('/api/v1/sessions/' + encodeURIComponent(answer.sessionId) + '/resume'),
      onReconnect: async () => {
        const again = await connect(target, mode);
        if (again) {
          showConsole();
        }
      },
      onLeave: () => {
        closeConsole();
        consoleView.hidden = true;
        listView.hidden = false;
        list.reload();
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

  return () => {
    clearInterval(countdown);
    closeConsole();
  };
}

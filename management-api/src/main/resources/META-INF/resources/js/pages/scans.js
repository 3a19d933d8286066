// Discovery scans (operators and admins): started through management-api, run by discovery-service. Devices that
// answer show here with their address; discovery-service forwards them, so they appear on the Devices page to approve.
import * as api from '../api.js';
import { el, button, frame, cell, act, form, when, guarded } from '../ui.js';

export function render(section) {
  let follow = null;
  const detail = el('div', { id: 'scan-detail' });
  const scans = el('table', { id: 'scans-table' },
    el('caption', {}, 'Recent scans (newest first)'),
    el('thead', {}, el('tr', {}, ['Started', 'What', 'Port', 'Status', 'Sent', 'Answered', 'Duration', 'Actions']
      .map((h) => el('th', { scope: 'col' }, h)))), el('tbody'));

  const what = (s) => [s.cidr, ...(s.broadcast || [])].filter(Boolean).join(', ');

  async function reload() {
    const list = await guarded(() => api.get('/api/v1/discovery/scans'));
    if (!list) {
      return;
    }
    scans.tBodies[0].replaceChildren(...(list.length ? list.slice().reverse().map((s) => el('tr',
      { dataset: { scanId: s.id, status: s.status } },
      cell(when(s.startedAt)), cell(what(s)), cell(String(s.probingPort || s.port || '')), cell(s.status),
      cell(s.sent + ' of ' + s.planned + (s.sendErrors ? ' (' + s.sendErrors + ' errors)' : '')),
      cell(String(s.responderCount)), cell(s.durationMs === null || s.durationMs === undefined ? '' : s.durationMs + ' ms'),
      cell(button('Results', () => show(s.id), 'results'))))
      : [el('tr', {}, el('td', { class: 'empty', colSpan: 8 }, 'No scan yet.'))]));
  }

  async function show(id) {
    clearInterval(follow);
    const s = await guarded(() => api.get('/api/v1/discovery/scans/' + encodeURIComponent(id)));
    if (!s) {
      return;
    }
    // Each responder as this manager knows it (discovery-service forwards what it hears): approve from here.
    const rows = await Promise.all((s.responders || []).map(async (r) => {
      const page = await guarded(() => api.get('/api/v1/devices', { q: r.deviceId, size: 5 }));
      const d = page && page.items.find((x) => (x.deviceId || '').toLowerCase() === (r.deviceId || '').toLowerCase());
      const approvable = d && (d.state === 'DISCOVERED' || d.state === 'PENDING');
      return el('tr', { dataset: { deviceId: r.deviceId || '', state: d ? d.state : '' } },
        cell(r.deviceId || ''), cell(r.address || ''), cell(String(r.probedPort || '')), cell(when(r.at)),
        cell(d ? d.state + (d.name ? ' (' + d.name + ')' : '') : 'not forwarded yet'),
        cell(approvable ? button('Approve', () => act(() => api.post('/api/v1/devices/' + encodeURIComponent(d.id)
          + '/approve'), 'Enrolment of ' + (d.name || d.deviceId) + ' done.', () => show(id)), 'approve') : null));
    }));
    const responders = el('table', { id: 'scan-responders' },
      el('caption', {}, 'Devices that answered'),
      el('thead', {}, el('tr', {}, ['Device', 'Address', 'Port probed', 'Answered', 'Here', 'Actions']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...(rows.length ? rows
        : [el('tr', {}, el('td', { class: 'empty', colSpan: 6 }, s.status === 'RUNNING' ? 'Listening...' : 'No answer.'))])));
    detail.replaceChildren(el('div', { class: 'card', dataset: { scanId: s.id, status: s.status } },
      el('h3', {}, 'Scan ', el('code', {}, s.id), ': ', el('span', { class: 'scan-status' }, s.status)),
      el('p', {}, what(s), ', port ', String(s.port || ''), ', ', String(s.sent), ' of ', String(s.planned),
        ' DISCOVER sent', s.durationMs ? ', ' + s.durationMs + ' ms' : ''),
      responders,
      el('p', {}, el('small', {}, 'Devices that answered are forwarded to this manager: approve them on the ',
        el('a', { href: '#devices' }, 'Devices'), ' page.'))));
    if (s.status === 'RUNNING') {
      follow = setTimeout(() => show(id).then(reload), 1000);
    }
  }

  async function start() {
    const v = await form('New discovery scan', [
      { name: 'cidr', label: 'Addresses to sweep (CIDR, e.g. 10.0.0.0/24)' },
      { name: 'broadcast', label: 'Broadcast addresses (comma-separated, e.g. 255.255.255.255)' },
      { name: 'port', label: 'Port', type: 'select', value: 'auto',
        options: [['auto', 'auto (3080, then 3081 for the silent ones)'], ['3080', '3080'], ['3081', '3081']] },
      { name: 'timeoutMs', label: 'Wait for answers (ms)', type: 'number', value: 1500 }], 'Scan');
    if (!v) {
      return;
    }
    const broadcast = (v.broadcast || '').split(',').map((b) => b.trim()).filter(Boolean);
    let started = null;
    await act(async () => {
      started = await api.post('/api/v1/discovery/scans', { cidr: v.cidr || undefined,
        broadcast: broadcast.length ? broadcast : undefined, port: v.port, timeoutMs: v.timeoutMs || undefined });
    }, 'Scan started.', reload);
    if (started && started.id) {
      await show(started.id);
    }
  }

  section.replaceChildren(...frame('Discovery scans', [button('New scan...', start, 'primary new-scan'),
    button('Refresh', reload, 'refresh')]), scans, detail);
  reload();
  return () => clearTimeout(follow);
}

// Replication (administrators): the database pair as replication-monitor sees it (both nodes, lag, state history),
// and the topology changes it runs: switchover and promote, each with a reason and a confirmation. replication-monitor
// records the acting user and the reason in its own audit ("ada via management-api"), management-api in its audit.
import * as api from '../api.js';
import { el, button, frame, cell, act, form, when, guarded } from '../ui.js';

const yesNo = (b) => (b === null || b === undefined ? '?' : b ? 'yes' : 'no');

function lagText(ms) {
  if (ms === null || ms === undefined) {
    return 'unknown';
  }
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function nodeRow(role, n) {
  if (!n) {
    return el('tr', { dataset: { role } }, cell(role), el('td', { colSpan: 6 }, 'not observed yet'));
  }
  const r = n.replica;
  return el('tr', { dataset: { role, node: n.address || n.node || '' } },
    cell(role), cell(n.address || n.node || ''),
    cell(n.reachable ? 'reachable' : 'unreachable', n.error ? el('div', {}, el('small', {}, n.error)) : null),
    cell(yesNo(n.readOnly)), cell((n.flavour || '') + ' ' + (n.version || '')),
    cell(r ? 'IO ' + (r.ioRunning || '?') + ', SQL ' + (r.sqlRunning ? 'running' : 'stopped')
      + (r.lastIoError ? ' - ' + r.lastIoError : '') + (r.lastSqlError ? ' - ' + r.lastSqlError : '') : '-'),
    cell(el('small', {}, n.gtidPosition || '')));
}

export function render(section) {
  const state = el('p', { id: 'replication-state', class: 'state' }, 'Loading...');
  const nodes = el('table', { id: 'replication-nodes' },
    el('caption', {}, 'Database nodes'),
    el('thead', {}, el('tr', {}, ['Role', 'Address', 'Reachable', 'Read-only', 'Server', 'Replication', 'GTID position']
      .map((h) => el('th', { scope: 'col' }, h)))), el('tbody'));
  const history = el('table', { id: 'replication-history' },
    el('caption', {}, 'History (newest first)'),
    el('thead', {}, el('tr', {}, ['When', 'What', 'By', 'Reason', 'Outcome', 'Detail']
      .map((h) => el('th', { scope: 'col' }, h)))), el('tbody'));

  async function reload() {
    const s = await guarded(() => api.get('/api/v1/replication/status'));
    if (s) {
      state.dataset.state = s.state || '';
      state.replaceChildren('State ', el('strong', { id: 'replication-state-name' }, s.state || '?'),
        ' since ', when(s.since), ', lag ', el('span', { id: 'replication-lag' }, lagText(s.lagMillis)),
        s.detail && s.state !== 'HEALTHY' ? ' - ' + s.detail : '', ', automatic failover ', s.autoFailover ? 'on' : 'off',
        ', observed ', when(s.observedAt));
      nodes.tBodies[0].replaceChildren(nodeRow('primary', s.primary), nodeRow('secondary', s.secondary));
    } else {
      state.textContent = 'replication-monitor did not answer (see the message above).';
    }
    const h = await guarded(() => api.get('/api/v1/replication/history', { limit: 100 }));
    if (h) {
      history.tBodies[0].replaceChildren(...(h.length ? h.slice().reverse().map((e) => el('tr',
        { dataset: { kind: e.kind || '' } },
        cell(when(e.at)), cell(e.kind === 'STATE' ? (e.from || '-') + ' -> ' + (e.to || '') : e.kind),
        cell(e.actor || ''), cell(e.reason || ''), cell(e.outcome || ''), cell(el('small', {}, e.detail || ''))))
        : [el('tr', {}, el('td', { class: 'empty', colSpan: 6 }, 'Nothing here.'))]));
    }
  }

  async function topology(kind) {
    const promote = kind === 'promote';
    const fields = [
      { name: 'reason', label: 'Reason (kept in the audit with your name)', required: true },
      { name: 'confirm', type: 'checkbox', required: true,
        label: promote ? 'I want the secondary to become primary now; the old primary is fenced when it answers'
          : 'I want the primary and the secondary to swap roles now (writes pause for a few seconds)' }];
    if (promote) {
      fields.push({ name: 'force', type: 'checkbox', label: 'Force even if the secondary has not applied everything '
        + '(transactions may be lost)' });
    }
    const v = await form(promote ? 'Promote the secondary' : 'Switchover', fields, promote ? 'Promote' : 'Switch over');
    if (!v || !v.confirm) {
      return;
    }
    await act(async () => {
      const r = await api.post('/api/v1/replication/' + kind, { reason: v.reason, force: promote ? !!v.force : undefined });
      if (r && r.outcome && r.outcome !== 'DONE') {
        throw new Error(kind + ' ended ' + r.outcome + ': ' + (r.steps || []).join('; '));
      }
    }, promote ? 'Promotion done.' : 'Switchover done.', reload);
  }

  section.replaceChildren(...frame('Replication', [
    button('Switchover...', () => topology('switchover'), 'switchover'),
    button('Promote secondary...', () => topology('promote'), 'promote danger'),
    button('Refresh', reload, 'refresh')]), state, nodes, history);
  reload();
  // The page follows the pair while it is open (lag and state move by themselves).
  const timer = setInterval(reload, 5000);
  return () => clearInterval(timer);
}

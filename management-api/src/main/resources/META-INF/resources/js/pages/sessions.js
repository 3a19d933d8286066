// Sessions: active and history (operators, admins and auditors see everyone's, others their own); disconnect with a
// message (operators); a recorded session's recording plays (admins, auditors).
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, when } from '../ui.js';
import { reasonText } from '../end-reasons.js';

export function render(section, ctx) {
  const operator = ctx.hasRole('operator', 'admin');
  // Admins and auditors watch recordings; auditors see every session but may not disconnect one.
  const watcher = ctx.hasRole('admin', 'auditor');
  const list = pagedTable({
    id: 'sessions',
    filters: [{ name: 'state', label: 'State', type: 'select',
      options: [['ACTIVE', 'active'], ['RESUMING', 'resuming'], ['ENDED', 'ended (history)'], ['PENDING', 'pending'],
        ['', 'any']] },
    { name: 'targetId', label: 'Target id', type: 'number' }],
    columns: ['User', 'Target', 'Mode', 'State', 'Since', 'Ended', 'Client', 'Broker', 'Actions'],
    load: (p) => api.get('/api/v1/sessions', p),
    row: (s) => el('tr', { dataset: { sessionId: String(s.id) } },
      cell(s.user || ''), cell(s.targetName || String(s.targetId)), cell(s.mode || ''), cell(s.state || ''),
      cell(when(s.claimedAt || s.createdAt)),
      cell(s.endedAt ? when(s.endedAt) + (s.endReason ? ' (' + reasonText(s.endReason) + ')' : '') : ''),
      cell(s.clientAddress || ''),
      // A resumed session went through several brokers: the legs, each with the broker that carried it.
      s.legCount > 1 ? el('td', {}, el('details', { class: 'legs' },
        el('summary', {}, (s.brokerId || '') + ' (' + s.legCount + ' legs)'),
        el('ol', { class: 'legs-list', dataset: { sessionId: String(s.id),
          playable: String(watcher && s.recorded && s.state === 'ENDED') } }))) : cell(s.brokerId || ''),
      actions(watcher && s.recorded && s.state === 'ENDED'
        ? el('a', { href: '#playback/' + encodeURIComponent(s.id), class: 'play' }, 'Play recording') : null,
      !operator || s.state === 'ENDED' ? null : s.disconnectRequestedBy ? 'disconnecting'
        : button('Disconnect', async () => {
          const v = await form('Disconnect ' + (s.user || '') + ' from ' + (s.targetName || s.targetId),
            [{ name: 'message', label: 'Message to the user (optional)' }], 'Disconnect');
          if (v) {
            await act(() => api.del(api.query('/api/v1/sessions/' + encodeURIComponent(s.id),
              { message: v.message })), 'Disconnect requested; the broker ends the session at its next heartbeat.',
            list.reload);
          }
        }, 'disconnect danger'))),
  });
  // A session's legs load when its row is opened (the list answer carries only their count).
  list.element.addEventListener('toggle', async (e) => {
    const d = e.target;
    const ol = d && d.querySelector && d.querySelector('ol.legs-list');
    if (!d.open || !ol || ol.childElementCount) {
      return;
    }
    const full = await api.get('/api/v1/sessions/' + encodeURIComponent(ol.dataset.sessionId));
    // Each leg of a recorded session is a recording of its own: <session id> for the first, <session id>.<leg> after.
    const recording = (l) => (l.leg > 1 ? full.id + '.' + l.leg : full.id);
    ol.replaceChildren(...(full.legs || []).map((l) => el('li', {}, l.brokerId + ': ' + when(l.claimedAt)
      + (l.endedAt ? ' to ' + when(l.endedAt) + (l.endReason ? ' (' + reasonText(l.endReason) + ')' : '') : ' (carrying it)'),
    ol.dataset.playable === 'true' ? el('a', { href: '#playback/' + encodeURIComponent(recording(l)),
      class: 'play' }, ' play') : null)));
  }, true);
  section.replaceChildren(...frame(operator || watcher ? 'Sessions' : 'My sessions', button('Refresh', () => list.reload(),
    'refresh')), list.element);
  list.reload();
}

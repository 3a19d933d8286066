// Sessions: active and history (operators and admins see everyone's, others their own); disconnect with a message.
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, when } from '../ui.js';

export function render(section, ctx) {
  const operator = ctx.hasRole('operator', 'admin');
  const list = pagedTable({
    id: 'sessions',
    filters: [{ name: 'state', label: 'State', type: 'select',
      options: [['ACTIVE', 'active'], ['ENDED', 'ended (history)'], ['PENDING', 'pending'], ['', 'any']] },
    { name: 'targetId', label: 'Target id', type: 'number' }],
    columns: ['User', 'Target', 'Mode', 'State', 'Since', 'Ended', 'Client', 'Broker', 'Actions'],
    load: (p) => api.get('/api/v1/sessions', p),
    row: (s) => el('tr', { dataset: { sessionId: String(s.id) } },
      cell(s.user || ''), cell(s.targetName || String(s.targetId)), cell(s.mode || ''), cell(s.state || ''),
      cell(when(s.claimedAt || s.createdAt)),
      cell(s.endedAt ? when(s.endedAt) + ' (' + (s.endReason || '') + ')' : ''),
      cell(s.clientAddress || ''), cell(s.brokerId || ''),
      actions(!operator || s.state === 'ENDED' ? null : s.disconnectRequestedBy ? 'disconnecting'
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
  section.replaceChildren(...frame(operator ? 'Sessions' : 'My sessions', button('Refresh', () => list.reload(),
    'refresh')), list.element);
  list.reload();
}

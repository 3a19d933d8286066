// Recordings (admins and auditors): searched on the server by typed text (q), user, target and time; each plays
// in the player (#playback/<session id>). Watching changes nothing; only the viewing is audited.
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, when, isoTimes } from '../ui.js';
import { clock } from './playback.js';

const size = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? Math.round(n / 1024) + ' KiB'
  : n + ' B');

export function render(section) {
  const list = pagedTable({
    id: 'recordings',
    filters: [{ name: 'q', label: 'Typed text' }, { name: 'user', label: 'User' },
      { name: 'target', label: 'Target (name contains)' },
      { name: 'from', label: 'From', type: 'datetime-local' }, { name: 'to', label: 'To', type: 'datetime-local' }],
    columns: ['Started', 'User', 'Target', 'Mode', 'Duration', 'Size', 'Complete', 'Actions'],
    load: (p) => api.get('/api/v1/recordings', isoTimes(p)),
    row: (r) => el('tr', { dataset: { sessionId: r.sessionId } }, cell(when(r.startedAt)), cell(r.user || ''),
      cell(r.targetName || 'deleted target ' + r.targetId), cell(r.mode || ''), cell(clock(r.durationMillis)), cell(size(r.bytes)),
      cell(r.complete ? 'yes' : 'no'),
      actions(el('a', { href: '#playback/' + encodeURIComponent(r.sessionId), class: 'play' }, 'Play'))),
  });

  section.replaceChildren(...frame('Recordings', button('Refresh', () => list.reload(), 'refresh')), list.element);
  list.reload();
}

// Audit (admins and auditors): every change, filtered on the server; export as CSV or JSON (up to 100,000 rows).
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, guarded, when, isoTimes } from '../ui.js';

/** A session event of a recorded session (its request says recorded=true, its end the digest) links to playback. */
function playLink(e) {
  return e.objectType === 'session' && e.objectId && /(^| )(recorded=true|recording=sha256:)/.test(e.details || '')
    ? [' ', el('a', { href: '#playback/' + encodeURIComponent(e.objectId), class: 'play' }, 'Play recording')] : null;
}

export function render(section) {
  const list = pagedTable({
    id: 'audit',
    filters: [{ name: 'actor', label: 'Actor' }, { name: 'action', label: 'Action' },
      { name: 'objectType', label: 'Object type' }, { name: 'objectId', label: 'Object id' },
      { name: 'outcome', label: 'Outcome', type: 'select', options: [['', 'any'], ['SUCCESS', 'success'],
        ['FAILURE', 'failure'], ['DENIED', 'denied']] },
      { name: 'from', label: 'From', type: 'datetime-local' }, { name: 'to', label: 'To', type: 'datetime-local' }],
    columns: ['When', 'Actor', 'Action', 'Object', 'Outcome', 'From', 'Details'],
    load: (p) => api.get('/api/v1/audit-events', isoTimes(p)),
    row: (e) => el('tr', { dataset: { eventId: String(e.id) } }, cell(when(e.occurredAt)), cell(e.actor || ''),
      cell(e.action || ''), cell((e.objectType || '') + (e.objectId ? ' ' + e.objectId : '')), cell(e.outcome || ''),
      cell(e.sourceAddress || ''), cell(e.details || '', playLink(e))),
  });

  async function download(format) {
    const params = {};
    Object.entries(list.filterInputs).forEach(([k, input]) => { params[k] = input.value.trim(); });
    const q = isoTimes(params);
    if (format === 'csv') {
      q.format = 'csv';
    } else {
      q.export = 'true';
    }
    const blob = await guarded(() => api.blob('/api/v1/audit-events', q,
      format === 'csv' ? 'text/csv' : 'application/json'));
    if (!blob) {
      return;
    }
    const a = el('a', { href: URL.createObjectURL(blob), download: 'cam-audit.' + format, id: 'audit-download' });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 60000);
  }

  section.replaceChildren(...frame('Audit', [button('Export CSV', () => download('csv'), 'export-csv'),
    button('Export JSON', () => download('json'), 'export-json')]), list.element);
  list.reload();
}

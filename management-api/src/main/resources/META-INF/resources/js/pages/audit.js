// Audit (admins): every change, filtered on the server; export as CSV or JSON (up to 100,000 rows).
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, guarded, when } from '../ui.js';

export function render(section) {
  const list = pagedTable({
    id: 'audit',
    filters: [{ name: 'actor', label: 'Actor' }, { name: 'action', label: 'Action' },
      { name: 'objectType', label: 'Object type' }, { name: 'objectId', label: 'Object id' },
      { name: 'outcome', label: 'Outcome', type: 'select', options: [['', 'any'], ['SUCCESS', 'success'],
        ['FAILURE', 'failure'], ['DENIED', 'denied']] },
      { name: 'from', label: 'From', type: 'datetime-local' }, { name: 'to', label: 'To', type: 'datetime-local' }],
    columns: ['When', 'Actor', 'Action', 'Object', 'Outcome', 'From', 'Details'],
    load: (p) => api.get('/api/v1/audit-events', iso(p)),
    row: (e) => el('tr', { dataset: { eventId: String(e.id) } }, cell(when(e.occurredAt)), cell(e.actor || ''),
      cell(e.action || ''), cell((e.objectType || '') + (e.objectId ? ' ' + e.objectId : '')), cell(e.outcome || ''),
      cell(e.sourceAddress || ''), cell(e.details || '')),
  });

  /** datetime-local values (local time) as ISO-8601 instants for the API. */
  function iso(p) {
    const out = Object.assign({}, p);
    ['from', 'to'].forEach((k) => {
      if (out[k]) {
        out[k] = new Date(out[k]).toISOString();
      }
    });
    return out;
  }

  async function download(format) {
    const params = {};
    Object.entries(list.filterInputs).forEach(([k, input]) => { params[k] = input.value.trim(); });
    const q = iso(params);
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

// Alarms: filtered on the server; acknowledge.
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, when } from '../ui.js';

export function render(section) {
  const list = pagedTable({
    id: 'alarms',
    filters: [
      { name: 'state', label: 'State', type: 'select', options: [['RAISED', 'raised'], ['CLEARED', 'cleared'], ['', 'any']] },
      { name: 'acknowledged', label: 'Acknowledged', type: 'select', options: [['', 'any'], ['false', 'no'], ['true', 'yes']] },
      { name: 'source', label: 'Source' }, { name: 'key', label: 'Key' }],
    columns: ['Raised', 'Severity', 'Source', 'Key', 'Message', 'State', 'Acknowledged', 'Actions'],
    load: (p) => api.get('/api/v1/alarms', p),
    row: (a) => el('tr', { dataset: { alarmId: String(a.id) } },
      cell(when(a.raisedAt)), cell(a.severity || ''), cell(a.source || ''), cell(a.key || ''), cell(a.message || ''),
      cell(a.state || '', a.clearedAt ? ' ' + when(a.clearedAt) : ''),
      cell(a.acknowledgedAt ? (a.acknowledgedBy || '') + ', ' + when(a.acknowledgedAt) : ''),
      actions(a.acknowledgedAt ? null : button('Acknowledge', () => act(() => api.post('/api/v1/alarms/'
        + encodeURIComponent(a.id) + '/acknowledge'), 'Alarm acknowledged.', list.reload), 'ack'))),
  });
  section.replaceChildren(...frame('Alarms', button('Refresh', () => list.reload(), 'refresh')), list.element);
  list.reload();
}

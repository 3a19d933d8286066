// Targets (operators and admins): RFB-endpoint targets created, edited (policy, tags) and deleted; target sets and
// their members, and each set's recording policy (as set, and as applied when the configuration records the set).
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, confirmAction, message } from '../ui.js';

const POLICIES = [['SHARED_VIEW', 'Shared view (one controls, others watch)'], ['SHARED', 'Shared (all control)'],
  ['EXCLUSIVE', 'Exclusive (one session)']];
const tags = (s) => (s || '').split(',').map((t) => t.trim()).filter((t) => t);

function targetFields(t) {
  const device = t && t.kind === 'DEVICE_CHANNEL';
  return [
    { name: 'name', label: 'Name', required: true, value: t && t.name },
    { name: 'description', label: 'Description', value: t && t.description },
    { name: 'host', label: 'Host', required: true, value: t ? t.host : '', readOnly: device,
      help: device ? 'A device channel\'s endpoint comes from its device.' : null },
    { name: 'port', label: 'Port', type: 'number', required: true, value: t ? t.port : 5900, readOnly: device },
    { name: 'accessPolicy', label: 'Access policy', type: 'select', options: POLICIES, value: t && t.accessPolicy },
    { name: 'locationTags', label: 'Tags (comma separated)', value: t ? (t.locationTags || []).join(', ') : '' },
  ];
}

const body = (v, t) => ({ name: v.name, description: v.description || null, host: v.host, port: v.port,
  accessPolicy: v.accessPolicy, locationTags: tags(v.locationTags), version: t ? t.version : undefined });

export function render(section, ctx) {
  const admin = ctx ? ctx.hasRole('admin') : false;
  const targets = pagedTable({
    id: 'admin-targets',
    filters: [{ name: 'q', label: 'Name' }, { name: 'tag', label: 'Tag' },
      { name: 'policy', label: 'Policy', type: 'select', options: [['', 'any'], ...POLICIES] }],
    columns: ['Name', 'Endpoint', 'Kind', 'Policy', 'Tags', 'Status', 'Actions'],
    load: (p) => api.get('/api/v1/targets', p),
    row: (t) => el('tr', { dataset: { targetId: String(t.id) } },
      cell(t.name, t.description ? el('div', {}, el('small', {}, t.description)) : null),
      cell((t.host || '') + ':' + (t.port || '')), cell(t.kind === 'DEVICE_CHANNEL' ? 'device channel' : 'RFB endpoint'),
      cell(t.accessPolicy), cell((t.locationTags || []).join(', ')), cell(t.statusText || t.status || ''),
      actions(
        button('Edit', async () => {
          const v = await form('Edit ' + t.name, targetFields(t));
          if (v) {
            await act(() => api.put('/api/v1/targets/' + t.id, body(v, t)), 'Target saved.', targets.reload);
          }
        }, 'edit'),
        button('Delete', async () => {
          if (await confirmAction('Delete target ' + t.name + '?')) {
            await act(() => api.del('/api/v1/targets/' + t.id), 'Target deleted.', targets.reload);
          }
        }, 'delete danger'))),
  });

  // A set may hold thousands of targets: its row shows the count, and its members open on demand as a paged,
  // searched list of their own (the ids of the open ones survive the set list's reloads).
  const open = new Set();
  function membersOf(s) {
    const members = pagedTable({
      id: 'set-members-' + s.id,
      filters: [{ name: 'q', label: 'Member name' }],
      columns: ['Member', 'Actions'],
      size: 20,
      load: (p) => api.get('/api/v1/target-sets/' + s.id + '/targets', p),
      row: (m) => el('tr', { dataset: { targetId: String(m.id) } }, cell(m.name),
        actions(button('Remove', () => act(() => api.del('/api/v1/target-sets/' + s.id + '/targets/' + m.id),
          m.name + ' removed from ' + s.name + '.', sets.reload), 'remove-member'))),
    });
    members.reload();
    return members.element;
  }

  const sets = pagedTable({
    id: 'sets',
    filters: [{ name: 'q', label: 'Set name' }],
    columns: ['Set', 'Description', 'Members', 'Actions'],
    load: (p) => api.get('/api/v1/target-sets', p),
    row: (s) => el('tr', { dataset: { setId: String(s.id) } },
      cell(s.name), cell(s.description || ''),
      cell(el('span', { class: 'member-count' }, s.targetCount + (s.targetCount === 1 ? ' target' : ' targets')), ' ',
        button(open.has(s.id) ? 'Hide members' : 'Show members', () => {
          if (!open.delete(s.id)) {
            open.add(s.id);
          }
          sets.reload();
        }, 'show-members'),
        open.has(s.id) ? membersOf(s) : null),
      actions(
        button('Add target', async () => {
          const v = await form('Add a target to ' + s.name, [{ name: 'target', label: 'Target name or id',
            required: true }], 'Add');
          if (v) {
            await act(async () => {
              const id = await targetId(v.target);
              await api.put('/api/v1/target-sets/' + s.id + '/targets/' + id);
            }, 'Target added to ' + s.name + '.', sets.reload);
          }
        }, 'add-member'),
        button('Recording', async () => {
          // Read first: the configuration may record the set whatever its own setting says (enforcedBy).
          const p = await api.get('/api/v1/target-sets/' + s.id + '/recording');
          const applied = 'Sessions on ' + s.name + ' are ' + (p.effective === 'ALWAYS' ? 'recorded'
            + (p.effectiveFailClosed ? ' (fail-closed: no session without a recording)' : '') : 'not recorded')
            + (p.enforcedBy ? ', by the ' + p.enforcedBy + ', whatever is set here' : '') + '.';
          if (!admin) {
            message(applied + ' Only administrators change a set\'s recording policy.');
            return;
          }
          const v = await form('Recording policy of ' + s.name + '. ' + applied, [
            { name: 'recording', label: 'Record sessions (admins set this; audited)', type: 'select',
              options: [['NEVER', 'never'], ['ALWAYS', 'always']], value: p.recording },
            { name: 'failClosed', label: 'Fail closed: refuse a session whose recording cannot be written',
              type: 'checkbox', value: p.failClosed }]);
          if (v) {
            await act(() => api.put('/api/v1/target-sets/' + s.id + '/recording', { recording: v.recording,
              failClosed: !!v.failClosed }), 'Recording policy of ' + s.name + ' saved.', sets.reload);
          }
        }, 'recording-policy'),
        button('Rename', async () => {
          const v = await form('Edit set ' + s.name, [{ name: 'name', label: 'Name', required: true, value: s.name },
            { name: 'description', label: 'Description', value: s.description }]);
          if (v) {
            await act(() => api.put('/api/v1/target-sets/' + s.id, { name: v.name, description: v.description || null,
              version: s.version }), 'Set saved.', sets.reload);
          }
        }, 'edit'),
        button('Delete', async () => {
          if (await confirmAction('Delete set ' + s.name + ' (and its grants)?')) {
            await act(() => api.del('/api/v1/target-sets/' + s.id), 'Set deleted.', sets.reload);
          }
        }, 'delete danger'))),
  });

  section.replaceChildren(
    ...frame('Targets', [button('New target', async () => {
      const v = await form('New RFB-endpoint target', targetFields(null), 'Create');
      if (v) {
        await act(() => api.post('/api/v1/targets', body(v, null)), 'Target ' + v.name + ' created.', targets.reload);
      }
    }, 'primary new-target'), button('Refresh', () => targets.reload(), 'refresh')]),
    targets.element,
    ...frame('Target sets', button('New set', async () => {
      const v = await form('New target set', [{ name: 'name', label: 'Name', required: true },
        { name: 'description', label: 'Description' }], 'Create');
      if (v) {
        await act(() => api.post('/api/v1/target-sets', { name: v.name, description: v.description || null }),
          'Set ' + v.name + ' created.', sets.reload);
      }
    }, 'primary new-set')),
    sets.element);
  targets.reload();
  sets.reload();
}

/** A target's id from its id or exact name (the name search is on the server). */
export async function targetId(nameOrId) {
  if (/^\d+$/.test(nameOrId)) {
    return Number(nameOrId);
  }
  return (await api.findByName('/api/v1/targets', 'name', nameOrId, 'target')).id;
}

// Access (admins): grants (group -> target set, level), direct assignments (user -> target), and effective access
// explained: for a user, what they may open and through which rule; for a target, who may open it and why.
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, confirmAction, guarded } from '../ui.js';
import { groupId, userByName } from './groups.js';
import { targetId } from './targets.js';

const LEVELS = [['FULL_CONTROL', 'Full control'], ['VIEW_ONLY', 'View only'], ['NONE', 'None (denies)']];

const setId = async (name) => (await api.findByName('/api/v1/target-sets', 'name', name, 'target set')).id;

export function render(section) {
  const grants = pagedTable({
    id: 'grants',
    columns: ['Group', 'Target set', 'Level', 'Actions'],
    load: (p) => api.get('/api/v1/grants', p),
    row: (g) => el('tr', { dataset: { grantId: String(g.id) } },
      cell(g.groupName), cell(g.targetSetName), cell(g.accessLevel),
      actions(
        button('Change level', async () => {
          const v = await form('Level of ' + g.groupName + ' on ' + g.targetSetName, [{ name: 'accessLevel',
            label: 'Level', type: 'select', options: LEVELS, value: g.accessLevel }]);
          if (v) {
            await act(() => api.put('/api/v1/grants/' + g.id, { accessLevel: v.accessLevel, version: g.version }),
              'Grant changed.', grants.reload);
          }
        }, 'edit'),
        button('Revoke', async () => {
          if (await confirmAction('Revoke ' + g.groupName + ' on ' + g.targetSetName + '?')) {
            await act(() => api.del('/api/v1/grants/' + g.id), 'Grant revoked.', grants.reload);
          }
        }, 'delete danger'))),
  });

  const assignmentsBody = el('tbody');
  const assignments = el('table', { id: 'assignments-table' }, el('thead', {}, el('tr', {},
    ['User', 'Target', 'Level', 'Actions'].map((h) => el('th', { scope: 'col' }, h)))), assignmentsBody);
  async function loadAssignments() {
    const list = await guarded(() => api.get('/api/v1/assignments'));
    if (list) {
      assignmentsBody.replaceChildren(...(list.length ? list.map((a) => el('tr', { dataset: { assignmentId: String(a.id) } },
        cell(a.username), cell(a.targetName), cell(a.accessLevel),
        actions(button('Remove', () => act(() => api.del('/api/v1/assignments/' + a.id), 'Assignment removed.',
          loadAssignments), 'delete danger'))))
        : [el('tr', {}, el('td', { class: 'empty', colSpan: 4 }, 'Nothing here.'))]));
    }
  }

  // Effective access: one form, two questions.
  const result = el('div', { id: 'effective-result', 'aria-live': 'polite' });
  const who = el('input', { id: 'effective-user', name: 'user', type: 'search' });
  const what = el('input', { id: 'effective-target', name: 'target', type: 'search' });
  const reasonsTable = (rows, first) => el('table', { id: 'effective-table' },
    el('thead', {}, el('tr', {}, [first, 'Level', 'Why'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colSpan: 3 }, 'No rule applies.'))]));
  /** A one-field question form; answer(value) fills the result. */
  const question = (id, label, input, answer) => {
    const f = el('form', { class: 'filters', id },
      el('span', { class: 'filter' }, el('label', { for: input.id }, label), input),
      el('button', { type: 'submit' }, 'Show'));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      await guarded(() => answer(input.value.trim()));
    });
    return f;
  };
  const userForm = question('effective-user-form', 'What may this user open?', who, async (name) => {
    const u = await userByName(name);
    const r = await api.get('/api/v1/access/users/' + u.id, { size: 200 });
    result.replaceChildren(el('h3', {}, u.username, ' (', (r.roles || []).join(', ') || 'no role', ')'),
      r.roleRule ? el('p', { class: 'note' }, r.roleRule) : null,
      el('p', {}, r.reasons.total + ' rules'),
      reasonsTable(r.reasons.items.map((x) => el('tr', { dataset: { targetId: String(x.targetId) } },
        cell(x.targetName), cell(x.accessLevel), cell(x.via))), 'Target'));
  });
  const targetForm = question('effective-target-form', 'Who may open this target?', what, async (name) => {
    const r = await api.get('/api/v1/access/targets/' + await targetId(name), { size: 200 });
    result.replaceChildren(el('h3', {}, r.targetName), el('p', { class: 'note' }, r.roleRule),
      reasonsTable(r.reasons.items.map((x) => el('tr', { dataset: { username: x.username } },
        cell(x.username), cell(x.accessLevel), cell(x.via))), 'User'));
  });

  section.replaceChildren(
    ...frame('Grants', button('New grant', async () => {
      const v = await form('New grant: a group may open a target set', [
        { name: 'group', label: 'Group', required: true }, { name: 'set', label: 'Target set', required: true },
        { name: 'accessLevel', label: 'Level', type: 'select', options: LEVELS }], 'Grant');
      if (v) {
        await act(async () => api.post('/api/v1/grants', { groupId: await groupId(v.group),
          targetSetId: await setId(v.set), accessLevel: v.accessLevel }), 'Grant made.', grants.reload);
      }
    }, 'primary new-grant')),
    grants.element,
    ...frame('Direct assignments', button('New assignment', async () => {
      const v = await form('A target for one user', [{ name: 'user', label: 'User', required: true },
        { name: 'target', label: 'Target name or id', required: true },
        { name: 'accessLevel', label: 'Level', type: 'select', options: LEVELS }], 'Assign');
      if (v) {
        await act(async () => api.post('/api/v1/assignments', { userId: (await userByName(v.user)).id,
          targetId: await targetId(v.target), accessLevel: v.accessLevel }), 'Assignment made.', loadAssignments);
      }
    }, 'primary new-assignment')),
    assignments,
    ...frame('Effective access'), userForm, targetForm, result);
  grants.reload();
  loadAssignments();
}

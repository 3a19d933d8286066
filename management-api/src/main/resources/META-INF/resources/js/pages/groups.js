// Groups (admins): local groups, their members and nesting; LDAP groups read-only (the directory owns them).
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, confirmAction } from '../ui.js';

export const userByName = (name) => api.findByName('/api/v1/users', 'username', name, 'user');
const userId = async (name) => (await userByName(name)).id;
export const groupId = async (name) => (await api.findByName('/api/v1/groups', 'name', name, 'group')).id;

export function render(section) {
  // A directory group may hold thousands of users: its row shows the count, and its members open on demand as a
  // paged, searched list of their own (the ids of the open ones survive the group list's reloads).
  const open = new Set();
  function membersOf(g, local) {
    const members = pagedTable({
      id: 'group-members-' + g.id,
      filters: [{ name: 'q', label: 'User name' }],
      columns: local ? ['Member', 'Actions'] : ['Member'],
      size: 20,
      load: (p) => api.get('/api/v1/groups/' + g.id + '/members', p),
      row: (m) => el('tr', { dataset: { userId: String(m.id), username: m.username } },
        cell(m.username, m.displayName ? el('div', {}, el('small', {}, m.displayName)) : null),
        local ? actions(button('Remove', () => act(() => api.del('/api/v1/groups/' + g.id + '/members/' + m.id),
          m.username + ' removed from ' + g.name + '.', list.reload), 'remove-member')) : null),
    });
    members.reload();
    return members.element;
  }

  const list = pagedTable({
    id: 'groups',
    filters: [{ name: 'q', label: 'Name' }],
    columns: ['Group', 'Source', 'Members', 'Nested in', 'Actions'],
    load: (p) => api.get('/api/v1/groups', p),
    row: (g) => {
      const local = g.source === 'LOCAL';
      return el('tr', { dataset: { groupId: String(g.id), name: g.name } },
        cell(g.name, g.description ? el('div', {}, el('small', {}, g.description)) : null), cell(g.source),
        cell(el('span', { class: 'member-count' }, g.memberCount + (g.memberCount === 1 ? ' member' : ' members')), ' ',
          button(open.has(g.id) ? 'Hide members' : 'Show members', () => {
            if (!open.delete(g.id)) {
              open.add(g.id);
            }
            list.reload();
          }, 'show-members'),
          open.has(g.id) ? membersOf(g, local) : null),
        cell((g.parents || []).join(', ')),
        actions(
          local ? button('Add member', async () => {
            const v = await form('Add a member to ' + g.name, [{ name: 'user', label: 'User name', required: true }], 'Add');
            if (v) {
              await act(async () => api.put('/api/v1/groups/' + g.id + '/members/' + await userId(v.user)),
                v.user + ' added to ' + g.name + '.', list.reload);
            }
          }, 'add-member') : null,
          local ? button('Nest in', async () => {
            const v = await form('Nest ' + g.name + ' in another group (its members get that group\'s grants)',
              [{ name: 'parent', label: 'Parent group', required: true }], 'Nest');
            if (v) {
              await act(async () => api.put('/api/v1/groups/' + g.id + '/parents/' + await groupId(v.parent)),
                g.name + ' nested in ' + v.parent + '.', list.reload);
            }
          }, 'nest') : null,
          local ? button('Delete', async () => {
            if (await confirmAction('Delete group ' + g.name + ' (and its grants)?')) {
              await act(() => api.del('/api/v1/groups/' + g.id), 'Group deleted.', list.reload);
            }
          }, 'delete danger') : el('small', {}, 'from the directory')));
    },
  });
  section.replaceChildren(...frame('Groups', [button('New group', async () => {
    const v = await form('New local group', [{ name: 'name', label: 'Name', required: true },
      { name: 'description', label: 'Description' }], 'Create');
    if (v) {
      await act(() => api.post('/api/v1/groups', { name: v.name, description: v.description || null }),
        'Group ' + v.name + ' created.', list.reload);
    }
  }, 'primary new-group'), button('Refresh', () => list.reload(), 'refresh')]), list.element);
  list.reload();
}

// Users (admins): local users created, roles, enable/disable, unlock, password reset; LDAP users read-only where the
// directory owns the field (name, e-mail, roles, password come from the directory).
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, confirmAction, when } from '../ui.js';

const ROLES = ['admin', 'operator', 'user', 'viewer'];
const roles = (s) => (s || '').split(',').map((r) => r.trim()).filter((r) => r);

export function render(section) {
  const list = pagedTable({
    id: 'users',
    filters: [{ name: 'q', label: 'Name' },
      { name: 'source', label: 'Source', type: 'select', options: [['', 'any'], ['LOCAL', 'local'], ['LDAP', 'LDAP']] },
      { name: 'enabled', label: 'Enabled', type: 'select', options: [['', 'any'], ['true', 'yes'], ['false', 'no']] }],
    columns: ['User', 'Source', 'Roles', 'Groups', 'Enabled', 'Last login', 'Actions'],
    load: (p) => api.get('/api/v1/users', p),
    row: (u) => {
      const local = u.source === 'LOCAL';
      return el('tr', { dataset: { userId: String(u.id), username: u.username } },
        cell(u.username, u.displayName ? el('div', {}, el('small', {}, u.displayName)) : null),
        cell(u.source), cell((u.roles || []).join(', ')), cell((u.groups || []).join(', ')),
        cell(u.enabled ? 'yes' : 'no'), cell(when(u.lastLoginAt)),
        actions(
          button('Edit', async () => {
            const v = await form('Edit ' + u.username + (local ? '' : ' (from LDAP: name, e-mail and roles are the directory\'s)'), [
              { name: 'displayName', label: 'Display name', value: u.displayName, readOnly: !local },
              { name: 'email', label: 'E-mail', value: u.email, readOnly: !local },
              { name: 'roles', label: 'Roles (' + ROLES.join(', ') + ')', value: (u.roles || []).join(', '),
                readOnly: !local },
              { name: 'enabled', label: 'Enabled', type: 'checkbox', value: u.enabled }]);
            if (v) {
              const b = { enabled: v.enabled, version: u.version };
              if (local) {
                Object.assign(b, { displayName: v.displayName || null, email: v.email || null, roles: roles(v.roles) });
              }
              await act(() => api.put('/api/v1/users/' + u.id, b), 'User ' + u.username + ' saved.', list.reload);
            }
          }, 'edit'),
          button(u.enabled ? 'Disable' : 'Enable', () => act(() => api.put('/api/v1/users/' + u.id,
            { enabled: !u.enabled, version: u.version }), 'User ' + u.username + (u.enabled ? ' disabled.' : ' enabled.'),
          list.reload), u.enabled ? 'disable' : 'enable'),
          button('Unlock', () => act(() => api.post('/api/v1/users/' + u.id + '/unlock'),
            'Lockout of ' + u.username + ' cleared.', list.reload), 'unlock'),
          local ? button('Reset password', async () => {
            const v = await form('New password for ' + u.username, [{ name: 'password', label: 'Password (8-128)',
              type: 'password', required: true }]);
            if (v) {
              await act(() => api.put('/api/v1/users/' + u.id + '/password', { password: v.password }),
                'Password of ' + u.username + ' set.', list.reload);
            }
          }, 'password') : null,
          local ? button('Delete', async () => {
            if (await confirmAction('Delete user ' + u.username + '?')) {
              await act(() => api.del('/api/v1/users/' + u.id), 'User deleted.', list.reload);
            }
          }, 'delete danger') : null));
    },
  });
  section.replaceChildren(...frame('Users', [button('New local user', async () => {
    const v = await form('New local user', [
      { name: 'username', label: 'User name', required: true }, { name: 'displayName', label: 'Display name' },
      { name: 'email', label: 'E-mail' }, { name: 'password', label: 'Password (8-128)', type: 'password', required: true },
      { name: 'roles', label: 'Roles (' + ROLES.join(', ') + ')', value: 'user' }], 'Create');
    if (v) {
      await act(() => api.post('/api/v1/users', { username: v.username, displayName: v.displayName || null,
        email: v.email || null, password: v.password, roles: roles(v.roles), enabled: true }),
      'User ' + v.username + ' created.', list.reload);
    }
  }, 'primary new-user'), button('Refresh', () => list.reload(), 'refresh')]), list.element);
  list.reload();
}

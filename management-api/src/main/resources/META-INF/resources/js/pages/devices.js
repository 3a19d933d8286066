// Devices: discovered / pending / managed / rejected; approve, reject, forget, reboot; a device's channels (names as
// a configuration push, power), firmware upgrades with live progress and the firmware library.
import * as api from '../api.js';
import { el, button, frame, pagedTable, cell, actions, act, form, confirmAction, when, guarded } from '../ui.js';

const STATES = [['', 'any'], ['DISCOVERED', 'discovered'], ['PENDING', 'pending'], ['MANAGED', 'managed'],
  ['REJECTED', 'rejected']];
const dev = (d) => '/api/v1/devices/' + encodeURIComponent(d.id);
const label = (d) => d.name || d.deviceId;

export function render(section) {
  let watch = null;
  let devices = null;   // the paged list (refreshJobs has a "list" of its own)
  const detail = el('div', { id: 'device-detail' });
  const list = pagedTable({
    id: 'devices',
    filters: [{ name: 'q', label: 'Name or MAC' }, { name: 'state', label: 'State', type: 'select', options: STATES },
      { name: 'status', label: 'Status', type: 'select',
        options: [['', 'any'], ['ONLINE', 'online'], ['OFFLINE', 'offline'], ['UPDATING', 'updating']] }],
    columns: ['Name', 'Address', 'State', 'Status', 'Operation', 'Firmware', 'Actions'],
    load: (p) => api.get('/api/v1/devices', p),
    row: (d) => el('tr', { dataset: { deviceId: String(d.id) } },
      cell(d.name || d.deviceId, el('br'), el('small', {}, d.deviceId)),
      cell(d.address || ''),
      cell(d.state || '', d.lastError ? el('div', {}, el('small', {}, d.lastError)) : null),
      cell(d.status || ''),
      cell(d.operation ? d.operation + (d.operationBy ? ' (' + d.operationBy + ')' : '') : ''),
      cell(d.firmwareVersion || ''),
      actions(
        d.state === 'DISCOVERED' || d.state === 'PENDING'
          ? button('Approve', () => act(() => api.post(dev(d) + '/approve'), 'Enrolment of ' + label(d) + ' done.',
            list.reload), 'approve') : null,
        d.state === 'MANAGED' ? button('Re-enrol', () => act(() => api.post(dev(d) + '/approve'),
          'Re-enrolment of ' + label(d) + ' done.', list.reload), 're-enrol') : null,
        d.state !== 'REJECTED' && d.state !== 'MANAGED' ? button('Reject', () => act(() => api.post(dev(d) + '/reject'),
          label(d) + ' rejected.', list.reload), 'reject') : null,
        d.state === 'MANAGED' ? button('Details', () => showDetail(d.id), 'details') : null,
        d.state === 'MANAGED' ? button('Reboot', async () => {
          if (await confirmAction('Reboot ' + label(d) + '?')) {
            await act(() => api.post(dev(d) + '/reboot'), 'Reboot of ' + label(d) + ' started.', list.reload);
          }
        }, 'reboot') : null,
        button('Forget', async () => {
          if (await confirmAction('Forget ' + label(d) + ' and delete its targets?')) {
            await act(() => api.del(dev(d)), label(d) + ' forgotten.', list.reload);
          }
        }, 'forget danger'))),
  });

  const library = el('table', { id: 'firmware-table' },
    el('thead', {}, el('tr', {}, ['Image', 'Size', 'SHA-256', 'Modified'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody'));
  async function loadLibrary() {
    const images = await guarded(() => api.get('/api/v1/firmware'));
    if (images) {
      library.tBodies[0].replaceChildren(...images.map((i) => el('tr', {}, cell(i.name), cell(String(i.sizeBytes)),
        cell(el('code', {}, i.sha256)), cell(when(i.modifiedAt)))));
    }
    return images || [];
  }

  async function showDetail(id) {
    clearInterval(watch);
    const d = await guarded(() => api.get('/api/v1/devices/' + id));
    if (!d) {
      return;
    }
    const jobs = el('ul', { id: 'firmware-jobs' });
    const channels = el('table', { id: 'channels-table' },
      el('thead', {}, el('tr', {}, ['Channel', 'Target', 'Sessions', 'Power', 'Actions'].map((h) =>
        el('th', { scope: 'col' }, h)))),
      el('tbody', {}, (d.channels || []).map((c) => el('tr', { dataset: { channel: String(c.channel) } },
        cell(String(c.channel)), cell(c.targetName || ''), cell(String(c.sessions)), cell(c.power || ''),
        actions(
          button('Rename', async () => {
            const v = await form('Rename channel ' + c.channel, [{ name: 'name', label: 'Name', required: true,
              value: c.targetName }]);
            if (v) {
              await act(() => api.put(dev(d) + '/channels/' + c.channel, { name: v.name }), 'Channel renamed.',
                () => showDetail(id));
            }
          }, 'rename'),
          ['on', 'off', 'cycle'].map((a) => button('Power ' + a, () => act(() => api.post(dev(d) + '/channels/'
            + c.channel + '/power', { action: a }), 'Power ' + a + ' sent to channel ' + c.channel + '.',
          () => showDetail(id)), 'power-' + a)))))));
    detail.replaceChildren(el('div', { class: 'card', dataset: { deviceId: String(d.id) } },
      el('h3', {}, label(d), ' (', d.model || '', ', firmware ', d.firmwareVersion || '?', ')'),
      el('p', {}, 'Serial ', d.serial || '', ', ', d.address, ':', String(d.httpsPort), ', KVM ports ',
        String(d.kvmPortFirst), '-', String(d.kvmPortLast), ', pinned certificate ',
        el('code', {}, d.pinnedFingerprint || 'none')),
      el('div', { class: 'buttons' },
        button('Configure', async () => {
          const v = await form('Configuration push to ' + label(d), [{ name: 'name', label: 'Device name',
            value: d.name, required: true }, ...(d.channels || []).map((c) => ({ name: 'ch' + c.channel,
            label: 'Channel ' + c.channel + ' name', value: c.targetName || '' }))]);
          if (v) {
            const body = { name: v.name, channels: (d.channels || []).filter((c) => v['ch' + c.channel]
              && v['ch' + c.channel] !== c.targetName).map((c) => ({ channel: c.channel, name: v['ch' + c.channel] })) };
            await act(() => api.put(dev(d) + '/configuration', body), 'Configuration applied.', () => showDetail(id));
          }
        }, 'configure'),
        button('Upgrade firmware', async () => {
          const images = await loadLibrary();
          const v = await form('Firmware upgrade of ' + label(d), [
            { name: 'image', label: 'Image', type: 'select', required: true, options: images.map((i) => [i.name, i.name]) },
            { name: 'version', label: 'Version it reports', required: true },
            { name: 'sha256', label: 'SHA-256 (optional check)' }], 'Upgrade');
          if (v) {
            await act(() => api.post(dev(d) + '/firmware', { image: v.image, version: v.version,
              sha256: v.sha256 || undefined }), 'Firmware upgrade started.', () => showDetail(id));
          }
        }, 'upgrade')),
      el('h4', {}, 'Channels'), channels, el('h4', {}, 'Firmware upgrades'), jobs));
    let running = false;
    const refreshJobs = async () => {
      const list = await guarded(() => api.get(dev(d) + '/firmware'));
      if (!list) {
        return;
      }
      jobs.replaceChildren(...(list.length ? list.map((j) => el('li', { dataset: { state: j.state } },
        j.image + ' -> ' + j.version + ': ' + j.state + ' ',
        el('progress', { max: 100, value: j.progress, 'aria-label': 'progress of ' + j.image }),
        ' ' + j.progress + ' %' + (j.detail ? ' (' + j.detail + ')' : '') + ', by ' + (j.requestedBy || '?') + ', '
        + when(j.createdAt))) : [el('li', {}, 'none')]));
      if (!list.some((j) => j.state !== 'DONE' && j.state !== 'FAILED')) {
        clearInterval(watch);
        if (running) {
          // A job just ended: the device reports its new firmware (or its old one) in the list and the heading.
          running = false;
          devices.reload();
          showDetail(id);
        }
      } else {
        running = true;
      }
    };
    await refreshJobs();
    // Live progress: the job's state while it runs.
    watch = setInterval(refreshJobs, 1000);
  }

  devices = list;
  section.replaceChildren(...frame('Devices', button('Refresh', () => list.reload(), 'refresh')), list.element,
    detail, el('h3', {}, 'Firmware library'), library);
  list.reload();
  loadLibrary();
  return () => clearInterval(watch);
}

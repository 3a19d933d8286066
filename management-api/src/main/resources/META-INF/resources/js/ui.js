// Helpers every page uses: elements built from text (never HTML), messages, errors, forms in a <dialog>, and the
// server-side paginated, searched table.
import { ApiError } from './api.js';

/** An element with attributes/properties and children (strings become text nodes). */
export function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.entries(props || {}).forEach(([k, v]) => {
    if (v === undefined || v === null) {
      return;
    }
    if (k === 'class') {
      e.className = v;
    } else if (k === 'dataset') {
      Object.assign(e.dataset, v);
    } else if (k.startsWith('on') && typeof v === 'function') {
      e.addEventListener(k.slice(2), v);
    } else if (k.startsWith('aria-') || k === 'role' || k === 'for') {
      e.setAttribute(k, v);
    } else {
      e[k] = v;
    }
  });
  children.flat().forEach((c) => {
    if (c !== null && c !== undefined && c !== false) {
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  });
  return e;
}

export const button = (label, onclick, cls) => el('button', { type: 'button', class: cls, onclick }, label);

export function message(text, error) {
  const box = document.getElementById('messages');
  const m = el('div', { class: 'msg' + (error ? ' error' : '') }, text);
  box.replaceChildren(m);
  if (!error) {
    setTimeout(() => m.remove(), 8000);
  }
}

export function clearMessages() {
  document.getElementById('messages').replaceChildren();
}

export function problemText(e) {
  if (e instanceof ApiError) {
    const p = e.problem || {};
    const parts = [p.detail || p.title || e.message];
    if (p.field) {
      parts.push('(' + p.field + ')');
    }
    return (e.status ? e.status + ': ' : '') + parts.join(' ');
  }
  return String(e && e.message ? e.message : e);
}

let onExpired = () => {};
export function whenExpired(fn) {
  onExpired = fn;
}

/** Runs fn; an error becomes the page's message (an expired login goes back to the login form). */
export async function guarded(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      onExpired();
      return undefined;
    }
    message(problemText(e), true);
    return undefined;
  }
}

/** An action: done message, then refresh. */
export async function act(fn, done, after) {
  const ok = await guarded(async () => {
    await fn();
    return true;
  });
  if (ok && done) {
    message(done);
  }
  if (after) {
    await after();
  }
  return !!ok;
}

export function when(iso) {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** A filter's datetime-local values (local time) `from` and `to` as the ISO-8601 instants the API takes. */
export function isoTimes(p) {
  const out = Object.assign({}, p);
  ['from', 'to'].forEach((k) => {
    if (out[k]) {
      out[k] = new Date(out[k]).toISOString();
    }
  });
  return out;
}

let formIds = 0;

/**
 * A modal form. fields: [{name, label, type: text|password|number|select|checkbox|textarea, value, options:
 * [[value, label]], required, readOnly, help}]. Resolves with the values ({name: value}) or null when cancelled.
 */
export function form(title, fields, submitLabel) {
  return new Promise((resolve) => {
    const dialog = el('dialog', { class: 'form-dialog', 'aria-label': title });
    const inputs = {};
    const rows = fields.map((f) => {
      const id = 'f' + (++formIds) + '-' + f.name;
      let input;
      if (f.type === 'select') {
        input = el('select', { id, name: f.name, required: !!f.required, disabled: !!f.readOnly },
          (f.options || []).map(([v, l]) => el('option', { value: v, selected: String(v) === String(f.value ?? '') }, l)));
      } else if (f.type === 'textarea') {
        input = el('textarea', { id, name: f.name, rows: 6, readOnly: !!f.readOnly, value: f.value ?? '' });
      } else if (f.type === 'checkbox') {
        input = el('input', { id, name: f.name, type: 'checkbox', checked: !!f.value, disabled: !!f.readOnly,
          required: !!f.required });
      } else {
        input = el('input', { id, name: f.name, type: f.type || 'text', required: !!f.required,
          readOnly: !!f.readOnly, value: f.value ?? '', autocomplete: 'off' });
      }
      inputs[f.name] = [f, input];
      return el('div', { class: 'field' }, el('label', { for: id }, f.label), input,
        f.help ? el('small', {}, f.help) : null);
    });
    const ok = el('button', { type: 'submit', class: 'primary' }, submitLabel || 'Save');
    const cancel = el('button', { type: 'button', value: 'cancel' }, 'Cancel');
    const f = el('form', { method: 'dialog' }, el('h3', {}, title), rows, el('div', { class: 'buttons' }, ok, cancel));
    dialog.append(f);
    let result = null;
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      result = {};
      Object.entries(inputs).forEach(([name, [spec, input]]) => {
        if (spec.type === 'checkbox') {
          result[name] = input.checked;
        } else if (spec.type === 'number') {
          result[name] = input.value === '' ? null : Number(input.value);
        } else {
          result[name] = input.value;
        }
      });
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A confirmation asking for a reason when reasonLabel is given; resolves with {reason} or null. */
export function confirmAction(title, reasonLabel) {
  return form(title, reasonLabel ? [{ name: 'reason', label: reasonLabel, required: true }] : [], 'Confirm');
}

/**
 * A server-side paginated and searched list: filters (fields as in form()), the columns' headings and a row
 * renderer. load({page, size, ...filters}) returns a Page {items, page, size, total}.
 */
export function pagedTable({ id, filters, columns, load, row, size }) {
  const state = { page: 0, size: size || 50 };
  const filterInputs = {};
  const filterRow = (filters || []).map((f) => {
    const inputId = id + '-f-' + f.name;
    const input = f.type === 'select'
      ? el('select', { id: inputId, name: f.name }, f.options.map(([v, l]) => el('option', { value: v }, l)))
      : el('input', { id: inputId, name: f.name, type: f.type || 'search', placeholder: f.placeholder || '' });
    filterInputs[f.name] = input;
    return el('span', { class: 'filter' }, el('label', { for: inputId }, f.label), input);
  });
  const tbody = el('tbody');
  const table = el('table', { id: id + '-table' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c)))), tbody);
  const info = el('span', { class: 'pager-info', 'aria-live': 'polite' });
  const prev = button('Previous', () => { state.page--; reload(); }, 'prev');
  const next = button('Next', () => { state.page++; reload(); }, 'next');
  const search = el('form', { class: 'filters', role: 'search' }, filterRow,
    el('button', { type: 'submit' }, 'Search'));
  search.addEventListener('submit', (e) => {
    e.preventDefault();
    state.page = 0;
    reload();
  });

  async function reload() {
    const params = { page: state.page, size: state.size };
    Object.entries(filterInputs).forEach(([k, input]) => { params[k] = input.value.trim(); });
    const page = await guarded(() => load(params));
    if (!page) {
      return;
    }
    const rows = page.items.map(row);
    tbody.replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', { class: 'empty', colSpan: columns.length }, 'Nothing here.'))]));
    const pages = Math.max(1, Math.ceil(page.total / state.size));
    info.textContent = page.total + ' in all, page ' + (state.page + 1) + ' of ' + pages;
    prev.disabled = state.page === 0;
    next.disabled = state.page + 1 >= pages;
  }

  const element = el('div', { class: 'paged', id }, filters && filters.length ? search : null, table,
    el('div', { class: 'pager' }, prev, info, next));
  return { element, reload, filterInputs };
}

/** A page's frame: a heading with actions, then its content. */
export function frame(title, actions, ...content) {
  return [el('div', { class: 'heading' }, el('h2', {}, title), el('span', { class: 'spacer' }), actions || []),
    ...content];
}

export const cell = (...c) => el('td', {}, ...c);
export const actions = (...c) => el('td', { class: 'actions' }, ...c);

// The local Sync Manager page: plain script, no build step, nothing loaded from the network.
// Every answer comes from the server's /api routes, which call the app's real classes.
'use strict';

const $ = (selector, root = document) => root.querySelector(selector);
const state = {
  sections: [],
  emulatorUrl: '',
  /** The stored settings rows by section, for instructions that interpolate them. */
  storedValues: {},
  destination: undefined,
  fields: [],
  source: undefined,
  mapping: {},
  mappingOk: false,
  runId: undefined,
};

// ---- small helpers -------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== undefined) node.append(child);
  return node;
}

async function api(method, url, body, contentType = 'application/json') {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = contentType;
    init.body = contentType === 'application/json' ? JSON.stringify(body) : body;
  }
  const response = await fetch(url, init);
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(data.error ?? `${method} ${url} answered ${response.status}`);
  return data;
}

/**
 * Shows the toasts answering one action (a form button, a run), in place of that action's earlier
 * ones: pressing "Test connection" twice leaves one answer, not two. Each can be dismissed; success
 * and info go by themselves after a while, warnings and errors stay until dismissed or replaced.
 */
function showToasts(action, toasts) {
  const area = $('#toasts');
  for (const old of area.querySelectorAll('.toast')) if (old.dataset.action === action) old.remove();
  for (const { intent, message } of toasts) {
    const dismiss = el('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss', text: '×' });
    const node = el(
      'div',
      { class: `toast ${intent}`, role: 'status', 'data-intent': intent, 'data-action': action },
      el('span', { text: message }),
      dismiss,
    );
    dismiss.addEventListener('click', () => node.remove());
    area.append(node);
    if (intent === 'success' || intent === 'info') setTimeout(() => node.remove(), 15_000);
  }
}

function toast(action, intent, message) {
  showToasts(action, [{ intent, message }]);
}

function showError(selector, message) {
  const node = $(selector);
  node.textContent = message ?? '';
  node.hidden = !message;
}

// ---- screens -------------------------------------------------------------------------------------

function showScreen() {
  const name = (location.hash || '#settings').slice(1);
  $('#toasts').replaceChildren(); // a toast answers what was done on the screen being left
  for (const screen of document.querySelectorAll('.screen')) screen.hidden = screen.id !== `screen-${name}`;
  for (const link of document.querySelectorAll('nav a')) {
    link.classList.toggle('active', link.dataset.screen === name);
  }
  if (name === 'new-sync' && !state.destination) loadDestinations();
}
window.addEventListener('hashchange', showScreen);

// ---- 1. the settings form ------------------------------------------------------------------------

function fieldValue(sectionKey, key) {
  const input = $(`[data-section="${sectionKey}"] [name="${key}"]`);
  return input ? input.value : '';
}

/** The form's `visible` conditions: key/equals, key/empty, and comparators joined by all or any. */
function conditionHolds(condition) {
  if (condition === undefined) return true;
  if (Array.isArray(condition.comparators)) {
    const results = condition.comparators.map(conditionHolds);
    return condition.operation === 'any' ? results.some(Boolean) : results.every(Boolean);
  }
  const [sectionKey, key] = String(condition.key).split('.');
  const value = fieldValue(sectionKey, key);
  if ('equals' in condition) return value === String(condition.equals);
  if ('empty' in condition) return (value === '') === Boolean(condition.empty);
  return true;
}

function applyVisibility() {
  for (const section of state.sections) {
    for (const element of section.elements) {
      const node = $(`[data-section="${section.key}"] [data-element="${element.key}"]`);
      if (node && element.visible !== undefined) node.hidden = !conditionHolds(element.visible);
    }
  }
}

/**
 * `{{{section.field}}}` in an instructions text, filled from the stored values as OCP fills it. OCP
 * renders the Markdown; this page shows its text as plain text (never as HTML), so a stored value
 * cannot add markup here, with the escapes the app wrote for Markdown taken out again.
 */
function interpolate(text, values) {
  return String(text ?? '').replace(/\{\{\{\s*([a-z0-9_]+)\.([a-z0-9_]+)\s*\}\}\}/g, (_, sectionKey, key) =>
    // The app writes outside text as character references (src/lib/markdown-text.ts); shown here
    // as plain text, they are turned back into their characters.
    String(values?.[sectionKey]?.[key] ?? '').replace(/&#(\d+);/g, (_ref, code) =>
      String.fromCharCode(Number(code)),
    ),
  );
}

/** Fills every interpolating instructions text again from the stored values (after a form action). */
async function refreshInstructions() {
  const stored = await api('GET', '/api/settings');
  state.storedValues = stored.values;
  for (const node of document.querySelectorAll('[data-template]')) {
    node.textContent = interpolate(node.dataset.template, stored.values);
  }
}

function renderElement(section, element, stored, secretsSet) {
  if (element.type === 'instructions') {
    const templated = /\{\{\{/.test(element.text ?? '');
    return el('p', {
      class: 'instructions',
      ...(templated ? { 'data-template': element.text } : {}),
      text: interpolate(element.text, state.storedValues),
    });
  }
  const id = `f-${section.key}-${element.key}`;
  const help = element.help ? el('p', { class: 'help', text: element.help }) : undefined;
  if (element.type === 'button') {
    const button = el('button', { type: 'button', id, 'data-action': element.action, text: element.label });
    button.classList.toggle('primary', element.style === 'primary');
    button.addEventListener('click', () => submitSection(section, element.action));
    return el('div', { class: 'field', 'data-element': element.key }, button, help);
  }
  let input;
  const value = stored[element.key] ?? element.defaultValue ?? '';
  if (element.type === 'select') {
    input = el('select', { id, name: element.key });
    for (const option of element.options ?? []) {
      input.append(
        el('option', { value: option.value, selected: String(value) === option.value, text: option.text }),
      );
    }
  } else if (element.type === 'secret' || SECRET_KEYS.includes(element.key)) {
    // Stored secrets never come back: the field stays empty and says whether one is kept.
    const kept = secretsSet.includes(element.key);
    input = el('input', {
      id,
      name: element.key,
      type: element.type === 'secret' ? 'password' : 'text',
      autocomplete: 'off',
      placeholder: kept ? STORED_SECRET : element.hint,
    });
  } else if (element.multiline) {
    input = el('textarea', { id, name: element.key, rows: 4, placeholder: element.hint, text: value });
  } else {
    input = el('input', { id, name: element.key, type: 'text', value, placeholder: element.hint });
    if (element.dataType === 'number') input.setAttribute('inputmode', 'numeric');
  }
  input.addEventListener('input', applyVisibility);
  input.addEventListener('change', applyVisibility);
  const label = el('label', {
    for: id,
    class: element.required ? 'required' : undefined,
    text: element.label,
  });
  const extra =
    section.key === 'connection' && element.key === 'portal'
      ? el('button', { type: 'button', id: 'use-emulator', text: 'Use the local emulator' })
      : undefined;
  extra?.addEventListener('click', () => {
    input.value = state.emulatorUrl;
  });
  const error = el('div', { class: 'error', 'data-error-for': element.key, hidden: true });
  return el('div', { class: 'field', 'data-element': element.key }, label, input, extra ?? '', help, error);
}
const SECRET_KEYS = ['token', 'client_id', 'client_secret'];

async function renderForm() {
  const [{ sections, emulatorUrl }, stored] = await Promise.all([
    api('GET', '/api/form'),
    api('GET', '/api/settings'),
  ]);
  state.sections = sections;
  state.emulatorUrl = emulatorUrl;
  state.storedValues = stored.values;
  $('#emulator-url').textContent = emulatorUrl;
  const form = $('#form');
  form.replaceChildren();
  for (const section of sections) {
    const node = el('form', {
      class: 'form-section',
      'data-section': section.key,
      id: `section-${section.key}`,
    });
    node.append(el('h2', { text: section.label }));
    for (const element of section.elements) {
      node.append(renderElement(section, element, stored.values[section.key] ?? {}, stored.secretsSet));
    }
    const save = el('button', { type: 'submit', class: 'primary', 'data-action': 'save', text: 'Save' });
    node.append(save);
    node.addEventListener('submit', (event) => {
      event.preventDefault();
      submitSection(section, 'save');
    });
    form.append(node);
  }
  applyVisibility();
}

/** Says which secrets are stored (never what they are), as the reopened form would. */
async function markStoredSecrets() {
  const { secretsSet } = await api('GET', '/api/settings');
  for (const key of secretsSet) {
    const input = $(`[name="${key}"]`);
    if (input) input.placeholder = STORED_SECRET;
  }
}
const STORED_SECRET = '(stored; leave empty to keep it)';

function clearErrors(sectionKey) {
  for (const node of document.querySelectorAll(`[data-section="${sectionKey}"] [data-error-for]`)) {
    node.hidden = true;
    node.textContent = '';
    node.parentElement.classList.remove('invalid');
  }
}

function markError(sectionKey, key, messages) {
  const node = $(`[data-section="${sectionKey}"] [data-error-for="${key}"]`);
  if (!node) return false;
  node.textContent = messages.join(' ');
  node.hidden = false;
  node.parentElement.classList.add('invalid');
  return true;
}

/** The form's own validations (regex + message) run in the browser, as OCP's form does before a submit. */
function validate(section, data) {
  let ok = true;
  for (const element of section.elements) {
    if (!(element.key in data)) continue;
    for (const rule of element.validations ?? []) {
      if (rule.regex && !new RegExp(rule.regex).test(String(data[element.key]))) {
        markError(section.key, element.key, [rule.message]);
        ok = false;
      }
    }
  }
  return ok;
}

async function submitSection(section, action) {
  clearErrors(section.key);
  const data = {};
  for (const element of section.elements) {
    if (!element.key || element.type === 'button' || element.type === 'instructions') continue;
    const node = $(`[data-section="${section.key}"] [data-element="${element.key}"]`);
    if (node?.hidden) continue;
    const value = fieldValue(section.key, element.key);
    // An empty secret means "keep the stored one", so it is not sent at all.
    if (SECRET_KEYS.includes(element.key) && value === '') continue;
    data[element.key] = value;
  }
  if (!validate(section, data)) return;
  const toastGroup = `settings:${section.key}:${action}`;
  let answer;
  try {
    answer = await api('POST', `/api/settings/${encodeURIComponent(section.key)}`, { action, data });
  } catch (error) {
    toast(toastGroup, 'danger', error.message);
    return;
  } finally {
    // Secrets leave the page with the submit; they are never shown again.
    for (const key of SECRET_KEYS) {
      const input = $(`[data-section="${section.key}"] [name="${key}"]`);
      if (input) input.value = '';
    }
  }
  const toasts = [];
  for (const [ref, messages] of Object.entries(answer.errors ?? {})) {
    const [sectionKey, key] = ref.split('.');
    if (!markError(sectionKey, key, messages)) {
      toasts.push({ intent: 'danger', message: `${ref}: ${messages.join(' ')}` });
    }
  }
  toasts.push(...(answer.toasts ?? []));
  if (answer.redirect && answer.redirectMode === 'settings') {
    const target = $(`#section-${answer.redirect}`);
    target?.scrollIntoView({ behavior: 'smooth' });
    target?.classList.add('highlight');
    setTimeout(() => target?.classList.remove('highlight'), 3000);
  } else if (answer.redirect) {
    toasts.push({ intent: 'info', message: `The form would now open ${answer.redirect}` });
  }
  showToasts(toastGroup, toasts);
  await refreshInstructions();
  if (action === 'save' && Object.keys(answer.errors ?? {}).length === 0) {
    state.destination = undefined; // a new connection may bring a new field list
    await markStoredSecrets();
  }
}

// ---- 2. destination and field mapping ------------------------------------------------------------

async function loadDestinations() {
  const destinations = await api('GET', '/api/destinations');
  const list = $('#destinations');
  list.replaceChildren();
  for (const d of destinations) {
    const radio = el('input', {
      type: 'radio',
      name: 'destination',
      value: d.key,
      id: `destination-${d.key}`,
    });
    radio.addEventListener('change', () => loadSchema(d));
    // Named as the Sync Manager names it; the key is for the manifest, not for people.
    list.append(
      el(
        'label',
        { class: 'destination', 'data-destination': d.key },
        radio,
        ' ',
        el('b', { class: 'destination-name', text: d.displayName }),
        ' ',
        el('span', { class: 'muted', text: d.description }),
      ),
    );
  }
  if (destinations.length === 1) {
    $('#destinations input').checked = true;
    await loadSchema(destinations[0]);
  }
}

async function loadSchema(destination) {
  showError('#schema-error');
  $('#fields').hidden = true;
  try {
    const schema = await api('GET', `/api/destinations/${encodeURIComponent(destination.key)}/schema`);
    state.destination = destination.key;
    state.destinationName = destination.displayName;
    state.fields = schema.fields;
    $('#fields caption').textContent = `Fields of ${schema.display_name}`;
  } catch (error) {
    state.destination = undefined;
    state.destinationName = undefined;
    state.fields = [];
    showError('#schema-error', `${error.message} (save "Connect to Bynder" on the Settings screen first)`);
    return;
  }
  const body = $('#fields tbody');
  body.replaceChildren();
  for (const f of state.fields) {
    body.append(
      el(
        'tr',
        {},
        el(
          'td',
          {},
          f.display_name,
          f.primary ? el('span', { class: 'badge', text: 'primary key' }) : undefined,
        ),
        el('td', {}, el('code', { text: f.name })),
        el('td', { text: f.type }),
        el('td', { class: 'muted', text: f.description ?? '' }),
      ),
    );
  }
  $('#fields').hidden = false;
  $('#match-by-name').disabled = !state.source;
  renderMapping();
}

async function uploadSource(file) {
  showError('#source-error');
  try {
    const query = `name=${encodeURIComponent(file.name)}`;
    state.source = await api(
      'POST',
      `/api/sources?${query}`,
      await file.arrayBuffer(),
      'application/octet-stream',
    );
  } catch (error) {
    state.source = undefined;
    showError('#source-error', error.message);
    return;
  }
  $('#source-info').textContent =
    `${state.source.name}: ${state.source.columns.length} columns (${state.source.format})`;
  $('#match-by-name').disabled = !state.destination;
  state.mapping = {};
  await matchByName();
}

/** Without a mapping file the runner matches columns to fields by name; this shows what it would do. */
async function matchByName() {
  if (!state.source || !state.destination) return;
  try {
    const check = await api('POST', '/api/mapping/check', { columns: state.source.columns });
    state.mapping = Object.fromEntries(check.mapped.map((m) => [m.column, m.field]));
  } catch (error) {
    showError('#mapping-error', error.message);
  }
  await renderMapping();
}

async function loadMappingFile(file) {
  showError('#mapping-error');
  try {
    const { mapping } = await api('POST', '/api/mapping/parse', await file.text(), 'text/yaml');
    // Names or display names as written: the check below resolves them as the runner does.
    state.mapping = mapping;
  } catch (error) {
    showError('#mapping-error', error.message);
    return;
  }
  await renderMapping();
}

async function renderMapping() {
  const table = $('#mapping');
  if (!state.source || !state.destination) {
    table.hidden = true;
    return;
  }
  const body = $('#mapping tbody');
  body.replaceChildren();
  for (const column of state.source.columns) {
    const select = el('select', { 'data-column': column, 'aria-label': `destination field for ${column}` });
    select.append(el('option', { value: '', text: '(not sent)' }));
    for (const f of state.fields) {
      select.append(el('option', { value: f.name, text: `${f.display_name} (${f.name})` }));
    }
    select.append(el('option', { value: '_isDeleted', text: 'Delete flag (_isDeleted)' }));
    const chosen = resolveField(state.mapping[column]);
    select.value = chosen;
    select.addEventListener('change', () => {
      state.mapping[column] = select.value;
      checkMapping();
    });
    body.append(
      el(
        'tr',
        {},
        el('td', { text: column }),
        el('td', {}, select),
        el('td', { class: 'muted', 'data-note-for': column }),
      ),
    );
  }
  await renderFixedValues(body);
  table.hidden = false;
  await checkMapping();
}

/** The settings' fixed values, under the columns: what every record without its own value gets. */
async function renderFixedValues(body) {
  let text = '';
  try {
    const stored = await api('GET', '/api/settings');
    text = String(stored.values?.records?.fixed_values ?? '');
  } catch (error) {
    showError('#mapping-error', error.message);
    return;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (line === '' || line.startsWith('#') || colon < 0) continue;
    const field = line.slice(0, colon).trim();
    body.append(
      el(
        'tr',
        { class: 'fixed-value', 'data-fixed-field': field },
        el('td', { class: 'muted', text: `fixed: ${line.slice(colon + 1).trim()}` }),
        el('td', { text: field }),
        el('td', { class: 'muted', text: 'from the settings, for records without their own value' }),
      ),
    );
  }
}

/** A mapping file may name a field by display name; the select shows the field's name. */
function resolveField(text) {
  if (!text) return '';
  const lower = String(text).toLowerCase();
  const found = state.fields.find(
    (f) => f.name === text || f.name.toLowerCase() === lower || f.display_name.toLowerCase() === lower,
  );
  return found ? found.name : text === '_isDeleted' ? '_isDeleted' : '';
}

/** The mapping as the page will send it: only the columns that feed a field. */
function chosenMapping() {
  return Object.fromEntries(
    Object.entries(state.mapping).filter(([column, field]) => field && state.source.columns.includes(column)),
  );
}

async function checkMapping() {
  showError('#mapping-error');
  state.mappingOk = false;
  const mapping = chosenMapping();
  try {
    const check = await api('POST', '/api/mapping/check', { columns: state.source.columns, mapping });
    for (const u of check.unmatched) {
      const note = $(`[data-note-for="${CSS.escape(u.column)}"]`);
      if (note) note.textContent = u.reason;
    }
    for (const m of check.mapped) {
      const note = $(`[data-note-for="${CSS.escape(m.column)}"]`);
      if (note) note.textContent = m.field === check.primary ? 'primary key' : '';
    }
    state.mappingOk = check.primaryMapped;
    $('#mapping-status').textContent = check.primaryMapped
      ? `${check.mapped.length} columns mapped; ${check.unmatched.length} not sent.`
      : `No column feeds the primary key field "${check.primary}": map one to it.`;
  } catch (error) {
    showError('#mapping-error', error.message);
  }
  $('#save-mapping').disabled = Object.keys(mapping).length === 0;
  $('#to-run').disabled = !state.mappingOk;
  $('#start-run').disabled = !state.mappingOk;
  $('#run-input').textContent = state.mappingOk
    ? `${state.source.name} into ${state.destinationName}, ${Object.keys(mapping).length} columns mapped`
    : 'Pick a destination, a source and a mapping first.';
}

async function saveMapping() {
  try {
    const text = await api('POST', '/api/mapping/yaml', { mapping: chosenMapping() });
    $('#mapping-yaml').textContent = text;
    $('#mapping-yaml').hidden = false;
    const link = el('a', {
      href: URL.createObjectURL(new Blob([text], { type: 'text/yaml' })),
      download: 'mapping.yml',
    });
    link.click();
    URL.revokeObjectURL(link.href);
  } catch (error) {
    showError('#mapping-error', error.message);
  }
}

// ---- 3. the run ----------------------------------------------------------------------------------

const COUNT_LABELS = [
  ['records', 'read'],
  ['applied', 'applied'],
  ['deleted', 'deleted/archived'],
  ['ignoredDeletes', 'deletes ignored'],
  // Of applied and deleted: what Bynder already held, so nothing was written for it.
  ['unchanged', 'unchanged'],
  // Of applied: assets created from the record's file, and changed files saved as new versions.
  ['created', 'created'],
  ['versioned', 'versioned'],
  // Handed to the creation job: not applied yet; the job reports each one's end in the Activity Log.
  ['queued', 'queued for creation'],
  // Deletes and archives past "Deletes and archives per hour": held by the app, not sent.
  ['held', 'held deletes'],
  ['rejected', 'rejected'],
  ['pending', 'pending'],
  // Known at the end of the run: what the app's outbox holds for it to deliver itself later.
  ['parked', 'parked (outbox)'],
  // Dropped past the outbox's bound: lost, OCP will not send them again.
  ['outboxDropped', 'dropped, outbox full'],
  // Known at the end of the run: rejected because of Bynder's state, tried again once it changes.
  ['kept', 'kept for a retry'],
];

function renderCounts(counts) {
  $('#counts').replaceChildren(
    ...COUNT_LABELS.map(([key, label]) =>
      el('div', { 'data-count': key }, el('b', { text: String(counts[key] ?? 0) }), label),
    ),
  );
}

/**
 * Adds rejections in source line order. Batches end in any order (several are in flight at once), so
 * each row goes before the first row of a later line; rows of one line keep their arrival order.
 */
function addRejections(rejections) {
  const body = $('#rejections tbody');
  for (const r of rejections) {
    const row = el(
      'tr',
      { 'data-line': r.line },
      el('td', { text: String(r.line) }),
      el('td', { text: r.key }),
      el('td', { text: r.field }),
      el('td', { text: r.reason }),
    );
    body.insertBefore(row, firstRowAfterLine(body, r.line));
  }
  $('#rejection-count').textContent = `(${body.children.length}${body.children.length >= 1000 ? '+' : ''})`;
}

/** The first row of a line after `line` (binary search: rows are kept in line order), or null. */
function firstRowAfterLine(body, line) {
  const rows = body.children;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (Number(rows[middle].dataset.line) <= line) low = middle + 1;
    else high = middle;
  }
  return rows[low] ?? null;
}

function renderSummary(summary, verdict) {
  const rows = [
    ...(summary.cancelled ? [['cancelled', `${summary.cancelled}: records not sent are pending`]] : []),
    ['records read', summary.records],
    ['applied', summary.applied],
    ['deleted/archived', `${summary.deleted} (delete policy: ${summary.deletePolicy})`],
    ['deletes ignored', summary.ignoredDeletes],
    ['unchanged', `${summary.unchanged} (Bynder already held the values)`],
    ['created', `${summary.created ?? 0} (new assets from the records' files)`],
    ['versioned', `${summary.versioned ?? 0} (changed files saved as new versions)`],
    ['queued for creation', `${summary.queued ?? 0} (the creation job finishes them)`],
    [
      'held deletes',
      `${summary.held ?? 0} (past "Deletes and archives per hour", not sent; ${summary.heldTotal ?? 0} held in all: release or discard them in the settings, Sync status)`,
    ],
    ['rejected', summary.rejected],
    [
      'kept for a retry',
      `${summary.kept ?? 0} (rejected because of Bynder's state; sent again once it changes)`,
    ],
    ['pending', summary.pending],
    ['requests', summary.requests],
    ['requests/second', summary.requestsPerSecond],
    [
      'elapsed',
      `${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.batches} batches, ${summary.retries} re-deliveries`,
    ],
  ];
  if (summary.unmatchedColumns?.length) rows.push(['columns not sent', summary.unmatchedColumns.join(', ')]);
  for (const { cause, count } of summary.pendingCauses ?? []) {
    rows.push(['pending because', `${count} x ${cause}`]);
  }
  $('#summary tbody').replaceChildren(
    ...rows.map(([label, value]) =>
      el('tr', { 'data-summary': label }, el('th', { text: label }), el('td', { text: String(value) })),
    ),
  );
  // The runner's summary lists notifications once the runner records them; shown whenever present.
  const notifications = Array.isArray(summary.notifications) ? summary.notifications : [];
  $('#notifications').hidden = notifications.length === 0;
  $('#notifications ul').replaceChildren(
    ...notifications.map((n) => el('li', { text: describeNotification(n) })),
  );
  $('#verdict').hidden = !verdict;
  if (verdict) $('#verdict').textContent = verdict.report;
  $('#summary-card').hidden = false;
}

function describeNotification(n) {
  if (typeof n !== 'object' || n === null) return String(n);
  const parts = [n.severity, n.activity, n.title, n.summary ?? n.message, n.details].filter(
    (p) => typeof p === 'string' && p !== '',
  );
  return parts.length > 0 ? parts.join(': ') : JSON.stringify(n);
}

async function startRun() {
  $('#start-run').disabled = true;
  showError('#run-error');
  $('#summary-card').hidden = true;
  $('#rejections tbody').replaceChildren();
  $('#notes').textContent = '';
  $('#run-progress').value = 0;
  renderCounts({});
  let run;
  try {
    run = await api('POST', '/api/runs', {
      sourceId: state.source.id,
      mapping: chosenMapping(),
      resetPortal: $('#reset-portal').checked,
      runner: { batchSize: $('#batch-size').value, workers: $('#workers').value },
    });
  } catch (error) {
    showError('#run-error', error.message);
    $('#start-run').disabled = false;
    return;
  }
  const events = new EventSource(`/api/runs/${run.id}/events`);
  events.addEventListener('note', (e) => {
    $('#notes').textContent += `${JSON.parse(e.data).line}\n`;
  });
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    $('#run-progress').value = p.percent;
    renderCounts(p.counts);
    addRejections(p.rejections);
    const eta = p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)} s`;
    $('#rate').textContent =
      `${p.done} of ${p.expectedIsExact ? '' : '~'}${p.expected} records, ${p.recordsPerSecond.toFixed(1)} records/s, ` +
      `ETA ${eta}; ${p.requests} requests, ${p.requestsPerSecond.toFixed(1)} per second (budget ${p.budget} per second)`;
  });
  events.addEventListener('summary', (e) => {
    const { summary, verdict } = JSON.parse(e.data);
    renderCounts(summary);
    renderSummary(summary, verdict);
    toast(
      'run',
      summary.pending > 0 || summary.cancelled ? 'warning' : 'success',
      `Sync ${summary.cancelled ? 'cancelled' : 'finished'}: ${summary.applied} applied, ${summary.rejected} rejected, ` +
        `${summary.pending} pending`,
    );
    if (summary.cancelled) document.body.dataset.runCancelled = 'true';
  });
  events.addEventListener('failed', (e) =>
    showError('#run-error', `The sync failed: ${JSON.parse(e.data).message}`),
  );
  events.addEventListener('end', () => {
    events.close();
    document.body.dataset.runState = 'ended';
    $('#start-run').disabled = false;
    $('#cancel-run').hidden = true;
  });
  state.runId = run.id;
  delete document.body.dataset.runCancelled;
  $('#cancel-run').disabled = false;
  $('#cancel-run').textContent = 'Cancel';
  $('#cancel-run').hidden = false;
  document.body.dataset.runState = 'running';
}

async function cancelRun() {
  $('#cancel-run').disabled = true;
  $('#cancel-run').textContent = 'Cancelling: the batches in flight finish';
  try {
    await api('POST', `/api/runs/${state.runId}/cancel`, {});
  } catch (error) {
    showError('#run-error', error.message);
  }
}

// ---- wiring --------------------------------------------------------------------------------------

$('#source-file').addEventListener('change', (e) => e.target.files[0] && uploadSource(e.target.files[0]));
$('#mapping-file').addEventListener('change', (e) => e.target.files[0] && loadMappingFile(e.target.files[0]));
$('#match-by-name').addEventListener('click', matchByName);
$('#save-mapping').addEventListener('click', saveMapping);
$('#to-run').addEventListener('click', () => {
  location.hash = '#run';
});
$('#start-run').addEventListener('click', startRun);
$('#cancel-run').addEventListener('click', cancelRun);

renderForm().then(showScreen, (error) =>
  toast('load', 'danger', `The form could not load: ${error.message}`),
);

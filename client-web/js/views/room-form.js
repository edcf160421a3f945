/**
 * Creating a room (`#/rooms/new`, the secretariat) and editing one in place (its title,
 * description or background paper, and working languages; kind and scope stay as created).
 * The scope is chosen by name: a UN regional group or M49 region, or a country. A new
 * consultation may name the consultation it rolls up into at once (`set_parent`, while it is
 * a draft); a new caucus is for one constituency, chosen by name, and may name the roundtable
 * or consultation its joint statements go to. Creating goes through `POST /api/rooms`,
 * editing through the `update_room` command.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { languageName, t, tOr } from '../i18n.js';
import { listRooms } from '../api.js';
import { createRoom, geo, scopeWithin } from '../workspace-api.js';
import { byName, countryName, regionName } from './geo-names.js';
import { scopeText } from './labels.js';
import { constituencyName } from './stats.js';

const KINDS = ['consultation', 'roundtable', 'caucus'];
const UN_LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
/** The constituencies a caucus can be for (the server's `Constituency`). */
const CONSTITUENCIES = ['women', 'children_youth', 'indigenous_peoples', 'ngos', 'local_authorities',
  'workers_trade_unions', 'business_industry', 'scientific_technological', 'farmers', 'member_states',
  'parliamentarians', 'un_system', 'media', 'other'];

/**
 * The page that creates a room.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderNewRoom(app, main) {
  app.setTitle(t('ws.room.new'));
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') }, h('a', { href: '#/rooms' }, t('rooms.title')));
  if (app.claims?.role !== 'secretariat') {
    replaceChildren(main, crumbs, h('h1', {}, t('ws.room.new')), h('p', { class: 'help' }, t('ws.room.onlySecretariat')));
    return () => {};
  }
  const form = roomForm(app, null, (id) => app.go(`#/rooms/${encodeURIComponent(id)}`));
  replaceChildren(main, crumbs, h('h1', { id: 'new-room-heading' }, t('ws.room.new')), form);
  return () => {};
}

/**
 * The room form.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore|null} store the room being edited, or null to create one
 * @param {(id: string) => void} done called with the room's id once created or saved
 * @param {() => void} [cancel] for the edit form
 * @returns {HTMLElement}
 */
export function roomForm(app, store, done, cancel) {
  const editing = !!store;
  const info = store?.info;
  const p = editing ? 'edit-room' : 'new-room';
  const error = h('p', { class: 'error', role: 'alert' });
  const status = h('p', { class: 'status', role: 'status' });
  const field = (id, label, control, help) => h('p', { class: 'field' },
    h('label', { for: id }, label), control, help ? h('span', { class: 'help', id: `${id}-help` }, help) : null);

  const id = h('input', { id: `${p}-id`, type: 'text', maxlength: 64, autocomplete: 'off', pattern: '[a-z0-9][a-z0-9_-]*', 'aria-describedby': `${p}-id-help` });
  const kind = h('select', { id: `${p}-kind` }, KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const title = h('input', { id: `${p}-title`, type: 'text', maxlength: 200, required: true, autocomplete: 'off' });
  const description = h('textarea', { id: `${p}-description`, rows: 6, maxlength: 4000, 'aria-describedby': `${p}-description-help` });
  const languages = h('fieldset', { class: 'languages' }, h('legend', {}, t('ws.room.languages')),
    UN_LANGUAGES.map((code) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: `${p}-lang`, value: code, checked: info ? info.languages.includes(code) : true }),
      ' ', h('span', { lang: code }, languageName(code)))));
  const level = h('select', { id: `${p}-level` },
    ['global', 'region', 'country'].map((l) => h('option', { value: l }, t(`ws.scope.${l}`))));
  const region = h('select', { id: `${p}-region` });
  const country = h('select', { id: `${p}-country` });
  const regionField = field(`${p}-region`, t('ws.room.region'), region);
  const countryField = field(`${p}-country`, t('ws.room.country'), country);
  const parent = h('select', { id: `${p}-parent`, 'aria-describedby': `${p}-parent-help` }, h('option', { value: '' }, t('ws.room.noParent')));
  const parentField = field(`${p}-parent`, t('ws.room.parent'), parent, t('ws.room.parentHelp'));
  const constituency = h('select', { id: `${p}-constituency`, 'aria-describedby': `${p}-constituency-help` },
    byName(CONSTITUENCIES, constituencyName).map((c) => h('option', { value: c }, constituencyName(c))));
  const constituencyField = field(`${p}-constituency`, t('ws.room.constituency'), constituency, t('ws.room.constituencyHelp'));
  const caucusParent = h('select', { id: `${p}-caucus-parent`, 'aria-describedby': `${p}-caucus-parent-help` });
  const caucusParentField = field(`${p}-caucus-parent`, t('ws.room.caucusParent'), caucusParent, t('ws.room.caucusParentHelp'));
  let table = null;
  let rooms = [];

  title.value = info?.title || '';
  description.value = info?.description || '';

  function scope() {
    if (level.value === 'region') return { level: 'region', region: region.value };
    if (level.value === 'country') return { level: 'country', country: country.value };
    return { level: 'global' };
  }

  function showScope() {
    regionField.hidden = level.value !== 'region';
    countryField.hidden = level.value !== 'country';
    parentField.hidden = kind.value !== 'consultation' || editing;
    constituencyField.hidden = kind.value !== 'caucus' || editing;
    caucusParentField.hidden = kind.value !== 'caucus' || editing;
    const keepCaucus = caucusParent.value;
    // A caucus's joint statements go to a roundtable or a consultation, of any scope.
    replaceChildren(caucusParent, h('option', { value: '' }, t('ws.room.noCaucusParent')),
      rooms.filter((r) => (r.kind === 'roundtable' || r.kind === 'consultation') && !r.archived_at)
        .map((r) => h('option', { value: r.id, selected: r.id === keepCaucus }, `${r.title} (${t(`kind.${r.kind}`)})`)));
    const mine = scope();
    const keep = parent.value;
    const candidates = table ? rooms.filter((r) => r.kind === 'consultation' && scopeWithin(mine, r.scope, table)) : [];
    replaceChildren(parent, h('option', { value: '' }, t('ws.room.noParent')),
      candidates.map((r) => h('option', { value: r.id, selected: r.id === keep }, `${r.title} (${scopeText(r.scope)})`)));
  }

  async function loadChoices() {
    try {
      [table, rooms] = await Promise.all([geo(app.token), editing ? Promise.resolve([]) : listRooms(app.token)]);
    } catch (err) {
      error.textContent = t('common.failed', { message: err.message });
      return;
    }
    const regions = [...table.groups, ...table.areas.map((a) => a.code)];
    replaceChildren(region, byName(regions, regionName).map((code) => h('option', { value: code }, regionName(code))));
    replaceChildren(country, byName(table.countries.map((c) => c.code), countryName).map((code) => h('option', { value: code }, countryName(code))));
    showScope();
  }

  level.addEventListener('change', showScope);
  region.addEventListener('change', showScope);
  country.addEventListener('change', showScope);
  kind.addEventListener('change', showScope);

  const form = h('form', { class: 'card room-form', id: `${p}-form`, 'aria-labelledby': editing ? 'edit-room-heading' : 'new-room-heading', novalidate: true },
    editing ? h('h2', { id: 'edit-room-heading' }, t('ws.room.edit')) : null,
    editing ? null : field(`${p}-kind`, t('room.kind'), kind),
    editing ? null : constituencyField,
    field(`${p}-title`, t('ws.room.title'), title),
    editing ? null : field(`${p}-id`, t('ws.room.id'), id, t('ws.room.idHelp')),
    field(`${p}-description`, t('ws.room.description'), description, t('ws.room.descriptionHelp')),
    languages,
    editing ? h('p', { class: 'help' }, t('ws.room.scopeFixed', { scope: scopeText(info.scope) })) : [
      field(`${p}-level`, t('room.scope'), level),
      regionField, countryField, parentField, caucusParentField,
    ],
    error, status,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, editing ? t('ws.room.save') : t('ws.room.create')),
      cancel ? h('button', { type: 'button', onclick: cancel }, t('common.cancel')) : null));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const chosen = [...form.querySelectorAll(`input[name="${p}-lang"]:checked`)].map((el) => el.value);
    if (!title.value.trim()) {
      error.textContent = t('ws.room.titleRequired');
      title.focus();
      return;
    }
    if (!chosen.length) {
      error.textContent = t('ws.room.languageRequired');
      form.querySelector(`input[name="${p}-lang"]`).focus();
      return;
    }
    status.textContent = t('compose.sending');
    if (editing) {
      try {
        await app.conn.command(store.id, { type: 'update_room', title: title.value.trim(), description: description.value.trim(), languages: chosen });
        status.textContent = '';
        announce(t('ws.room.saved'));
        done(store.id);
      } catch (err) {
        status.textContent = '';
        error.textContent = tOr(`error.${err.code}`, err.message);
      }
      return;
    }
    const spec = { kind: kind.value, title: title.value.trim(), description: description.value.trim(), languages: chosen, scope: scope() };
    if (spec.kind === 'caucus') spec.constituency = constituency.value;
    if (id.value.trim()) spec.id = id.value.trim();
    try {
      const created = await createRoom(app.token, spec);
      const named = spec.kind === 'consultation' ? parent.value : spec.kind === 'caucus' ? caucusParent.value : '';
      if (named) {
        app.enterRoom(created.id);
        await app.conn.command(created.id, { type: 'set_parent', parent: named });
      }
      status.textContent = '';
      announce(t('ws.room.created', { title: created.title }));
      done(created.id);
    } catch (err) {
      status.textContent = '';
      error.textContent = tOr(`error.${err.code}`, err.message);
    }
  });
  if (!editing) loadChoices();
  else showScope();
  return form;
}

/**
 * The minutes of a room (loaded on demand with its strings, `locales/minutes-*.js`): the
 * secretariat's or a named rapporteur's editor (start from the record's skeleton, save
 * versions, circulate with a deadline), a quoted speaker's form to propose a correction of
 * their own line, the secretariat's accept or decline with a reason and approval, and the
 * approved minutes read-only with their hash. Who may do what is the server's rule
 * (`server/src/domain/minutes.rs`); this view offers what the rule allows and shows refusals.
 */

import { getJson } from '../api.js';
import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime, language, languageName, t, tOr } from '../i18n.js';

/**
 * The minutes card of a room; it refetches the room's view when a minutes event arrives.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {{element: HTMLElement, destroy: () => void}}
 */
export function minutesCard(app, store) {
  const roomId = store.id;
  const body = h('div');
  const status = h('p', { class: 'status', role: 'status', id: 'minutes-status' });
  const element = h('section', { class: 'card minutes', id: 'minutes', 'aria-labelledby': 'minutes-heading' },
    h('h2', { id: 'minutes-heading' }, t('minutes.heading')), body, status);
  let view = null;
  let alive = true;
  /** @type {string|null} the editor's unsaved text survives refreshes */
  let unsaved = null;

  async function refresh() {
    try {
      const answer = await getJson(app.token, `/api/rooms/${encodeURIComponent(roomId)}`);
      if (!alive) return;
      view = answer.state;
      render();
    } catch (error) {
      if (alive) status.textContent = tOr(`error.${error.code}`, error.message);
    }
  }

  async function send(command, done) {
    status.textContent = t('minutes.sending');
    try {
      await app.conn.command(roomId, command);
      status.textContent = '';
      announce(done);
      await refresh();
    } catch (error) {
      status.textContent = t('minutes.refused', { message: tOr(`error.${error.code}`, error.message) });
    }
  }

  function render() {
    if (!view) return;
    const me = app.claims?.sub;
    const role = app.claims?.role;
    const secretariat = role === 'secretariat';
    const writer = secretariat || (view.consultation?.rapporteurs || []).includes(me);
    const m = view.minutes;
    const parts = [];
    if (!m) {
      parts.push(h('p', { class: 'help' }, t('minutes.none')));
    } else {
      parts.push(h('p', { id: 'minutes-state', dataset: { status: m.status } }, m.status === 'circulated'
        ? t('minutes.circulatedUntil', { deadline: formatTime(m.deadline) })
        : t(`minutes.status.${m.status}`)));
    }
    if (m?.status === 'approved') {
      parts.push(readOnly(m));
    } else {
      if (writer) parts.push(editor(m));
      if (m) parts.push(h('h3', {}, t('minutes.current')), h('div', { class: 'minutes-text', id: 'minutes-current', lang: m.lang, dir: 'auto' },
        m.text.split('\n').map((line) => h('p', { dir: 'auto' }, line))));
      if (m?.status === 'circulated') {
        const mine = myLines(m.text, me);
        if (mine.length && Date.now() <= m.deadline) parts.push(correctionForm(m, mine));
      }
      if (m?.corrections?.length) parts.push(corrections(m, secretariat));
      if (m && secretariat && m.status === 'circulated') {
        const approve = h('button', { type: 'button', class: 'primary', id: 'minutes-approve' }, t('minutes.approve'));
        approve.addEventListener('click', () => send({ type: 'approve_minutes' }, t('minutes.approved')));
        parts.push(h('p', { class: 'actions' }, approve));
      }
    }
    replaceChildren(body, parts);
  }

  /** The ids (statements and turns) the record shows as mine, each with its line in the text. */
  function myLines(text, me) {
    const ids = new Set();
    for (const s of view.statements || []) if (s.author === me && !s.hidden && !s.held && !s.rejected) ids.add(s.id);
    for (const turn of view.roundtable?.turns || []) if (turn.user === me) ids.add(turn.id);
    const found = [];
    for (const line of text.split('\n')) {
      const match = line.match(/\[#(\d+)\]/);
      if (match && ids.has(Number(match[1]))) found.push({ id: Number(match[1]), line: line.trim() });
    }
    return found;
  }

  function editor(m) {
    const text = h('textarea', { id: 'minutes-text', rows: '14', dir: 'auto', 'aria-describedby': 'minutes-help' });
    text.value = unsaved ?? m?.text ?? '';
    text.addEventListener('input', () => { unsaved = text.value; });
    const langs = (view.info?.settings?.languages || view.info?.languages || ['en']);
    const lang = h('select', { id: 'minutes-lang' }, langs.map((l) => h('option', { value: l }, languageName(l))));
    lang.value = m?.lang || (langs.includes(language()) ? language() : langs[0]);
    const skeleton = h('button', { type: 'button', id: 'minutes-skeleton' }, t('minutes.fromRecord'));
    skeleton.addEventListener('click', async () => {
      try {
        const answer = await getJson(app.token, `/api/rooms/${encodeURIComponent(roomId)}/minutes/skeleton?lang=${encodeURIComponent(lang.value.split('-')[0])}`);
        text.value = answer.text;
        unsaved = answer.text;
        status.textContent = t('minutes.skeletonLoaded');
      } catch (error) {
        status.textContent = tOr(`error.${error.code}`, error.message);
      }
    });
    const save = h('button', { type: 'submit', class: 'primary', id: 'minutes-save' }, t('minutes.save'));
    const form = h('form', { class: 'minutes-editor', onsubmit: (e) => {
      e.preventDefault();
      const command = { type: 'draft_minutes', text: text.value, lang: lang.value };
      send(command, t('minutes.saved')).then(() => { unsaved = null; render(); });
    } },
    h('p', { class: 'help', id: 'minutes-help' }, t('minutes.editorHelp')),
    h('p', { class: 'actions' }, skeleton),
    h('label', { for: text.id }, t('minutes.text')), text,
    h('label', { for: lang.id }, t('minutes.language')), lang,
    h('p', { class: 'actions' }, save));
    const parts = [form];
    if (m) {
      const deadline = h('input', { type: 'datetime-local', id: 'minutes-deadline', required: true });
      const circulate = h('button', { type: 'submit', id: 'minutes-circulate' }, t('minutes.circulate'));
      parts.push(h('form', { class: 'minutes-circulate', onsubmit: (e) => {
        e.preventDefault();
        const when = new Date(deadline.value).getTime();
        if (!Number.isFinite(when)) return;
        send({ type: 'circulate_minutes', deadline: when }, t('minutes.circulated'));
      } },
      h('label', { for: deadline.id }, t('minutes.deadline')), deadline, circulate));
    }
    return h('div', {}, parts);
  }

  function correctionForm(m, mine) {
    const which = h('select', { id: 'correction-statement' }, mine.map((x) => h('option', { value: String(x.id) }, `#${x.id}`)));
    const passage = h('textarea', { id: 'correction-passage', rows: '3', dir: 'auto', required: true });
    const replacement = h('textarea', { id: 'correction-replacement', rows: '3', dir: 'auto' });
    const fill = () => {
      const line = mine.find((x) => String(x.id) === which.value)?.line || '';
      const after = line.replace(/^.*?\[#\d+\]:?\s*/, '');
      passage.value = after;
      replacement.value = after;
    };
    which.addEventListener('change', fill);
    fill();
    const submit = h('button', { type: 'submit', class: 'primary', id: 'correction-submit' }, t('minutes.propose'));
    return h('form', { class: 'minutes-correction', onsubmit: (e) => {
      e.preventDefault();
      send({ type: 'propose_minutes_correction', statement: Number(which.value), passage: passage.value, replacement: replacement.value }, t('minutes.proposed'));
    } },
    h('h3', {}, t('minutes.correctTitle')),
    h('p', { class: 'help' }, t('minutes.correctHelp', { deadline: formatTime(m.deadline) })),
    h('label', { for: which.id }, t('minutes.yourStatement')), which,
    h('label', { for: passage.id }, t('minutes.passage')), passage,
    h('label', { for: replacement.id }, t('minutes.replacement')), replacement,
    h('p', { class: 'actions' }, submit));
  }

  /** A member's display name as the room's view gives it; the id otherwise. */
  function nameOf(user) {
    return view.members?.find((x) => x.profile.user === user)?.profile.name || user;
  }

  function corrections(m, secretariat) {
    const name = nameOf;
    return h('div', {},
      h('h3', {}, t('minutes.corrections')),
      h('ol', { class: 'minutes-corrections', id: 'minutes-corrections' }, m.corrections.map((c) => {
        const item = h('li', { dataset: { id: String(c.id), status: c.status } },
          h('p', {}, t('minutes.correctionBy', { name: name(c.by), statement: `#${c.statement}` }), ' · ',
            h('strong', {}, t(`minutes.correction.${c.status}`))),
          h('p', { dir: 'auto' }, h('del', {}, c.passage), ' → ', h('ins', {}, c.replacement)),
          c.reason ? h('p', { class: 'help', dir: 'auto' }, t('minutes.reason', { reason: c.reason })) : null);
        if (secretariat && c.status === 'pending') {
          const reason = h('input', { type: 'text', id: `correction-reason-${c.id}`, required: true, maxlength: '500' });
          const accept = h('button', { type: 'button', class: 'primary', dataset: { decide: 'accept' } }, t('minutes.accept'));
          const decline = h('button', { type: 'button', dataset: { decide: 'decline' } }, t('minutes.decline'));
          const decide = (yes) => {
            if (!reason.value.trim()) {
              status.textContent = t('minutes.reasonNeeded');
              reason.focus();
              return;
            }
            send({ type: 'decide_minutes_correction', correction: c.id, accept: yes, reason: reason.value },
              t(yes ? 'minutes.accepted' : 'minutes.declined'));
          };
          accept.addEventListener('click', () => decide(true));
          decline.addEventListener('click', () => decide(false));
          item.append(h('p', { class: 'actions' },
            h('label', { for: reason.id }, t('minutes.reasonLabel')), reason, accept, decline));
        }
        return item;
      })));
  }

  function readOnly(m) {
    return h('div', { id: 'minutes-approved' },
      h('div', { class: 'minutes-text', lang: m.lang, dir: 'auto' },
        m.text.split('\n').map((line) => h('p', { dir: 'auto' }, line))),
      h('p', { class: 'help' }, t('minutes.sealedBy', { date: formatTime(m.sealed.at), name: nameOf(m.sealed.by) })),
      h('p', {}, t('minutes.hash'), ' ', h('code', { dir: 'ltr', id: 'minutes-hash' }, m.sealed.sha256)),
      m.corrections?.length ? corrections(m, false) : null);
  }

  const onChange = (e) => {
    if (e.detail?.snapshot || String(e.detail?.type || '').startsWith('minutes_')) refresh();
  };
  store.addEventListener('change', onChange);
  refresh();
  return {
    element,
    destroy() {
      alive = false;
      store.removeEventListener('change', onChange);
    },
  };
}

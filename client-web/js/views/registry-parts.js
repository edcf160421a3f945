/**
 * Pieces the registry's pages share: an organisation's facts in words (country, region,
 * constituency, consultative status), an application's history, form fields with their own
 * error line, and a refusal of the server in words.
 */

import { h, replaceChildren } from '../dom.js';
import { formatTime, t, tOr } from '../i18n.js';
import { countryName, regionName } from './geo-names.js';
import { constituencyName } from './stats.js';

export { constituencyName, countryName };

/**
 * A region in words: the UN regional group when the country has one, else its M49 sub-region.
 * @param {{un_group?: string, m49_region?: string, m49_subregion?: string}|null|undefined} region
 * @returns {string}
 */
export function regionText(region) {
  if (!region) return t('reg.region.none');
  if (region.un_group) return regionName(region.un_group);
  return regionName(region.m49_subregion || region.m49_region || '');
}

/**
 * ECOSOC consultative status in words.
 * @param {{status: string, year?: number}|undefined} ecosoc
 * @returns {string}
 */
export function ecosocText(ecosoc) {
  const status = ecosoc?.status || 'none';
  if (status === 'none') return t('reg.ecosoc.none');
  return t('reg.ecosoc.withYear', { status: t(`reg.ecosoc.${status}`), year: ecosoc.year ?? '' });
}

/**
 * An organisation's name with its acronym, isolated for bidirectional text.
 * @param {{name: string, acronym?: string}} org
 * @returns {HTMLElement}
 */
export function orgName(org) {
  return h('bdi', { class: 'org-name' }, org.acronym ? `${org.name} (${org.acronym})` : org.name);
}

/**
 * A field: label, control, help and its own error line (`aria-describedby` both).
 * @param {string} id the control's id
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [help]
 * @returns {{element: HTMLElement, control: HTMLElement, error: HTMLElement, setError: (text: string|null, detail?: string) => void}}
 */
export function field(id, label, control, help) {
  control.id = id;
  const error = h('span', { class: 'error field-error', id: `${id}-error` });
  const described = [help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  // A correction clears the field's error; the server has the last word on the next send.
  control.addEventListener('input', () => {
    if (error.firstChild) {
      error.replaceChildren();
      control.removeAttribute('aria-invalid');
    }
  });
  const element = h('p', { class: 'field' },
    h('label', { for: id }, label), control,
    help ? h('span', { class: 'help', id: `${id}-help` }, help) : null,
    error);
  return {
    element,
    control,
    error,
    setError(text, detail) {
      error.replaceChildren();
      if (text) {
        error.append(text);
        if (detail) error.append(' ', h('span', { lang: 'en', dir: 'ltr' }, detail));
        control.setAttribute('aria-invalid', 'true');
      } else control.removeAttribute('aria-invalid');
    },
  };
}

/**
 * A refusal of the server in words: the protocol's code translated, the server's own message
 * (English) after it when the code alone does not say enough.
 * @param {{status?: number, code: string, message: string}} error
 * @returns {Array<string|HTMLElement>}
 */
export function refusalText(error) {
  const known = tOr(`reg.error.${error.code}`, '');
  if (!known) return [tOr(`error.${error.code}`, error.message)];
  return [known, ' ', h('span', { lang: 'en', dir: 'ltr', class: 'server-message' }, error.message)];
}

/**
 * One application's history as a list: each step with its date, and the reason, questions or
 * answer it gave.
 * @param {Array<object>} history `HistoryEntry`s
 * @returns {HTMLElement}
 */
export function historyList(history) {
  return h('ol', { class: 'history' }, history.map((step) => {
    let what;
    if (step.event === 'application_decided') what = t(`reg.history.${step.decision}`);
    else what = tOr(`reg.history.${step.event}`, step.event);
    const text = step.reason || step.answer || step.statement || '';
    return h('li', { dataset: { event: step.event } },
      h('time', { datetime: new Date(step.at).toISOString() }, formatTime(step.at)), ' · ',
      h('strong', {}, what),
      text ? [': ', h('bdi', { class: 'said' }, text)] : null,
      step.questions?.length ? h('ul', { class: 'questions' }, step.questions.map((q) => h('li', {}, h('bdi', {}, q)))) : null);
  }));
}

/**
 * The status of an application as a badge.
 * @param {string} status `pending` … `withdrawn`
 * @returns {HTMLElement}
 */
export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, dataset: { status } }, t(`reg.status.${status}`));
}

/**
 * Where a person's latest sign-in link stands.
 * @param {object|undefined} last the latest `InvitationView`
 * @param {number} sent how many were issued
 * @returns {string}
 */
export function linkStatus(last, sent) {
  if (!last) return t('reg.link.none');
  let text;
  if (last.used_at) text = t('reg.link.used', { time: formatTime(last.used_at) });
  else if (last.revoked) text = t('reg.link.revoked');
  else if (last.expires_at < Date.now()) text = t('reg.link.expired', { time: formatTime(last.expires_at) });
  else text = t('reg.link.sent', { time: formatTime(last.issued_at), expires: formatTime(last.expires_at) });
  return sent > 1 ? `${text} (${t('reg.link.count', { count: sent })})` : text;
}

/**
 * Says where a freshly issued link went, and shows the link itself for sending by other means
 * when it could not be mailed (or, for the secretariat, `always`).
 * @param {HTMLElement} box
 * @param {{link: string, mailed: boolean}} answer
 * @param {{contact: {name: string, email: string}}} person
 * @param {boolean} [always]
 */
export function showLink(box, answer, person, always = false) {
  const id = `link-${answer.invitation}`;
  const link = always || !answer.mailed;
  replaceChildren(box, h('div', { class: 'card notice issued' },
    h('p', {}, t(answer.mailed ? 'reg.link.mailed' : 'reg.link.notMailed', { name: person.contact.name, email: person.contact.email })),
    link ? h('label', { for: id }, t('reg.link.copy')) : null,
    link ? h('input', { type: 'text', id, readonly: true, value: answer.link, dir: 'ltr', onfocus: (e) => e.target.select() }) : null));
}

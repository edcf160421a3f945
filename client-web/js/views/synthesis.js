/**
 * A consultation's synthesis (its citations link back to the submissions they quote) and the
 * inputs received from child consultations, each point with its chain of origin.
 */

import { h } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { scopeText } from './labels.js';

/**
 * The synthesis section, or nothing before there is one.
 * @param {object} cons `state.consultation`
 * @param {Map<number, object>} statements the consultation's statements by id
 * @param {import('../store.js').RoomStore} store
 * @param {(id: number) => void} focusStatement moves to a cited submission
 * @returns {HTMLElement|null}
 */
export function synthesisSection(cons, statements, store, focusStatement) {
  const syn = cons.synthesis;
  if (!syn) return null;
  const published = cons.phase === 'published';
  const inputs = new Map((cons.inputs || []).map((i) => [i.id, i]));
  return h('section', { id: 'synthesis', class: 'synthesis', 'aria-labelledby': 'synthesis-heading' },
    h('h3', { id: 'synthesis-heading' }, published ? t('cons.synthesis') : t('cons.synthesisDraft', { version: syn.version })),
    h('p', { class: 'help' }, t('cons.synthesisBy', { name: store.nameOf(syn.by), time: formatTime(syn.at) })),
    h('p', { class: 'text', dir: 'auto' }, syn.text),
    syn.citations.length ? [
      h('h4', { id: 'citations-heading' }, t('cons.citations')),
      h('ol', { class: 'citations', 'aria-labelledby': 'citations-heading' }, syn.citations.map((citation) => {
        if (citation.statement !== undefined && citation.statement !== null) {
          const s = statements.get(citation.statement);
          return h('li', { dataset: { cites: String(citation.statement) } },
            h('a', { href: `#statement-${citation.statement}`, onclick: (e) => { e.preventDefault(); focusStatement(citation.statement); } },
              t('cons.citesStatement', { id: citation.statement })),
            s ? [' · ', h('bdi', {}, s.org || store.nameOf(s.author))] : null,
            citation.excerpt ? h('q', { dir: 'auto', lang: s?.lang }, citation.excerpt) : null);
        }
        const input = inputs.get(citation.input);
        const point = input?.points[citation.point];
        return h('li', { dataset: { citesInput: String(citation.input) } },
          h('a', { href: `#input-${citation.input}-${citation.point}` }, t('cons.citesInput', { title: input?.title || `#${citation.input}` })),
          point ? [' · ', h('bdi', {}, point.org || point.author)] : null,
          citation.excerpt ? h('q', { dir: 'auto', lang: point?.lang }, citation.excerpt) : null,
          point ? h('span', { class: 'help' }, ` · ${t('cons.chain', { chain: point.chain.join(' → ') })}`) : null);
      })),
    ] : null);
}

/**
 * The inputs received from child consultations, or nothing when there are none.
 * @param {object} cons `state.consultation` (each input's fields sit beside its `id`)
 * @returns {HTMLElement|null}
 */
export function inputsSection(cons) {
  const inputs = cons.inputs || [];
  if (!inputs.length) return null;
  return h('section', { id: 'inputs', class: 'inputs', 'aria-labelledby': 'inputs-heading' },
    h('h3', { id: 'inputs-heading' }, t('cons.inputs')),
    inputs.map((input) => {
      const entry = input;
      return h('article', { class: 'input', dataset: { from: input.from }, 'aria-label': t('cons.inputFrom', { title: input.title }) },
        h('h4', {}, h('bdi', {}, input.title), ' ', h('span', { class: 'badge' }, scopeText(input.scope))),
        h('p', { class: 'help' }, t('cons.publishedAt', { time: formatTime(input.published_at) })),
        h('p', { class: 'text', dir: 'auto' }, input.synthesis),
        h('ol', { class: 'points' }, input.points.map((point, i) => h('li', { id: `input-${entry.id}-${i}`, dataset: { statement: `${point.room}#${point.statement}` } },
          h('bdi', { class: 'who' }, point.org || point.author), ' ',
          h('span', { class: 'text', lang: point.lang, dir: 'auto' }, point.text),
          h('span', { class: 'help chain' }, ` · ${t('cons.origin', { room: point.room, id: point.statement })} · ${t('cons.chain', { chain: point.chain.join(' → ') })}`)))));
    }));
}

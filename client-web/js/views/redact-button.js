/** The secretariat's "Redact" button under a statement; its form (redact.js) loads when pressed. */

import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * @param {object} app
 * @param {string} roomId
 * @param {{id: number}} statement
 * @returns {HTMLButtonElement}
 */
export function redactButton(app, roomId, statement) {
  return h('button', {
    type: 'button', class: 'small danger', dataset: { focus: `redact-${statement.id}` },
    'aria-label': t('statement.redactNamed', { id: statement.id }),
    onclick: async (e) => {
      const article = e.currentTarget.closest('article');
      (await import('./redact.js')).openRedactForm(app, roomId, statement, article);
    },
  }, t('statement.redact'));
}

/**
 * Shared wording: room facts (scope), and phrases that embed user text.
 */

import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * A room's scope in words.
 * @param {{level: string, region?: string, country?: string}} scope
 * @returns {string}
 */
export function scopeText(scope) {
  if (!scope) return '';
  if (scope.level === 'global') return t('scope.global');
  if (scope.level === 'country') {
    let name = scope.country;
    try {
      name = new Intl.DisplayNames([document.documentElement.lang], { type: 'region' }).of(scope.country) || name;
    } catch {
      // keep the code
    }
    return t('scope.country', { name });
  }
  const region = scope.region;
  const group = t(`group.${region}`);
  const area = t(`m49.${region}`);
  return t('scope.region', { name: group !== `group.${region}` ? group : area !== `m49.${region}` ? area : `M49 ${region}` });
}

/**
 * A translated phrase with one of its values (a name, a reason someone typed) isolated in a
 * `<bdi>`, so right-to-left and left-to-right text do not reorder each other.
 * @param {string} key translation key
 * @param {Record<string, string|number>} params values for the phrase's holes
 * @param {string} isolated which value to isolate
 * @returns {Array<string|HTMLElement>}
 */
export function phrase(key, params, isolated) {
  const marker = '\u0000';
  const [before, after = ''] = t(key, { ...params, [isolated]: marker }).split(marker);
  return [before, h('bdi', {}, String(params[isolated])), after];
}

/** A caucus's joint statement's mark, filled by joint-mark.js (loaded on demand). */
export function jointMark(statement) {
  const mark = h('p', { class: 'joint' });
  import('./joint-mark.js').then((m) => m.fillJointMark(mark, statement.joint));
  return mark;
}

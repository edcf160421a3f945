/**
 * Shared wording for room facts: scope, constituency.
 */

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
  return t('scope.region', { name: group === `group.${region}` ? `M49 ${region}` : group });
}

/**
 * Countries and regions by name in the interface language: countries through
 * `Intl.DisplayNames`, UN regional groups and M49 areas from the locale tables.
 */

import { language, t } from '../i18n.js';

/**
 * A country's name in the interface language (its code if the browser cannot name it).
 * @param {string} code ISO 3166-1 alpha-2
 * @returns {string}
 */
export function countryName(code) {
  try {
    return new Intl.DisplayNames([language()], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/**
 * A region's name: a UN regional group slug or an M49 code.
 * @param {string} code
 * @returns {string}
 */
export function regionName(code) {
  for (const key of [`group.${code}`, `m49.${code}`]) {
    const name = t(key);
    if (name !== key) return name;
  }
  return `M49 ${code}`;
}

/**
 * Sorts by name in the interface language.
 * @template T
 * @param {T[]} items
 * @param {(item: T) => string} name
 * @returns {T[]}
 */
export function byName(items, name) {
  const collator = new Intl.Collator(language());
  return [...items].sort((a, b) => collator.compare(name(a), name(b)));
}

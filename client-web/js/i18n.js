/**
 * The interface's languages: the six official languages of the United Nations.
 * Strings live in js/locales/<lang>.js; `t(key, params)` looks one up and fills `{name}` holes.
 * A string that depends on a number is an object of plural forms (`{ one: '{count} room',
 * other: '{count} rooms' }`, with the categories of `Intl.PluralRules` for its language: Arabic
 * has six, Russian four, Chinese one), chosen by `params.count`.
 * English (the reference and fallback) is always loaded; another language's table is fetched
 * only when it is chosen, so a first load on a slow connection carries one or two tables, not six.
 * Views that few people open (the chair's controls, the projector) keep their strings in extra
 * tables (`js/locales/NAME-<lang>.js`), merged in by `loadStrings(NAME)` when first needed.
 */

import en from './locales/en.js';

/** Interface languages, each named in itself, in the UN's alphabetical order of English names. */
export const LANGUAGES = [
  { code: 'ar', name: 'العربية', dir: 'rtl' },
  { code: 'zh', name: '中文', dir: 'ltr' },
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'ru', name: 'Русский', dir: 'ltr' },
  { code: 'es', name: 'Español', dir: 'ltr' },
];

const CODES = new Set(LANGUAGES.map((l) => l.code));
/** @type {Record<string, Record<string, string>>} the tables loaded so far */
const TABLES = { en: { ...en } };
const STORAGE_KEY = 'baraza.lang';
let current = 'en';
const listeners = new Set();
/** @type {Set<string>} names of the extra tables asked for so far */
const EXTRAS = new Set();
/** @type {Set<string>} `NAME-<lang>` extra tables already merged */
const MERGED = new Set();

/**
 * Picks the interface language: a saved choice, else the browser's preference, else English.
 * @returns {string}
 */
export function initialLanguage() {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (saved && CODES.has(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (CODES.has(base)) return base;
  }
  return 'en';
}

/**
 * Switches the interface language (loading its table first if needed), sets `lang` and `dir` on
 * <html> and tells listeners. If the table cannot be loaded, English stays.
 * @param {string} code one of LANGUAGES
 * @param {{remember?: boolean}} [options] `remember: false` leaves the saved choice as it is
 *   (a projector tab in the hall's language must not change the chair's own)
 * @returns {Promise<void>}
 */
export async function setLanguage(code, { remember = true } = {}) {
  if (!CODES.has(code)) code = 'en';
  if (!TABLES[code]) {
    try {
      TABLES[code] = (await import(`./locales/${code}.js`)).default;
    } catch {
      code = 'en';
    }
  }
  await Promise.all([...EXTRAS].map((name) => mergeExtra(name, code)));
  current = code;
  const lang = LANGUAGES.find((l) => l.code === code);
  document.documentElement.lang = code;
  document.documentElement.dir = lang ? lang.dir : 'ltr';
  if (remember) safeStorage()?.setItem(STORAGE_KEY, code);
  for (const listener of listeners) listener(code);
}

/**
 * Loads an extra table of strings (`js/locales/NAME-<lang>.js`) for English and the current
 * language, and for every language chosen later. Keys missing from a table fall back to English
 * as usual; a table that cannot be loaded leaves the keys as they are.
 * @param {string} name e.g. `chair`
 * @returns {Promise<void>}
 */
export async function loadStrings(name) {
  EXTRAS.add(name);
  await Promise.all([...new Set(['en', current])].map((code) => mergeExtra(name, code)));
}

async function mergeExtra(name, code) {
  const id = `${name}-${code}`;
  if (MERGED.has(id) || !TABLES[code]) return;
  try {
    const table = (await import(`./locales/${id}.js`)).default;
    MERGED.add(id);
    Object.assign(TABLES[code], table);
  } catch {
    // The keys show in English (or as keys) rather than not at all.
  }
}

/** @returns {string} the current interface language */
export function language() {
  return current;
}

/**
 * Calls `listener(code)` after every language change.
 * @param {(code: string) => void} listener
 */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/**
 * Translates a key, falling back to English and then to the key itself. A plural entry takes the
 * form of `params.count` in the language whose table answered; counts are written with the
 * language's digit grouping (in Western digits, as UN documents in all six languages do).
 * @param {string} key
 * @param {Record<string, string|number>} [params] values for `{name}` holes
 * @returns {string}
 */
export function t(key, params = {}) {
  const code = TABLES[current]?.[key] !== undefined ? current : 'en';
  let text = TABLES[code][key] ?? key;
  if (typeof text === 'object') text = text[pluralRules(code).select(Number(params.count) || 0)] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? show(name, params[name], code) : `{${name}}`));
}

const RULES = new Map();
function pluralRules(code) {
  if (!RULES.has(code)) RULES.set(code, new Intl.PluralRules(code));
  return RULES.get(code);
}

/** Counts are grouped by the language's rules (`1 234` in French); ids and other values not. */
function show(name, value, code) {
  if (typeof value !== 'number' || !COUNTS.has(name)) return String(value);
  return new Intl.NumberFormat(code, { numberingSystem: 'latn' }).format(value);
}
const COUNTS = new Set(['count', 'shown', 'head']);

/**
 * A list of names joined as the interface language joins them (`a, b and c`; `a، b و c` in
 * Arabic; `a、b和c` in Chinese).
 * @param {string[]} items
 * @returns {string}
 */
export function formatList(items) {
  try {
    return new Intl.ListFormat(current, { type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

/**
 * Translates a key if a table has it, else returns the fallback (e.g. a server's message).
 * @param {string} key
 * @param {string} fallback
 * @returns {string}
 */
export function tOr(key, fallback) {
  return key in TABLES.en ? t(key) : fallback;
}

/**
 * The name of a language tag (e.g. a statement's `lang`) in the interface language.
 * @param {string} tag BCP 47 tag
 * @returns {string}
 */
export function languageName(tag) {
  try {
    return new Intl.DisplayNames([current], { type: 'language' }).of(tag) || tag;
  } catch {
    return tag;
  }
}

/**
 * A date and time in the interface language.
 * @param {number} ms milliseconds since the Unix epoch
 * @returns {string}
 */
export function formatTime(ms) {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** All keys of the reference (English) table, for completeness checks. */
export const KEYS = Object.keys(en);

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The interface's languages: the six official languages of the United Nations.
 * Strings live in js/locales/<lang>.js; `t(key, params)` looks one up and fills `{name}` holes.
 * English (the reference and fallback) is always loaded; another language's table is fetched
 * only when it is chosen, so a first load on a slow connection carries one or two tables, not six.
 * The strings of pages most people never open (the registry's: `locales/reg-<lang>.js`) are a
 * separate part, merged into the tables by `loadStrings` when such a page is first opened.
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
const TABLES = { en };
const STORAGE_KEY = 'baraza.lang';
let current = 'en';
const listeners = new Set();
/** Parts of the tables loaded on demand (`reg`: the registry's pages), and which are merged. */
const PARTS = new Set(['reg']);
const wantedParts = new Set();
const mergedParts = new Set();

async function mergePart(part, code) {
  const key = `${part}-${code}`;
  if (mergedParts.has(key)) return;
  const table = (await import(`./locales/${part}-${code}.js`)).default;
  Object.assign(TABLES[code], table);
  mergedParts.add(key);
}

/**
 * Loads a part of the tables (English and the current language) before a page that uses it.
 * Later language changes load it for the new language too.
 * @param {string} part `reg`
 * @returns {Promise<void>}
 */
export async function loadStrings(part) {
  if (!PARTS.has(part)) throw new Error(`no such part of the tables: ${part}`);
  wantedParts.add(part);
  await mergePart(part, 'en');
  if (current !== 'en') await mergePart(part, current).catch(() => {});
}

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
 * @returns {Promise<void>}
 */
export async function setLanguage(code) {
  if (!CODES.has(code)) code = 'en';
  if (!TABLES[code]) {
    try {
      TABLES[code] = (await import(`./locales/${code}.js`)).default;
    } catch {
      code = 'en';
    }
  }
  for (const part of wantedParts) await mergePart(part, code).catch(() => {});
  current = code;
  const lang = LANGUAGES.find((l) => l.code === code);
  document.documentElement.lang = code;
  document.documentElement.dir = lang ? lang.dir : 'ltr';
  safeStorage()?.setItem(STORAGE_KEY, code);
  for (const listener of listeners) listener(code);
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
 * Translates a key, falling back to English and then to the key itself.
 * @param {string} key
 * @param {Record<string, string|number>} [params] values for `{name}` holes
 * @returns {string}
 */
export function t(key, params = {}) {
  const text = TABLES[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/**
 * Translates a key if a table has it, else returns the fallback (e.g. a server's message).
 * @param {string} key
 * @param {string} fallback
 * @returns {string}
 */
export function tOr(key, fallback) {
  return key in en ? t(key) : fallback;
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

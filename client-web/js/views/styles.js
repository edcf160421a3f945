/**
 * Stylesheets of views loaded on demand (`css/NAME.css`), so their rules stay out of the first
 * load: each is linked once, and the promise settles when it has applied (or failed to load).
 * The address is resolved against this module's own, so a sheet comes from the same versioned
 * prefix (`/v/<hash>/css/…`) as the modules, cached alike.
 */

/** @type {Map<string, Promise<void>>} */
const linked = new Map();

/**
 * Links `css/NAME.css` into the document once.
 * @param {string} name e.g. `chair`
 * @returns {Promise<void>} settles when the sheet is loaded or has failed
 */
export function useStyles(name) {
  let loading = linked.get(name);
  if (!loading) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL(`../../css/${name}.css`, import.meta.url).href;
    loading = new Promise((resolve) => {
      link.addEventListener('load', () => resolve());
      link.addEventListener('error', () => resolve());
    });
    document.head.appendChild(link);
    linked.set(name, loading);
  }
  return loading;
}

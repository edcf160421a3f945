/**
 * Stylesheets of views loaded on demand (`css/NAME.css`), so their rules stay out of the first
 * load: each is linked once, and the promise settles when it has applied (or failed to load).
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
    link.href = `css/${name}.css`;
    loading = new Promise((resolve) => {
      link.addEventListener('load', () => resolve());
      link.addEventListener('error', () => resolve());
    });
    document.head.appendChild(link);
    linked.set(name, loading);
  }
  return loading;
}

/**
 * Building DOM nodes without ever parsing user text as HTML.
 * Every string passed as a child becomes a text node.
 */

/**
 * Creates an element.
 * @param {string} tag tag name
 * @param {Record<string, any>} [attrs] attributes; `class`, `text`, `on*` (event listeners),
 *   `dataset` and boolean values are handled specially; null/false/undefined are skipped
 * @param {...(Node|string|number|null|undefined|false|Array<any>)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = String(value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/**
 * Appends children (nodes, strings as text, nested arrays) to a parent.
 * @param {Node} parent
 * @param {Array<any>} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * Removes every child of an element and appends new ones.
 * @param {Element} el
 * @param {...any} children
 */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

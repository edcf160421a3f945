/** A caucus's joint statement's mark; its words and link come with joint-mark.js, on demand. */

import { h } from '../dom.js';

/**
 * @param {{joint: object}} statement a statement posted on a caucus's behalf
 * @returns {HTMLElement}
 */
export function jointMark(statement) {
  const mark = h('p', { class: 'joint' });
  import('./joint-mark.js').then((m) => m.fillJointMark(mark, statement.joint));
  return mark;
}

/** Russian strings of the secretariat's redaction form (loaded on demand). */
export default {
  'redact.reason': 'Причина изъятия (видна всем вместо текста)',
  'redact.help': 'Текст, опубликованный и все его правки, навсегда удаляется с этого узла; в записи остаётся доказательство того, что выступление было. Только по законному запросу.',
  'redact.confirm': 'Изъять навсегда',
  'redact.done': 'Выступление {id} изъято.',
};

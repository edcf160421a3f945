/** English strings of the secretariat's redaction form (loaded on demand). */
export default {
  'redact.reason': 'Reason for the redaction (shown to everyone in place of the text)',
  'redact.help': 'The text, as posted and every edit, is removed from this node for good; the record keeps proof that a statement was made. Use only on a lawful request.',
  'redact.confirm': 'Redact for good',
  'redact.done': 'Statement {id} is redacted.',
};

/** Spanish strings of the secretariat's redaction form (loaded on demand). */
export default {
  'redact.reason': 'Motivo de la supresión (visible para todos en lugar del texto)',
  'redact.help': 'El texto, tal como se publicó y en cada edición, se elimina de este nodo para siempre; el registro conserva la prueba de que hubo una declaración. Úselo solo ante una solicitud legal.',
  'redact.confirm': 'Suprimir para siempre',
  'redact.done': 'La declaración {id} ha sido suprimida.',
};

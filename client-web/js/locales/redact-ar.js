/** Arabic strings of the secretariat's redaction form (loaded on demand). */
export default {
  'redact.reason': 'سبب الحذف (يظهر للجميع بدلًا من النص)',
  'redact.help': 'يُحذف النص، كما نُشر وفي كل تعديل، من هذه العقدة نهائيًا؛ ويحتفظ السجل بما يثبت أن بيانًا قد قُدِّم. لا يُستخدم إلا بناءً على طلب قانوني.',
  'redact.confirm': 'حذف نهائي',
  'redact.done': 'حُذف البيان {id}.',
};

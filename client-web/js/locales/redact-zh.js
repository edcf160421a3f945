/** Chinese strings of the secretariat's redaction form (loaded on demand). */
export default {
  'redact.reason': '删除理由（向所有人显示，代替原文）',
  'redact.help': '原文（包括发布时的文本和每次编辑）将从本节点永久删除；记录仍保留曾有发言的证明。仅在依法提出请求时使用。',
  'redact.confirm': '永久删除',
  'redact.done': '发言 {id} 已删除。',
};

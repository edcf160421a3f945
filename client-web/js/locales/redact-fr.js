/** French strings of the secretariat's redaction form (loaded on demand). */
export default {
  'redact.reason': 'Motif du caviardage (affiché à tous à la place du texte)',
  'redact.help': 'Le texte, tel que publié et dans chaque version modifiée, est supprimé de ce nœud définitivement ; le registre garde la preuve qu’une déclaration a été faite. À utiliser uniquement sur demande légale.',
  'redact.confirm': 'Caviarder définitivement',
  'redact.done': 'La déclaration {id} est caviardée.',
};

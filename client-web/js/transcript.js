/**
 * A room's transcript as Markdown, built in the browser from its record: statements in order,
 * replies marked, hidden statements shown with the reason, and the chain's verification result.
 */

/**
 * Builds the transcript.
 * @param {object} options
 * @param {string} options.room room id
 * @param {Array<object>} options.entries record entries, in order
 * @param {{intact: boolean, checked: number, brokenAt?: number}|null} options.verification
 * @param {(key: string, params?: object) => string} options.t translation function
 * @returns {string}
 */
export function transcriptMarkdown({ room, entries, verification, t }) {
  const names = new Map();
  const hidden = new Map();
  let title = room;
  for (const entry of entries) {
    const body = entry.body;
    if (body.type === 'room_created') title = body.title;
    if (body.type === 'member_joined') names.set(body.member.user, body.member);
    if (body.type === 'statement_hidden') hidden.set(body.statement, body.reason);
  }
  const lines = [`# ${title}`, '', `${t('transcript.room')}: \`${room}\``];
  if (verification) {
    lines.push(verification.intact
      ? `${t('record.chain')}: ${t('record.intact', { count: verification.checked })}`
      : `${t('record.chain')}: ${t('record.broken', { seq: verification.brokenAt })}`);
  }
  if (entries.length) lines.push(`${t('record.head')}: ${entries[entries.length - 1].seq} · ${t('transcript.lastHash')}: \`${entries[entries.length - 1].hash}\``);
  lines.push('');
  for (const entry of entries) {
    const body = entry.body;
    if (body.type !== 'statement_posted') continue;
    const who = names.get(entry.actor);
    const author = who ? `${who.name}${who.org ? ` (${who.org})` : ''}` : entry.actor || '';
    const when = new Date(entry.ts).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
    const reply = body.parent ? ` · ${t('statement.replyTo', { id: body.parent })}` : '';
    lines.push(`## #${entry.seq} · ${author} · ${when} · ${body.lang}${reply}`, '');
    if (hidden.has(entry.seq)) lines.push(`> ${t('statement.hiddenReason', { reason: hidden.get(entry.seq) })}`, '');
    lines.push(...body.text.split('\n').map((line) => (line ? `    ${line}` : '')), '');
  }
  return lines.join('\n');
}

/**
 * Offers text as a file download.
 * @param {string} filename
 * @param {string} text
 * @param {string} [type]
 */
export function download(filename, text, type = 'text/markdown;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

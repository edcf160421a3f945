/**
 * The state of one room as this client knows it: a snapshot, then events applied strictly in
 * `seq` order. Events at or below the last seq are ignored (a resume never doubles anything);
 * an event after a gap is refused so the caller can fetch a fresh snapshot.
 */

/**
 * One room's state.
 */
export class RoomStore extends EventTarget {
  /**
   * @param {string} id room id
   * @param {boolean} moderating whether the reader moderates (sees hidden statements' text)
   */
  constructor(id, moderating) {
    super();
    this.id = id;
    this.moderating = moderating;
    /** @type {number|null} last seq applied; null before the first snapshot */
    this.seq = null;
    this.info = null;
    /** @type {Map<string, {profile: object, present: boolean, joined_at: number}>} */
    this.members = new Map();
    /** @type {Map<number, object>} statements by id */
    this.statements = new Map();
  }

  /**
   * Replaces the state with a snapshot (`state` of a `snapshot` message or `GET /api/rooms/{id}`).
   * @param {number} seq
   * @param {object} state
   */
  applySnapshot(seq, state) {
    if (this.seq !== null && seq <= this.seq) return;
    this.seq = seq;
    this.info = state.info;
    this.members = new Map(state.members.map((m) => [m.profile.user, { ...m }]));
    this.statements = new Map(state.statements.map((s) => [s.id, { ...s }]));
    this.changed({ snapshot: true, posted: [] });
  }

  /**
   * Applies one event.
   * @param {{seq: number, ts: number, actor?: string, body: object}} event
   * @returns {'applied'|'old'|'gap'}
   */
  applyEvent(event) {
    if (this.seq === null) return 'gap';
    if (event.seq <= this.seq) return 'old';
    if (event.seq !== this.seq + 1) return 'gap';
    this.seq = event.seq;
    const body = event.body;
    const posted = [];
    switch (body.type) {
      case 'member_joined': {
        const known = this.members.get(body.member.user);
        if (known) Object.assign(known, { profile: body.member, present: true });
        else this.members.set(body.member.user, { profile: body.member, present: true, joined_at: event.ts });
        break;
      }
      case 'member_left': {
        const known = this.members.get(body.user);
        if (known) known.present = false;
        break;
      }
      case 'statement_posted': {
        const author = this.members.get(event.actor);
        const statement = { id: event.seq, author: event.actor, text: body.text, lang: body.lang, posted_at: event.ts };
        if (author?.profile.org) statement.org = author.profile.org;
        for (const field of ['parent', 'agenda_item', 'question']) if (body[field] !== undefined) statement[field] = body[field];
        this.statements.set(event.seq, statement);
        posted.push(statement);
        break;
      }
      case 'statement_hidden': {
        const statement = this.statements.get(body.statement);
        if (statement) {
          statement.hidden = { by: event.actor, reason: body.reason, at: event.ts };
          if (!this.moderating) {
            statement.text = '';
            statement.redacted = true;
          }
        }
        break;
      }
      default:
        // Events of protocols this client does not know yet (agenda, floor, phases…) only move seq.
        break;
    }
    this.changed({ snapshot: false, posted, type: body.type });
    return 'applied';
  }

  /** @returns {Array<object>} statements without a parent, in order */
  topLevel() {
    return [...this.statements.values()].filter((s) => s.parent === undefined || !this.statements.has(s.parent));
  }

  /**
   * @param {number} id a statement id
   * @returns {Array<object>} its direct replies, in order
   */
  replies(id) {
    return [...this.statements.values()].filter((s) => s.parent === id);
  }

  /** @returns {Array<object>} members present now */
  present() {
    return [...this.members.values()].filter((m) => m.present);
  }

  /**
   * A member's display name.
   * @param {string} user
   * @returns {string}
   */
  nameOf(user) {
    return this.members.get(user)?.profile.name || user;
  }

  changed(detail) {
    this.dispatchEvent(new CustomEvent('change', { detail }));
  }
}

// The audit log's filters as the admin form holds them, turned into the route's query
// (from/to in unix ms, `to` exclusive; kind exact or a prefix ending in "."), and paging by seq.
export interface AuditFilter {
  kind: string;
  actor: string;
  /** Local date-times as <input type="datetime-local"> gives them ("" = open). */
  from: string;
  to: string;
}

export const auditKinds = [
  'auth.',
  'auth.login',
  'auth.login_failed',
  'user.',
  'user.create',
  'user.enable',
  'user.disable',
  'user.role',
  'user.unlock',
  'user.delete',
  'user.mfa_reset',
  'org.update',
  'audit.export',
  'key.',
  'mfa.',
  'debug.metering',
];

/** Milliseconds of a datetime-local value in the browser's time zone, or null when empty or invalid. */
export function localToMs(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** The query of `GET /api/v1/admin/audit` (and of the export, without paging). */
export function auditQuery(filter: AuditFilter, page?: { after: number; limit: number }): URLSearchParams {
  const q = new URLSearchParams();
  const kind = filter.kind.trim();
  if (kind) q.set('kind', kind);
  if (filter.actor) q.set('actor', filter.actor);
  const from = localToMs(filter.from);
  const to = localToMs(filter.to);
  if (from !== null) q.set('from', String(from));
  if (to !== null) q.set('to', String(to));
  if (page) {
    if (page.after > 0) q.set('after', String(page.after));
    q.set('limit', String(page.limit));
  }
  return q;
}

/** Pages move forward by the last seq shown; going back pops the cursor stack. */
export class AuditPager {
  private cursors: number[] = [0];
  constructor(readonly size: number) {}
  get after(): number {
    return this.cursors[this.cursors.length - 1];
  }
  get index(): number {
    return this.cursors.length - 1;
  }
  get hasPrevious(): boolean {
    return this.cursors.length > 1;
  }
  /** More may follow when the page came back full. */
  hasNext(shown: number): boolean {
    return shown >= this.size;
  }
  next(lastSeq: number) {
    this.cursors.push(lastSeq);
  }
  previous() {
    if (this.cursors.length > 1) this.cursors.pop();
  }
  reset() {
    this.cursors = [0];
  }
}

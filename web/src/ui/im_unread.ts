// The number of unread IM messages, for a badge outside the IM page (the home screen's tile).
// Recounted from im.conversation.list when a message or a read marker changes.
import type { ConversationSummary } from '../state/im_model';
import type { AppContext } from './app_context';

export function watchUnread(ctx: AppContext, show: (count: number) => void): () => void {
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const offs: (() => void)[] = [];
  const count = async () => {
    try {
      const conn = await ctx.connection();
      const r = await conn.call<{ conversations: ConversationSummary[] }>('im.conversation.list', { limit: 100 });
      if (!disposed) show(r.conversations.reduce((sum, c) => sum + c.unread, 0));
    } catch {
      /* a badge is a hint; the IM page shows the truth */
    }
  };
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void count(), 500);
  };
  void ctx
    .connection()
    .then((conn) => {
      if (disposed) return;
      offs.push(conn.on('im.message', soon), conn.on('im.read', soon), conn.on('im.removed', soon), conn.onReconnected(soon));
      void count();
    })
    .catch(() => {});
  return () => {
    disposed = true;
    if (timer) clearTimeout(timer);
    for (const off of offs) off();
  };
}

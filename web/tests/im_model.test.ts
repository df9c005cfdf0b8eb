import { describe, expect, it } from 'vitest';
import {
  activeTypers,
  applyLiveMessage,
  applyMessageToEntry,
  applyOwnRead,
  conversationTitle,
  emptyThread,
  entryFromSummary,
  mergeIntoThread,
  newClientId,
  orderConversations,
  seenBy,
  unreadLabel,
  type Conversation,
  type ConversationEntry,
  type ImMessage,
} from '../src/state/im_model';

const me = 'aaaaaaaaaaaaaaaa';
const bo = 'bbbbbbbbbbbbbbbb';
const cy = 'cccccccccccccccc';

const text = (seq: number, sender = bo, body = `m${seq}`): ImMessage => ({ seq, kind: 'text', sender_id: sender, at: 1000 + seq, text: body, client_id: `c${seq}` });
const seqs = (ms: ImMessage[]) => ms.map((m) => m.seq);

function conversation(id: string, kind: 'direct' | 'group' = 'direct', name = ''): Conversation {
  return {
    conversation_id: id,
    kind,
    name,
    members: [
      { user_id: me, username: 'me', display_name: 'Me' },
      { user_id: bo, username: 'bo', display_name: 'Bo Chen' },
    ],
    created_at: 1,
  };
}

function entry(id: string, activityAt: number, extra: Partial<ConversationEntry> = {}): ConversationEntry {
  return { conversation: conversation(id), lastSeq: 0, readSeq: 0, unread: 0, activityAt, ...extra };
}

describe('thread timeline', () => {
  it('keeps entries in seq order, each once, whatever order they arrive in', () => {
    let t = mergeIntoThread(emptyThread(), [text(5), text(3), text(4)], { firstPage: true, moreBefore: true });
    t = mergeIntoThread(t, [text(4), text(6), text(5)]);
    expect(seqs(t.messages)).toEqual([3, 4, 5, 6]);
    expect(t.firstSeq).toBe(3);
    expect(t.seenSeq).toBe(6);
    expect(t.moreBefore).toBe(true);
  });

  it('pages backwards: an older page goes in front and ends paging when nothing is left', () => {
    let t = mergeIntoThread(emptyThread(), [text(51), text(52)], { firstPage: true, moreBefore: true });
    t = mergeIntoThread(t, [text(49), text(50)], { moreBefore: false });
    expect(seqs(t.messages)).toEqual([49, 50, 51, 52]);
    expect(t.firstSeq).toBe(49);
    expect(t.moreBefore).toBe(false);
    expect(t.seenSeq).toBe(52);
  });

  it('notices a gap in live delivery and closes it when sync brings the missing entries', () => {
    let t = mergeIntoThread(emptyThread(), [text(1), text(2)], { firstPage: true });
    const live = applyLiveMessage(t, text(5));
    expect(live.gap).toBe(true);
    t = live.thread;
    expect(t.seenSeq).toBe(2); // im.sync continues after 2
    t = mergeIntoThread(t, [text(3), text(4), text(5)]);
    expect(t.seenSeq).toBe(5);
    expect(seqs(t.messages)).toEqual([1, 2, 3, 4, 5]);
    expect(applyLiveMessage(t, text(6)).gap).toBe(false);
  });

  it('an empty conversation takes its first live message without a gap', () => {
    const r = applyLiveMessage(emptyThread(), text(1));
    expect(r.gap).toBe(false);
    expect(r.thread.seenSeq).toBe(1);
  });

  it('offline sync merges over what was loaded: repeats dropped, edits and deletes applied', () => {
    let t = mergeIntoThread(emptyThread(), [text(1, me, 'hello'), text(2), text(3, me, 'oops')], { firstPage: true });
    // While offline: a reply, an edit of seq 1 and a delete of seq 3; sync repeats seq 3.
    const synced: ImMessage[] = [
      text(3, me, 'oops'),
      text(4),
      { seq: 5, kind: 'edit', sender_id: me, at: 2000, target_seq: 1, text: 'hello there' },
      { seq: 6, kind: 'delete', sender_id: me, at: 2001, target_seq: 3 },
    ];
    t = mergeIntoThread(t, synced);
    expect(seqs(t.messages)).toEqual([1, 2, 3, 4]); // edit/delete entries are not shown
    expect(t.seenSeq).toBe(6);
    expect(t.messages[0]).toMatchObject({ text: 'hello there', edited_at: 2000 });
    const tomb = t.messages[2];
    expect(tomb.deleted).toBe(true);
    expect(tomb.text).toBeUndefined();
    expect(tomb.sender_id).toBe(me);
  });

  it('a tombstone stays a tombstone when an older copy of the entry comes again', () => {
    let t = mergeIntoThread(emptyThread(), [text(1, me, 'secret')], { firstPage: true });
    t = mergeIntoThread(t, [{ seq: 2, kind: 'delete', sender_id: me, at: 3000, target_seq: 1 }]);
    t = mergeIntoThread(t, [text(1, me, 'secret')]); // e.g. a stale history page
    expect(t.messages[0].deleted).toBe(true);
    expect(t.messages[0].text).toBeUndefined();
    // An edit after the delete cannot bring the text back.
    t = mergeIntoThread(t, [{ seq: 3, kind: 'edit', sender_id: me, at: 3001, target_seq: 1, text: 'again' }]);
    expect(t.messages[0].deleted).toBe(true);
    expect(t.messages[0].text).toBeUndefined();
  });

  it('history that already carries the rewritten target wins over a stale one', () => {
    let t = mergeIntoThread(emptyThread(), [{ ...text(1, me, 'v2'), edited_at: 5000 }], { firstPage: true });
    t = mergeIntoThread(t, [text(1, me, 'v1')]);
    expect(t.messages[0].text).toBe('v2');
    // A deleted image loses its file.
    t = mergeIntoThread(t, [{ seq: 2, kind: 'image', sender_id: bo, at: 1, file_id: 'f', mime: 'image/png', size: 9 }]);
    t = mergeIntoThread(t, [{ seq: 3, kind: 'delete', sender_id: bo, at: 2, target_seq: 2 }]);
    expect(t.messages[1]).toMatchObject({ kind: 'image', deleted: true });
    expect(t.messages[1].file_id).toBeUndefined();
  });
});

describe('conversation list', () => {
  it('orders by last activity, newest first, with a stable tie-break', () => {
    const ordered = orderConversations([entry('0000000000000001', 10), entry('0000000000000003', 30), entry('0000000000000002', 30)]);
    expect(ordered.map((e) => e.conversation.conversation_id)).toEqual(['0000000000000002', '0000000000000003', '0000000000000001']);
  });

  it('a new message moves its conversation to the top', () => {
    const a = entry('000000000000000a', 100, { lastSeq: 1 });
    const b = entry('000000000000000b', 200, { lastSeq: 1 });
    const a2 = applyMessageToEntry(a, { ...text(2), at: 300 }, me, false);
    expect(orderConversations([a2, b])[0].conversation.conversation_id).toBe('000000000000000a');
    expect(a2.lastMessage?.text).toBe('m2');
  });

  it('counts others’ messages past the read marker, not one’s own, not repeats, not while reading', () => {
    let e = entry('000000000000000a', 1, { lastSeq: 2, readSeq: 2 });
    e = applyMessageToEntry(e, text(3), me, false);
    e = applyMessageToEntry(e, text(4), me, false);
    expect(e.unread).toBe(2);
    e = applyMessageToEntry(e, text(4), me, false); // the same event again (after a sync)
    expect(e.unread).toBe(2);
    e = applyMessageToEntry(e, { seq: 5, kind: 'edit', sender_id: bo, at: 9, target_seq: 3, text: 'x' }, me, false);
    expect(e.unread).toBe(2); // edits are not new messages
    const reading = applyMessageToEntry(e, text(6), me, true);
    expect(reading.unread).toBe(2);
    // Replying means having read: the count clears.
    const replied = applyMessageToEntry(e, text(6, me), me, false);
    expect(replied.unread).toBe(0);
    expect(replied.readSeq).toBe(6);
  });

  it('moving the read marker recounts from the loaded thread, or clears at the end', () => {
    const thread = mergeIntoThread(emptyThread(), [text(1), text(2), text(3, me), text(4), text(5)], { firstPage: true });
    const e = entry('000000000000000a', 1, { lastSeq: 5, readSeq: 0, unread: 4 });
    expect(applyOwnRead(e, 2, me, thread).unread).toBe(2); // 4 and 5 (3 is mine)
    expect(applyOwnRead(e, 5, me, thread).unread).toBe(0);
    expect(applyOwnRead(e, 5, me).unread).toBe(0);
    // The marker never moves back.
    expect(applyOwnRead({ ...e, readSeq: 4 }, 1, me, thread).readSeq).toBe(4);
    // Without the range loaded, the server's count stays.
    expect(applyOwnRead(e, 2, me).unread).toBe(4);
  });

  it('edits and deletes of the previewed message update the preview', () => {
    let e = applyMessageToEntry(entry('000000000000000a', 1), text(1, bo, 'first'), me, false);
    e = applyMessageToEntry(e, { seq: 2, kind: 'edit', sender_id: bo, at: 5, target_seq: 1, text: 'second' }, me, false);
    expect(e.lastMessage?.text).toBe('second');
    e = applyMessageToEntry(e, { seq: 3, kind: 'delete', sender_id: bo, at: 6, target_seq: 1 }, me, false);
    expect(e.lastMessage?.deleted).toBe(true);
  });

  it('summaries from the server become entries; badges cap at 99+', () => {
    const e = entryFromSummary({ conversation: conversation('000000000000000a'), last_seq: 7, read_seq: 3, unread: 4, activity_at: 99 });
    expect(e).toMatchObject({ lastSeq: 7, readSeq: 3, unread: 4, activityAt: 99 });
    expect(unreadLabel(0)).toBe('');
    expect(unreadLabel(7)).toBe('7');
    expect(unreadLabel(100)).toBe('99+');
  });

  it('titles: the other person of a 1:1, the name of a group', () => {
    expect(conversationTitle(conversation('000000000000000a'), me)).toBe('Bo Chen');
    expect(conversationTitle(conversation('000000000000000b', 'group', 'Launch'), me)).toBe('Launch');
  });
});

describe('receipts, typing, client ids', () => {
  it('seen by: readers at or past the message, never the sender or oneself', () => {
    const readers = new Map([
      [bo, 5],
      [cy, 3],
      [me, 9],
    ]);
    expect(seenBy(readers, text(4, me), me)).toEqual([bo]);
    expect(seenBy(readers, text(3, me), me).sort()).toEqual([bo, cy]);
  });

  it('typing indicators expire', () => {
    const typing = new Map([
      [bo, 2000],
      [cy, 500],
    ]);
    expect(activeTypers(typing, 1000)).toEqual([bo]);
  });

  it('client ids are 32 hex digits and differ', () => {
    const a = newClientId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newClientId()).not.toBe(a);
  });
});

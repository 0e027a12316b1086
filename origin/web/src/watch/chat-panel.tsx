// Live chat beside the player: messages with the stream time they refer to, the viewer count, and
// moderation (delete, mute) for the creator and admins. On a recording the chat replays in time:
// a message shows once the playhead reaches its stream time.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { chatSendInput, REALTIME_LIMITS } from '@spherecast/shared';
import { api, errorMessage } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { useFollowContent } from '../realtime/realtime.tsx';
import '../realtime/realtime.css';

/** The playhead of the page's video (the stage owns the element), read twice a second. */
function usePlayhead(): number | null {
  const [time, setTime] = useState<number | null>(null);
  useEffect(() => {
    const timer = setInterval(() => {
      const video = document.querySelector<HTMLVideoElement>('video[data-testid="video"]');
      setTime(video && video.readyState > 0 ? video.currentTime : null);
    }, 500);
    return () => clearInterval(timer);
  }, []);
  return time;
}

function formatStreamTime(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function ChatPanel({ contentId, ownerId, live }: { contentId: string; ownerId: string; live: boolean }) {
  const { messages, viewers, mutedUserIds, connected } = useFollowContent(contentId);
  const { me } = useSession();
  const playhead = usePlayhead();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const listRef = useRef<HTMLOListElement | null>(null);
  const moderator = !!me && (me.id === ownerId || me.role === 'admin');
  const iAmMuted = !!me && mutedUserIds.has(me.id);

  // Live: everything as it arrives. Recording: what the playhead has reached.
  const shown = live || playhead === null ? messages : messages.filter((m) => m.streamTimeSeconds <= playhead + 0.25);

  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [shown.length]);

  const send = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const input = chatSendInput.safeParse({ contentId, body: draft, streamTimeSeconds: Math.max(0, playhead ?? 0) });
    if (!input.success) {
      setProblem(input.error.issues[0]?.message ? `Message ${input.error.issues[0].message}.` : 'This message cannot be sent.');
      return;
    }
    setSending(true);
    try {
      await api.chat.send.mutate(input.data);
      setDraft('');
      setProblem(null);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="chat-panel" aria-label="Live chat" data-testid="chat-panel" data-connected={connected}>
      <header className="chat-header">
        <h2>{live ? 'Live chat' : 'Chat replay'}</h2>
        {viewers !== null ? (
          <span className="viewer-count" data-testid="viewer-count" data-count={viewers}>
            {viewers} watching
          </span>
        ) : null}
      </header>
      <ol className="chat-messages" ref={listRef} aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label="Chat messages">
        {shown.length === 0 ? <li className="muted chat-empty">{live ? 'No messages yet. Say hello!' : 'No chat at this point.'}</li> : null}
        {shown.map((m) => (
          <li key={m.id} className="chat-message" data-testid="chat-message">
            <span className="chat-time">{formatStreamTime(m.streamTimeSeconds)}</span> <strong className="chat-author">{m.author.displayName}</strong>{' '}
            <span className="chat-body">{m.body}</span>
            {moderator && m.author.id !== me?.id ? (
              <span className="chat-moderation">
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Delete message from ${m.author.displayName}`}
                  onClick={() => void api.chat.delete.mutate({ contentId, messageId: m.id }).catch((e: unknown) => setProblem(errorMessage(e)))}
                >
                  Delete
                </button>
                <button
                  type="button"
                  className="link-button"
                  aria-label={`${mutedUserIds.has(m.author.id) ? 'Unmute' : 'Mute'} ${m.author.displayName}`}
                  onClick={() =>
                    void api.chat.mute
                      .mutate({ contentId, userId: m.author.id, muted: !mutedUserIds.has(m.author.id) })
                      .catch((e: unknown) => setProblem(errorMessage(e)))
                  }
                >
                  {mutedUserIds.has(m.author.id) ? 'Unmute' : 'Mute'}
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {live ? (
        me ? (
          <form className="chat-form" onSubmit={(e) => void send(e)}>
            <label className="visually-hidden" htmlFor="chat-input">
              Chat message
            </label>
            <input
              id="chat-input"
              type="text"
              value={draft}
              maxLength={REALTIME_LIMITS.chatMessageMax}
              onChange={(e) => setDraft(e.target.value)}
              placeholder={iAmMuted ? 'You are muted in this chat' : 'Say something'}
              disabled={iAmMuted}
              autoComplete="off"
            />
            <button type="submit" className="button" disabled={sending || iAmMuted || !draft.trim()}>
              Send
            </button>
          </form>
        ) : (
          <p className="muted chat-signin">Sign in to chat.</p>
        )
      ) : null}
      {problem ? (
        <p className="chat-problem" role="alert">
          {problem}
        </p>
      ) : null}
    </section>
  );
}

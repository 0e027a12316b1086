// Reactions: a tap sends one; everyone's reactions come back summed per second and float up over
// the picture as bursts (capped, so ten thousand taps stay a handful of bubbles).
import { useEffect, useRef, useState } from 'react';
import { REACTION_KINDS, type ReactionKind } from '@spherecast/shared';
import { api } from '../api/client.ts';
import { useRealtime } from '../realtime/realtime.tsx';
import '../realtime/realtime.css';

export const REACTION_EMOJI: Record<ReactionKind, string> = { like: '👍', dislike: '👎', heart: '❤️', laugh: '😂', wow: '😮', clap: '👏' };
const REACTION_LABEL: Record<ReactionKind, string> = { like: 'Like', dislike: 'Dislike', heart: 'Love', laugh: 'Laugh', wow: 'Wow', clap: 'Applause' };
/** Bubbles per kind per second at most, and how long one floats. */
const BURST_MAX = 8;
const BURST_MS = 2400;

/** Everyone's reactions since the page opened, per kind (shown beside the buttons). */
function useReactionTotals(): Partial<Record<ReactionKind, number>> {
  const { onReactions } = useRealtime();
  const [totals, setTotals] = useState<Partial<Record<ReactionKind, number>>>({});
  useEffect(
    () =>
      onReactions((tick) =>
        setTotals((current) => {
          const next = { ...current };
          for (const [kind, count] of Object.entries(tick) as [ReactionKind, number][]) next[kind] = (next[kind] ?? 0) + count;
          return next;
        }),
      ),
    [onReactions],
  );
  return totals;
}

export function ReactionButtons({ contentId }: { contentId: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const totals = useReactionTotals();
  return (
    <div className="reaction-buttons" role="group" aria-label="React">
      {REACTION_KINDS.map((kind) => (
        <span key={kind} className="reaction">
          <button
            type="button"
            className="reaction-button"
            aria-label={REACTION_LABEL[kind]}
            title={REACTION_LABEL[kind]}
            data-reaction={kind}
            onClick={() => {
              api.chat.react.mutate({ contentId, kind }).then(
                () => setProblem(null),
                () => setProblem('Slow down a little.'),
              );
            }}
          >
            <span aria-hidden="true">{REACTION_EMOJI[kind]}</span>
          </button>
          {totals[kind] ? (
            <span className="reaction-total" data-testid={`reaction-total-${kind}`} title={`${REACTION_LABEL[kind]}: ${totals[kind]}`}>
              {totals[kind]}
            </span>
          ) : null}
        </span>
      ))}
      {problem ? <span className="muted reaction-problem">{problem}</span> : null}
    </div>
  );
}

interface Bubble {
  id: number;
  kind: ReactionKind;
  left: number;
}

/** The bursts over the picture; decorative (the counts are not read out). */
export function ReactionBursts() {
  const { onReactions } = useRealtime();
  const [bubbles, setBubbles] = useState<Bubble[]>([]);
  const next = useRef(0);
  useEffect(
    () =>
      onReactions((tick) => {
        const added: Bubble[] = [];
        for (const [kind, count] of Object.entries(tick) as [ReactionKind, number][]) {
          for (let i = 0; i < Math.min(count, BURST_MAX); i++) added.push({ id: next.current++, kind, left: 60 + Math.random() * 35 });
        }
        setBubbles((current) => [...current, ...added].slice(-60));
        const ids = new Set(added.map((b) => b.id));
        setTimeout(() => setBubbles((current) => current.filter((b) => !ids.has(b.id))), BURST_MS);
      }),
    [onReactions],
  );
  return (
    <div className="reaction-bursts" aria-hidden="true" data-testid="reaction-bursts" data-bubbles={bubbles.length}>
      {bubbles.map((b) => (
        <span key={b.id} className="reaction-bubble" style={{ left: `${b.left}%`, animationDelay: `${(b.id % 8) * 90}ms` }} data-reaction={b.kind}>
          {REACTION_EMOJI[b.kind]}
        </span>
      ))}
    </div>
  );
}

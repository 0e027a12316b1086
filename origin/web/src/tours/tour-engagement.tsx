// Ratings and comments under a tour (#15), as under a destination (engagement/subject-engagement.tsx).
import { api, type RouterOutputs } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { NO_RATINGS, SubjectComments, SubjectRating } from '../engagement/subject-engagement.tsx';
import { useAsync } from '../ui/use-async.ts';

type Tour = RouterOutputs['tours']['get'];

export function TourRating({ tour }: { tour: Tour }) {
  const { me } = useSession();
  const loaded = useAsync(() => api.tours.rating.query({ id: tour.id }), [tour.id, me?.id]);
  return <SubjectRating subject={{ kind: 'tour', id: tour.id, name: tour.title }} endpoints={api.tours} initial={loaded.data ?? NO_RATINGS} />;
}

export function TourComments({ tour }: { tour: Tour }) {
  const { me } = useSession();
  const moderator = Boolean(me && (me.id === tour.owner.id || me.role === 'admin'));
  return (
    <SubjectComments
      subject={{ kind: 'tour', id: tour.id, name: tour.title }}
      endpoints={api.tours}
      placeholder="What did you think of this tour?"
      moderator={moderator}
    />
  );
}

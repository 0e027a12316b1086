import type { ReactNode } from 'react';
import { Link } from '../router.tsx';
import { EmptyState, Spinner } from '../ui/states.tsx';
import { useSession } from './session.tsx';

/** Shows its children to signed-in users, a sign-in prompt to others. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (me === undefined) return <Spinner />;
  if (me === null) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <EmptyState title="Sign in to see this page">
        <Link to={`/signin?next=${next}`}>Sign in</Link> or <Link to={`/register?next=${next}`}>create an account</Link>.
      </EmptyState>
    );
  }
  return <>{children}</>;
}

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LoginInput, RegisterInput } from '@spherecast/shared';
import { api, setBearerToken, type RouterOutputs } from '../api/client.ts';

export type Me = NonNullable<RouterOutputs['auth']['session']['user']>;

type Session = {
  /** undefined while the first check runs, null when signed out. */
  me: Me | null | undefined;
  signIn: (input: LoginInput) => Promise<void>;
  register: (input: RegisterInput) => Promise<void>;
  signOut: () => Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    let live = true;
    // `auth.session` answers 200 with `user: null` when signed out: a signed-out page load is not an error.
    api.auth.session.query().then(
      ({ user }) => live && setMe(user),
      (error: unknown) => {
        // The server could not be asked; the pages that need a user will say so.
        if (live) setMe(null);
        console.warn('could not check the session', error);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const signIn = useCallback(async (input: LoginInput) => {
    const result = await api.auth.login.mutate(input);
    setBearerToken(result.token);
    setMe(result.user);
  }, []);

  const register = useCallback(async (input: RegisterInput) => {
    const result = await api.auth.register.mutate(input);
    setBearerToken(result.token);
    setMe(result.user);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.auth.logout.mutate({});
    } finally {
      setBearerToken(null);
      setMe(null);
    }
  }, []);

  const value = useMemo(() => ({ me, signIn, register, signOut }), [me, signIn, register, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

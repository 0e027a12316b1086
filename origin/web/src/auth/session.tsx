import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LoginInput, RegisterInput } from '@spherecast/shared';
import { api, errorStatus, setBearerToken, type RouterOutputs } from '../api/client.ts';

export type Me = RouterOutputs['auth']['me'];

type Session = {
  /** undefined while the first check runs, null when signed out. */
  me: Me | null | undefined;
  signIn(input: LoginInput): Promise<void>;
  register(input: RegisterInput): Promise<void>;
  signOut(): Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    let live = true;
    api.auth.me.query().then(
      (user) => live && setMe(user),
      (error: unknown) => {
        // 401 just means signed out; on other failures the pages that need a user will say so.
        if (live) setMe(null);
        if (errorStatus(error) !== 401) console.warn('could not check the session', error);
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

import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { StudioClient, StudioOutputs, StudioTransport } from '../trpc/client.ts';
import { describeError } from '../trpc/client.ts';

export type JobSnapshot = StudioOutputs['jobs']['list'][number];

interface StudioState {
  client: StudioClient;
  transport: StudioTransport;
  /** Every job the engine knows, live (kept current by the `jobs.watch` subscription). */
  jobs: Map<string, JobSnapshot>;
  /** Set while the job subscription is broken; the link reconnects by itself. */
  jobsConnectionError: string | null;
}

const StudioContext = createContext<StudioState | null>(null);

export function StudioProvider({ client, transport, children }: { client: StudioClient; transport: StudioTransport; children: ReactNode }) {
  const [jobs, setJobs] = useState<Map<string, JobSnapshot>>(new Map());
  const [jobsConnectionError, setJobsConnectionError] = useState<string | null>(null);

  useEffect(() => {
    const subscription = client.jobs.watch.subscribe(undefined, {
      onStarted: () => setJobsConnectionError(null),
      onData: (job) => {
        setJobs((previous) => new Map(previous).set(job.id, job));
      },
      onError: (error) => setJobsConnectionError(describeError(error)),
    });
    return () => subscription.unsubscribe();
  }, [client]);

  return <StudioContext.Provider value={{ client, transport, jobs, jobsConnectionError }}>{children}</StudioContext.Provider>;
}

export function useStudio(): StudioState {
  const state = useContext(StudioContext);
  if (!state) throw new Error('useStudio must be used inside <StudioProvider>');
  return state;
}

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes (and on reload()); keeps the last data while reloading. */
export function useAsync<T>(load: () => Promise<T>, key: string): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (cause: unknown) => {
        if (!current) return;
        setError(describeError(cause));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload };
}

/** Wraps an action: `run()` sets busy, catches the error into a sentence, and returns the result or undefined. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const actionRef = useRef(action);
  actionRef.current = action;
  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await actionRef.current(...args);
    } catch (cause) {
      setError(describeError(cause));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clearError: () => setError(null) };
}

// Data fetching for pages: keeps the previous data while a refetch or poll is in flight, so the
// page never flashes empty (no layout jumps).
import { useCallback, useEffect, useRef, useState } from "react";
import { request } from "../graphql/client";

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => Promise<void>;
}

export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, options: { pollMs?: number; skip?: boolean } = {}): QueryState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(!options.skip);
  const varsKey = JSON.stringify(variables);
  const generation = useRef(0);

  const run = useCallback(async () => {
    if (options.skip) return;
    const mine = ++generation.current;
    setLoading(true);
    try {
      const result = await request<T>(query, JSON.parse(varsKey));
      if (mine === generation.current) {
        setData(result);
        setError(undefined);
      }
    } catch (e) {
      if (mine === generation.current) setError(e as Error);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [query, varsKey, options.skip]);

  useEffect(() => {
    void run();
    if (!options.pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void run();
    }, options.pollMs);
    return () => clearInterval(timer);
  }, [run, options.pollMs]);

  return { data, error, loading, refetch: run };
}

/** A mutation runner with its pending state and last error. */
export function useMutation<T>(query: string): {
  mutate: (variables: Record<string, unknown>) => Promise<T | undefined>;
  pending: boolean;
  error: Error | undefined;
} {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error>();
  const mutate = useCallback(
    async (variables: Record<string, unknown>) => {
      setPending(true);
      setError(undefined);
      try {
        return await request<T>(query, variables);
      } catch (e) {
        setError(e as Error);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [query],
  );
  return { mutate, pending, error };
}

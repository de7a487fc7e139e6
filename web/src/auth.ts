/**
 * The API key of this browser tab. It lives in sessionStorage only (gone when the tab closes), travels only
 * in the `Authorization` header (and graphql-ws `connectionParams`), and never in a URL, so it cannot leak
 * through history, bookmarks or a shared link.
 */
import { useSyncExternalStore } from 'react';

const STORAGE_KEY = 'trackql.apiKey';

interface AuthState {
  /** The gateway answered UNAUTHENTICATED: the page asks for a key. */
  needed: boolean;
  /** Bumped whenever the key changes, so every view fetches again with it. */
  version: number;
}

let state: AuthState = { needed: false, version: 0 };
const listeners = new Set<() => void>();

function emit(next: AuthState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function apiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the page still works for an open gateway
  }
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key.trim());
  emit({ needed: false, version: state.version + 1 });
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  emit({ needed: false, version: state.version + 1 });
}

/** Called when the gateway refused the request for want of a (valid) key. */
export function requireApiKey(): void {
  if (!state.needed) emit({ ...state, needed: true });
}

/** The reader closed the prompt without a key: the view shows its error, with a way to open the prompt again. */
export function dismissKeyPrompt(): void {
  if (state.needed) emit({ ...state, needed: false });
}

export function useAuth(): AuthState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** Asks for an API key when the gateway answered UNAUTHENTICATED (a modal <dialog>: focus stays inside). */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { apiKey, dismissKeyPrompt, setApiKey, useAuth } from './auth';

export function KeyDialog() {
  const { needed } = useAuth();
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const node = dialog.current;
    if (!node) return;
    if (needed && !node.open) node.showModal();
    if (!needed && node.open) node.close();
  }, [needed]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    setApiKey(value);
    setValue('');
  };
  const hadKey = apiKey() !== null;
  return (
    <dialog ref={dialog} aria-labelledby="key-title" className="key-dialog" onClose={dismissKeyPrompt}>
      <form onSubmit={submit}>
        <h2 id="key-title">API key needed</h2>
        <p id="key-help">
          {hadKey ? 'The gateway refused the key of this tab.' : 'This gateway asks for an API key.'} The key is kept in this
          tab only (session storage) and sent as an Authorization header, never in a link.
        </p>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" spellCheck={false} aria-describedby="key-help"
          value={value} onChange={(e) => setValue(e.target.value)} required />
        <div className="actions">
          <button type="submit" className="primary">Use this key</button>
        </div>
      </form>
    </dialog>
  );
}

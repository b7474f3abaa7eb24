import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';
import type { CallbackSummary } from '../types.js';
import { SlotPicker } from './SlotPicker.js';

interface Props {
  queues: string[];
  onCreated: (callback: CallbackSummary) => void;
  onClose: () => void;
}

/** Books a callback: immediate, or scheduled into a free slot. */
export function CreateForm({ queues, onCreated, onClose }: Props) {
  const [queue, setQueue] = useState(queues[0] ?? '');
  const [phone, setPhone] = useState('');
  const [kind, setKind] = useState<'immediate' | 'scheduled'>('immediate');
  const [slot, setSlot] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body =
      kind === 'immediate'
        ? { serviceName: queue, phoneNumber: phone }
        : { serviceName: queue, phoneNumber: phone, desiredTime: slot, alwaysCheckCapacity: true };
    const created = await run(() => api<CallbackSummary>('/callbacks', { body }));
    if (created) onCreated(created);
  };

  if (queues.length === 0)
    return <Notice kind="info">Create a queue in the Tools tab first.</Notice>;
  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="Create a callback">
      <h3>Create a callback</h3>
      <label>
        Queue
        <select name="queue" value={queue} onChange={(e) => setQueue(e.target.value)}>
          {queues.map((q) => (
            <option key={q}>{q}</option>
          ))}
        </select>
      </label>
      <label>
        Phone number
        <input
          name="phoneNumber"
          type="tel"
          required
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          placeholder="+1 212 555 0100"
        />
      </label>
      <fieldset className="inline">
        <legend>When</legend>
        <label className="check">
          <input
            type="radio"
            name="kind"
            checked={kind === 'immediate'}
            onChange={() => setKind('immediate')}
          />
          As soon as possible
        </label>
        <label className="check">
          <input
            type="radio"
            name="kind"
            checked={kind === 'scheduled'}
            onChange={() => setKind('scheduled')}
          />
          Scheduled
        </label>
      </fieldset>
      {kind === 'scheduled' && (
        <SlotPicker queue={queue} value={slot} onChange={setSlot} idPrefix="create" />
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={busy || (kind === 'scheduled' && slot === '')}
        >
          Create callback
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import { CALLBACK_STATES, type CallbackState } from '../types.js';
import { RANGE_LABELS, type CallbackFilters, type RangeId } from './filters.js';

interface Props {
  value: CallbackFilters;
  queues: string[];
  timezone: string;
  onApply: (filters: CallbackFilters) => void;
}

/** Time range, states, queue and phone search of the Callback tab; applied on submit. */
export function FilterForm({ value, queues, timezone, onApply }: Props) {
  const [draft, setDraft] = useState(value);
  const set = <K extends keyof CallbackFilters>(key: K, v: CallbackFilters[K]) =>
    setDraft((d) => ({ ...d, [key]: v }));
  const toggleState = (s: CallbackState) =>
    set(
      'states',
      draft.states.includes(s) ? draft.states.filter((x) => x !== s) : [...draft.states, s],
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Callback filters">
      <label>
        Range
        <select value={draft.range} onChange={(e) => set('range', e.target.value as RangeId)}>
          {Object.entries(RANGE_LABELS).map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        By
        <select
          value={draft.timeField}
          onChange={(e) => set('timeField', e.target.value as CallbackFilters['timeField'])}
        >
          <option value="created">Created time</option>
          <option value="desired">Desired time</option>
        </select>
      </label>
      {draft.range === 'custom' && (
        <>
          <label>
            From ({timezone})
            <input
              type="datetime-local"
              value={draft.fromWall}
              required
              onChange={(e) => set('fromWall', e.target.value)}
            />
          </label>
          <label>
            To ({timezone})
            <input
              type="datetime-local"
              value={draft.toWall}
              required
              onChange={(e) => set('toWall', e.target.value)}
            />
          </label>
        </>
      )}
      <label>
        Queue
        <select value={draft.queue} onChange={(e) => set('queue', e.target.value)}>
          <option value="">All queues</option>
          {queues.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </label>
      <label>
        Phone number
        <input
          type="search"
          inputMode="tel"
          placeholder="digits, e.g. 555 0100"
          value={draft.phone}
          onChange={(e) => set('phone', e.target.value)}
        />
      </label>
      <fieldset className="states">
        <legend>States</legend>
        {CALLBACK_STATES.map((s) => (
          <label key={s} className="check">
            <input
              type="checkbox"
              checked={draft.states.includes(s)}
              onChange={() => toggleState(s)}
            />
            {s}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Search
      </button>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import { DateTimeInput } from '../components/TimeInput.js';
import { CALLBACK_STATES, type CallbackState } from '../types.js';
import { FORWARD, RANGE_LABELS, type CallbackFilters, type RangeId } from './filters.js';

interface Props {
  value: CallbackFilters;
  queues: string[];
  onApply: (filters: CallbackFilters) => void;
}

/** Time range, states, queue and phone search of the Callback tab; applied on submit. */
export function FilterForm({ value, queues, onApply }: Props) {
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
        <select
          value={draft.range}
          onChange={(e) => {
            const range = e.target.value as RangeId;
            // What lies ahead is only found by the time it is wanted for.
            setDraft((d) => ({
              ...d,
              range,
              timeField: FORWARD.has(range) ? 'desired' : d.timeField,
            }));
          }}
        >
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
          <DateTimeInput
            label="From"
            value={draft.fromWall}
            required
            onChange={(v) => set('fromWall', v)}
          />
          <DateTimeInput
            label="To"
            value={draft.toWall}
            required
            onChange={(v) => set('toWall', v)}
          />
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
            {s.charAt(0) + s.slice(1).toLowerCase()}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Search
      </button>
    </form>
  );
}

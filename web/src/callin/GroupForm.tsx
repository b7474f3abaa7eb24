import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';

export interface CallInGroup {
  name: string;
  numbers: string[];
  accessCodeEnabled: boolean;
  accessCodeLength: number;
  expirySeconds: number;
  source?: string;
}

/** Creates or edits a call-in group: its numbers, access code and expiry. */
export function GroupForm({
  group,
  onDone,
}: {
  group: CallInGroup | undefined;
  onDone: () => void;
}) {
  const [name, setName] = useState(group?.name ?? '');
  const [numbers, setNumbers] = useState(group?.numbers.join('\n') ?? '');
  const [codeOn, setCodeOn] = useState(group?.accessCodeEnabled ?? false);
  const [codeLength, setCodeLength] = useState(group?.accessCodeLength ?? 4);
  const [expiry, setExpiry] = useState(group?.expirySeconds ?? 300);
  const action = useAction();
  const path = `/call-in/groups/${encodeURIComponent(name)}`;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name,
      numbers: numbers.split(/[\s,]+/).filter((n) => n !== ''),
      accessCodeEnabled: codeOn,
      accessCodeLength: codeLength,
      expirySeconds: expiry,
    };
    if (await action.run(() => api(path, { method: 'PUT', body }))) onDone();
  };
  const remove = async () => {
    if (await action.run(() => api(path, { method: 'DELETE' }))) onDone();
  };
  return (
    <form className="form inset" onSubmit={(e) => void save(e)} aria-label="Call-in group">
      <h3>{group ? `Group ${group.name}` : 'New group'}</h3>
      <label>
        Name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          disabled={group !== undefined}
        />
      </label>
      <label>
        Numbers (E.164, one per line)
        <textarea
          rows={3}
          value={numbers}
          onChange={(e) => setNumbers(e.target.value)}
          required
          className="mono"
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={codeOn} onChange={(e) => setCodeOn(e.target.checked)} />
        Access code
      </label>
      {codeOn && (
        <label>
          Code length (digits)
          <input
            type="number"
            min={1}
            max={8}
            value={codeLength}
            onChange={(e) => setCodeLength(Number(e.target.value))}
          />
        </label>
      )}
      <label>
        Expiry (seconds)
        <input
          type="number"
          min={30}
          max={86400}
          value={expiry}
          onChange={(e) => setExpiry(Number(e.target.value))}
        />
      </label>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          Save group
        </button>
        {group && (
          <Confirm
            label="Delete"
            question={`Delete group ${group.name}? Its numbers stop taking call-in requests.`}
            confirmLabel={`Yes, delete ${group.name}`}
            danger
            onConfirm={() => void remove()}
          />
        )}
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}

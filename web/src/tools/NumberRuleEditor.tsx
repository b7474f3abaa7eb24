import { useState } from 'react';
import { api } from '../api.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';
import type { NumberRule } from '../types.js';

interface Props {
  queue: string;
  value: NumberRule;
  onChange: (v: NumberRule) => void;
}

interface TestResult {
  valid: boolean;
  e164?: string;
  reason?: string;
}

const splitList = (text: string, by: RegExp) =>
  text
    .split(by)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Which numbers the queue accepts, with a box to test a number against the rule being edited. */
export function NumberRuleEditor({ queue, value, onChange }: Props) {
  const [countries, setCountries] = useState(value.permittedCountries.join(', '));
  const [blocked, setBlocked] = useState(value.blocked.join('\n'));
  const [number, setNumber] = useState('');
  const [result, setResult] = useState<TestResult | undefined>();
  const test = useAction();

  const runTest = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    setResult(undefined);
    const r = await test.run(() =>
      api<TestResult>(`/queues/${encodeURIComponent(queue)}/test-number`, {
        body: { phoneNumber: number, numberRule: value },
      }),
    );
    if (r) setResult(r);
  };

  return (
    <fieldset>
      <legend>Number rule</legend>
      <label>
        Default country (for numbers without +)
        <input
          value={value.defaultCountry}
          maxLength={2}
          onChange={(e) => onChange({ ...value, defaultCountry: e.target.value.toUpperCase() })}
        />
      </label>
      <label>
        Permitted countries <span className="muted small">(comma-separated, empty = all)</span>
        <input
          value={countries}
          placeholder="US, CA"
          onChange={(e) => {
            setCountries(e.target.value);
            onChange({
              ...value,
              permittedCountries: splitList(e.target.value.toUpperCase(), /[\s,]+/),
            });
          }}
        />
      </label>
      <label>
        Blocked patterns{' '}
        <span className="muted small">(regular expressions on the E.164 form, one per line)</span>
        <textarea
          rows={2}
          className="mono"
          value={blocked}
          onChange={(e) => {
            setBlocked(e.target.value);
            onChange({ ...value, blocked: splitList(e.target.value, /\n/) });
          }}
        />
      </label>
      <div className="test-number" role="group" aria-label="Test a number">
        <label>
          Test a number
          <input
            type="tel"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            placeholder="+1 212 555 0100"
          />
        </label>
        <button
          type="button"
          onClick={(e) => void runTest(e)}
          disabled={number.trim() === '' || test.busy}
        >
          Test
        </button>
      </div>
      {test.error && <Notice kind="error">{test.error}</Notice>}
      {result && (
        <Notice kind={result.valid ? 'ok' : 'error'}>
          {result.valid ? `Accepted as ${result.e164 ?? ''}` : `Refused: ${result.reason ?? ''}`}
        </Notice>
      )}
    </fieldset>
  );
}

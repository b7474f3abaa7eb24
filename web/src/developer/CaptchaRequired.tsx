import { useRef, useState } from 'react';
import { api, ApiError, messageOf } from '../api.js';
import { LoadError, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';

type Check =
  { step: 'testing' } | { step: 'failed'; message: string } | { step: 'ready'; message: string };

/**
 * Whether bookings of this tenant must carry a solved CAPTCHA. Turning it on affects every web
 * page and app of the tenant at once, so it is guarded: the CAPTCHA credential is tested first,
 * the confirmation says what changes, and focus rests on the choice that changes nothing.
 */
export function CaptchaRequired() {
  const setting = useLoad(
    () => api<{ captchaRequired: boolean }>('/captcha-settings'),
    'captcha-settings',
  );
  const action = useAction();
  const [asking, setAsking] = useState<'on' | 'off' | undefined>();
  const [check, setCheck] = useState<Check | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const opener = useRef<HTMLButtonElement>(null);

  const close = () => {
    setAsking(undefined);
    setCheck(undefined);
    opener.current?.focus();
  };
  const askOn = async () => {
    setDone(undefined);
    setAsking('on');
    setCheck({ step: 'testing' });
    try {
      const result = await api<{ ok: boolean; message: string }>('/credentials/captcha/test', {
        body: {},
      });
      setCheck(
        result.ok
          ? { step: 'ready', message: result.message }
          : { step: 'failed', message: result.message },
      );
    } catch (e) {
      const missing = e instanceof ApiError && e.http === 404;
      setCheck({
        step: 'failed',
        message: missing
          ? 'No CAPTCHA credential is registered. Register one above and test it first.'
          : messageOf(e),
      });
    }
  };
  const apply = async (captchaRequired: boolean) => {
    const saved = await action.run(() =>
      api('/captcha-settings', { method: 'PUT', body: { captchaRequired } }),
    );
    setAsking(undefined);
    setCheck(undefined);
    if (saved) {
      setDone(
        captchaRequired
          ? 'CAPTCHA is now required: bookings without a solved captchaToken are refused.'
          : 'CAPTCHA is no longer required: bookings are accepted without a token.',
      );
      setting.reload();
    }
  };

  if (setting.error !== undefined)
    return <LoadError error={setting.error} feature="The CAPTCHA requirement" />;
  const required = setting.data?.captchaRequired;
  return (
    <div className="card captcha-required" aria-labelledby="captcha-required-title">
      <h3 id="captcha-required-title">CAPTCHA for bookings</h3>
      <p data-testid="captcha-state">
        {required === undefined
          ? 'Loading…'
          : required
            ? 'Required: every booking through the Engagement API must carry a solved captchaToken.'
            : 'Not required: bookings are accepted without a CAPTCHA token.'}
      </p>
      {asking === undefined && required !== undefined && (
        <button
          type="button"
          ref={opener}
          className={required ? '' : 'danger'}
          disabled={action.busy}
          onClick={() => (required ? setAsking('off') : void askOn())}
        >
          {required ? 'Stop requiring CAPTCHA…' : 'Require CAPTCHA for every booking…'}
        </button>
      )}
      {asking === 'on' && check?.step === 'testing' && (
        <p className="muted" role="status">
          <span className="jobs-spinner" aria-hidden="true" /> Testing the CAPTCHA credential…
        </p>
      )}
      {asking === 'on' && check?.step === 'failed' && (
        <div className="confirm-box" role="alertdialog" aria-label="CAPTCHA cannot be required">
          <Notice kind="error">
            CAPTCHA cannot be required while its credential's test fails: {check.message}
          </Notice>
          <button type="button" autoFocus onClick={close}>
            Close
          </button>
        </div>
      )}
      {asking === 'on' && check?.step === 'ready' && (
        <div className="confirm-box" role="alertdialog" aria-label="Require CAPTCHA?">
          <Notice kind="ok">Credential test passed: {check.message}</Notice>
          <p>
            <strong>Every booking without a solved captchaToken will be refused</strong> (code
            40005), from every web page, app and IVR of this tenant, as soon as you confirm. Make
            sure they send a token first.
          </p>
          <div className="confirm-actions">
            <button type="button" autoFocus onClick={close}>
              Keep bookings as they are
            </button>
            <button
              type="button"
              className="danger"
              disabled={action.busy}
              onClick={() => void apply(true)}
            >
              Yes, require CAPTCHA
            </button>
          </div>
        </div>
      )}
      {asking === 'off' && (
        <div className="confirm-box" role="alertdialog" aria-label="Stop requiring CAPTCHA?">
          <p>Bookings will be accepted without a CAPTCHA token, from any page or app.</p>
          <div className="confirm-actions">
            <button type="button" autoFocus onClick={close}>
              Keep requiring CAPTCHA
            </button>
            <button type="button" disabled={action.busy} onClick={() => void apply(false)}>
              Yes, stop requiring it
            </button>
          </div>
        </div>
      )}
      {done && <Notice kind="ok">{done}</Notice>}
      {action.error && <Notice kind="error">{action.error}</Notice>}
    </div>
  );
}

import { api } from '../api.js';
import { LoadError, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';

/** Whether bookings of this tenant must carry a solved CAPTCHA. */
export function CaptchaRequired() {
  const setting = useLoad(
    () => api<{ captchaRequired: boolean }>('/captcha-settings'),
    'captcha-settings',
  );
  const action = useAction();
  const toggle = async (captchaRequired: boolean) => {
    if (
      await action.run(() => api('/captcha-settings', { method: 'PUT', body: { captchaRequired } }))
    )
      setting.reload();
  };
  if (setting.error !== undefined)
    return <LoadError error={setting.error} feature="The CAPTCHA requirement" />;
  return (
    <div className="card">
      <label className="check">
        <input
          type="checkbox"
          checked={setting.data?.captchaRequired ?? false}
          disabled={setting.data === undefined || action.busy}
          onChange={(e) => void toggle(e.target.checked)}
        />
        Require a solved CAPTCHA for every booking through the Engagement API
      </label>
      {action.error && <Notice kind="error">{action.error}</Notice>}
    </div>
  );
}

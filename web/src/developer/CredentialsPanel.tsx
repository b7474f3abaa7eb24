import { useState } from 'react';
import { api } from '../api.js';
import { LoadError } from '../components/Notice.js';
import { TabBar } from '../components/TabBar.js';
import { useLoad } from '../hooks.js';
import {
  APNS,
  CAPTCHA,
  FCM,
  STATISTICS,
  type CredentialKind,
  type CredentialView,
} from './credentialKinds.js';
import { CaptchaRequired } from './CaptchaRequired.js';
import { CredentialForm } from './CredentialForm.js';

type Feature = 'statistics' | 'push' | 'captcha';
const FEATURES: Feature[] = ['statistics', 'push', 'captcha'];
const LABELS: Record<Feature, string> = {
  statistics: 'Statistics',
  push: 'Push Notification',
  captcha: 'CAPTCHA',
};
const KINDS: Record<Feature, CredentialKind[]> = {
  statistics: [STATISTICS],
  push: [FCM, APNS],
  captcha: [CAPTCHA],
};

/** Integration credentials per feature: register, update, remove, test. */
export function CredentialsPanel() {
  const [feature, setFeature] = useState<Feature>('statistics');
  const list = useLoad(() => api<{ items: CredentialView[] }>('/credentials'), 'credentials');
  const stored = (k: CredentialKind) => list.data?.items.find((c) => c.feature === k.feature);
  return (
    <section>
      <h2>Credential Management</h2>
      <TabBar
        label="Credential features"
        tabs={FEATURES}
        labels={LABELS}
        current={feature}
        onSelect={setFeature}
        idPrefix="cred"
      />
      <div
        id="cred-panel"
        role="tabpanel"
        aria-labelledby={`cred-tab-${feature}`}
        className="subpanel cards"
      >
        {list.error !== undefined && (
          <LoadError error={list.error} feature="Credential management" />
        )}
        {list.data &&
          KINDS[feature].map((k) => (
            <CredentialForm
              key={`${k.feature}:${stored(k)?.updatedAt ?? 'new'}`}
              kind={k}
              stored={stored(k)}
              onChanged={list.reload}
            />
          ))}
        {list.data && feature === 'captcha' && <CaptchaRequired />}
      </div>
    </section>
  );
}

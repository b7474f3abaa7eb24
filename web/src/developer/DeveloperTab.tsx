import { useState } from 'react';
import { TabBar } from '../components/TabBar.js';
import { CorsPanel } from './CorsPanel.js';
import { CredentialsPanel } from './CredentialsPanel.js';
import { ErrorsPanel } from './ErrorsPanel.js';
import { KeyValidation } from './KeyValidation.js';

type Section = 'errors' | 'keys' | 'credentials' | 'cors';
const SECTIONS: Section[] = ['errors', 'keys', 'credentials', 'cors'];
const LABELS: Record<Section, string> = {
  errors: 'Errors',
  keys: 'API Key Validation',
  credentials: 'Credential Management',
  cors: 'Allowed CORS Domains',
};

/** Tools for a tenant's developers: API errors, key check, integration credentials, CORS. */
export function DeveloperTab() {
  const [section, setSection] = useState<Section>('errors');
  return (
    <div>
      <TabBar
        label="Developer sections"
        tabs={SECTIONS}
        labels={LABELS}
        current={section}
        onSelect={setSection}
        idPrefix="dev"
      />
      <div
        id="dev-panel"
        role="tabpanel"
        aria-labelledby={`dev-tab-${section}`}
        className="subpanel"
      >
        {section === 'errors' && <ErrorsPanel />}
        {section === 'keys' && <KeyValidation />}
        {section === 'credentials' && <CredentialsPanel />}
        {section === 'cors' && <CorsPanel />}
      </div>
    </div>
  );
}

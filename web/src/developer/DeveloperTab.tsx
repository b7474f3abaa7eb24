import { TabBar } from '../components/TabBar.js';
import { navigate, useRoute, useTitle } from '../route.js';
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
  const route = useRoute();
  const asked = route.segments[1] as Section | undefined;
  const section: Section = asked !== undefined && SECTIONS.includes(asked) ? asked : 'errors';
  useTitle(LABELS[section], 'Developer');
  return (
    <div>
      <TabBar
        label="Developer sections"
        tabs={SECTIONS}
        labels={LABELS}
        current={section}
        onSelect={(s) => navigate(['developer', s])}
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

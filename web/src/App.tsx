import { useCallback, useEffect, useState } from 'react';
import { api, whenSessionEnds } from './api.js';
import { useDiscardGuard } from './components/DiscardPrompt.js';
import { Login } from './components/Login.js';
import { TabBar } from './components/TabBar.js';
import { useLoad } from './hooks.js';
import { useIdleTimeout } from './idle.js';
import { TAB_LABELS, tabsFor, type TabId } from './roles.js';
import { navigate, useRoute } from './route.js';
import type { QueueSettings, Session } from './types.js';
import {
  ZoneProvider,
  saveZoneChoice,
  savedZoneChoice,
  zoneOptions,
  type ZoneChoice,
} from './zone.js';
import { CallbackTab } from './callback/CallbackTab.js';
import { DeveloperTab } from './developer/DeveloperTab.js';
import { CallInTab } from './callin/CallInTab.js';
import { ToolsTab } from './tools/ToolsTab.js';

const ENDED =
  'Your session has ended (no activity for a while, or you signed out elsewhere). Please sign in again.';

/** The console: login, then the tabs of the user's role. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>();

  useEffect(() => {
    api<Session>('/session', { quietSessionEnd: true }).then(setSession, () => setSession(null));
  }, []);

  const end = useCallback((why: string | undefined) => {
    setSession(null);
    setNotice(why);
  }, []);
  useEffect(() => whenSessionEnds(() => end(ENDED)), [end]);

  const logout = useCallback(
    async (why?: string) => {
      await api('/logout', { method: 'POST', body: {}, quietSessionEnd: true }).catch(
        () => undefined,
      );
      end(why);
    },
    [end],
  );

  useIdleTimeout(session?.idleTimeoutSeconds, () => {
    const minutes = Math.round((session?.idleTimeoutSeconds ?? 0) / 60);
    void logout(
      `You were signed out after ${minutes} minutes without activity. Please sign in again.`,
    );
  });

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) {
    return (
      <Login
        notice={notice}
        onLogin={(s) => {
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }
  return <Shell session={session} onLogout={() => void logout()} />;
}

/** The signed-in console: header with tabs and the display zone, and the current tab. */
function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const route = useRoute();
  const tabs = tabsFor(session.role);
  const asked = route.segments[0] as TabId | undefined;
  const current: TabId = asked !== undefined && tabs.includes(asked) ? asked : 'callback';
  const { guard, prompt } = useDiscardGuard();

  const queues = useLoad(() => api<{ items: QueueSettings[] }>('/queues'), 'zone-queues');
  const [choice, setChoice] = useState<ZoneChoice>(savedZoneChoice);
  const options = zoneOptions(session.timezone, queues.data?.items ?? []);
  const option = options.find((o) => o.choice === choice) ?? options[0];
  const zone = option?.zone ?? session.timezone;

  return (
    <ZoneProvider zone={zone}>
      <div className="shell">
        <header className="topbar">
          <span className="brand">OpenCallback</span>
          <nav aria-label="Console">
            <TabBar
              label="Console sections"
              tabs={tabs}
              labels={TAB_LABELS}
              current={current}
              onSelect={(tab) => guard(() => navigate([tab]))}
              idPrefix="main"
            />
          </nav>
          <label className="zone-switch">
            Times in
            <select
              data-testid="zone"
              value={option?.choice ?? 'tenant'}
              onChange={(e) => {
                const next = e.target.value as ZoneChoice;
                setChoice(next);
                saveZoneChoice(next);
              }}
            >
              {options.map((o) => (
                <option key={o.choice} value={o.choice}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <span className="who" data-testid="who">
            {session.username} · {session.role} · {session.tenant}
          </span>
          <button type="button" onClick={onLogout}>
            Sign out
          </button>
        </header>
        {prompt && <div className="guardbar">{prompt}</div>}
        {/* The main landmark holds the tab panel (a main with a tabpanel role is no landmark). */}
        <main className="panel">
          <div id="main-panel" role="tabpanel" aria-labelledby={`main-tab-${current}`}>
            <h1 className="visually-hidden">{TAB_LABELS[current]}</h1>
            {current === 'callback' && <CallbackTab role={session.role} />}
            {current === 'developer' && <DeveloperTab />}
            {current === 'callin' && <CallInTab />}
            {current === 'tools' && <ToolsTab role={session.role} />}
          </div>
        </main>
      </div>
    </ZoneProvider>
  );
}

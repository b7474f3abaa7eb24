import { useCallback, useEffect, useState } from 'react';
import { api, whenSessionEnds } from './api.js';
import { Login } from './components/Login.js';
import { TabBar } from './components/TabBar.js';
import { useIdleTimeout } from './idle.js';
import { TAB_LABELS, tabsFor, type TabId } from './roles.js';
import type { Session } from './types.js';
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
  const [tab, setTab] = useState<TabId>('callback');

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
          setTab('callback');
        }}
      />
    );
  }

  const tabs = tabsFor(session.role);
  const current = tabs.includes(tab) ? tab : 'callback';
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">OpenCallback</span>
        <TabBar
          label="Console sections"
          tabs={tabs}
          labels={TAB_LABELS}
          current={current}
          onSelect={setTab}
          idPrefix="main"
        />
        <span className="who" data-testid="who">
          {session.username} · {session.role} · {session.tenant}
        </span>
        <button type="button" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      <main
        id="main-panel"
        role="tabpanel"
        aria-labelledby={`main-tab-${current}`}
        className="panel"
      >
        {current === 'callback' && <CallbackTab role={session.role} />}
        {current === 'developer' && <DeveloperTab />}
        {current === 'callin' && <CallInTab />}
        {current === 'tools' && <ToolsTab role={session.role} />}
      </main>
    </div>
  );
}

import type { Role } from './types.js';

export type TabId = 'callback' | 'developer' | 'callin' | 'tools';

export const TAB_LABELS: Record<TabId, string> = {
  callback: 'Callback',
  developer: 'Developer',
  callin: 'Call-In',
  tools: 'Tools',
};

// SPEC "The web console": the server enforces the same rules on every route.
const TABS: Record<Role, TabId[]> = {
  Administrator: ['callback', 'developer', 'callin', 'tools'],
  Supervisor: ['callback', 'tools'],
  Developer: ['callback', 'developer', 'tools'],
  Monitor: ['callback'],
};

/** The tabs a role sees, in order. */
export const tabsFor = (role: Role): TabId[] => TABS[role];

/** Whether a role may create, reschedule, cancel and export callbacks. */
export const canWriteCallbacks = (role: Role): boolean =>
  role === 'Administrator' || role === 'Supervisor';

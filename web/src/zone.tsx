import { createContext, useContext, type ReactNode } from 'react';

// One display zone for every time the console shows, chosen in the header: the tenant's zone by
// default, a queue's zone or the browser's on a switch.

export const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** What the user chose: the tenant's zone, one queue's zone, or the browser's. */
export type ZoneChoice = 'tenant' | 'browser' | `queue:${string}`;

export interface ZoneOption {
  choice: ZoneChoice;
  label: string;
  zone: string;
}

/** The choices offered: tenant, each queue (one entry per queue), browser. */
export function zoneOptions(
  tenantZone: string,
  queues: { name: string; timezone: string }[],
): ZoneOption[] {
  return [
    { choice: 'tenant', label: `Tenant (${tenantZone})`, zone: tenantZone },
    ...queues.map((q) => ({
      choice: `queue:${q.name}` as const,
      label: `Queue ${q.name} (${q.timezone})`,
      zone: q.timezone,
    })),
    { choice: 'browser', label: `This browser (${BROWSER_ZONE})`, zone: BROWSER_ZONE },
  ];
}

const ZoneContext = createContext<string>('UTC');

/** Provides the display zone to every time below it. */
export function ZoneProvider({ zone, children }: { zone: string; children: ReactNode }) {
  return <ZoneContext.Provider value={zone}>{children}</ZoneContext.Provider>;
}

/** The IANA zone every time on screen is shown in. */
export function useZone(): string {
  return useContext(ZoneContext);
}

const KEY = 'oc.zone';

/** The saved choice of this browser (the tenant's zone when none). */
export function savedZoneChoice(): ZoneChoice {
  const v = localStorage.getItem(KEY);
  if (v === 'browser' || v === 'tenant' || (v?.startsWith('queue:') ?? false))
    return v as ZoneChoice;
  return 'tenant';
}

export function saveZoneChoice(choice: ZoneChoice): void {
  localStorage.setItem(KEY, choice);
}

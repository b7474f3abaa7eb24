import type { KeyboardEvent } from 'react';

interface Props<T extends string> {
  label: string;
  tabs: readonly T[];
  labels: Record<T, string>;
  current: T;
  onSelect: (tab: T) => void;
  /** Prefix for element ids, so tab and panel can point at each other. */
  idPrefix: string;
}

/** An accessible tab list: arrow keys move between tabs, Enter/Space or click selects. */
export function TabBar<T extends string>({
  label,
  tabs,
  labels,
  current,
  onSelect,
  idPrefix,
}: Props<T>) {
  const onKey = (e: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length];
    if (next !== undefined) {
      onSelect(next);
      document.getElementById(`${idPrefix}-tab-${next}`)?.focus();
    }
  };
  return (
    <div className="tabbar" role="tablist" aria-label={label}>
      {tabs.map((tab, i) => (
        <button
          key={tab}
          id={`${idPrefix}-tab-${tab}`}
          type="button"
          role="tab"
          aria-selected={tab === current}
          aria-controls={`${idPrefix}-panel`}
          tabIndex={tab === current ? 0 : -1}
          className={tab === current ? 'tab active' : 'tab'}
          onClick={() => onSelect(tab)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {labels[tab]}
        </button>
      ))}
    </div>
  );
}

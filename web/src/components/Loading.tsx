/** A placeholder while something loads, so an empty panel never reads as "no data". */
export function Loading({ what, lines = 3 }: { what: string; lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" data-testid="loading">
      <span className="visually-hidden">Loading {what}…</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" aria-hidden="true" />
      ))}
    </div>
  );
}

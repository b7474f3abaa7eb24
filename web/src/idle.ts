import { useEffect, useRef } from 'react';

const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
const CHECK_EVERY_MS = 15_000;

/**
 * Signs the user out after `seconds` without keyboard or pointer activity. The server ends the
 * session too, but background refreshes (the live panel) would otherwise keep it alive forever.
 */
export function useIdleTimeout(seconds: number | undefined, onIdle: () => void): void {
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;
  useEffect(() => {
    if (seconds === undefined) return;
    let last = Date.now();
    const touch = () => {
      last = Date.now();
    };
    for (const event of ACTIVITY) window.addEventListener(event, touch, { passive: true });
    const timer = window.setInterval(() => {
      if (Date.now() - last >= seconds * 1000) onIdleRef.current();
    }, CHECK_EVERY_MS);
    return () => {
      for (const event of ACTIVITY) window.removeEventListener(event, touch);
      window.clearInterval(timer);
    };
  }, [seconds]);
}

/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  type Api,
  type Availability,
  type CaptchaConfig,
  type QueueStatus,
} from './api.js';
import { loadCaptcha, renderOptions, type CaptchaApi } from './captcha.js';
import { errorText, type Language, type Messages } from './i18n/index.js';
import { checkPhone, countryOptions, type CountryCode } from './phone.js';

export interface BookingProps {
  api: Api;
  service: string;
  lang: Language;
  m: Messages;
  country: CountryCode;
  captchaHost: HTMLElement;
  captchaScript: string | null;
  /** A callback id from a cancel link, to show and cancel instead of the form. */
  manageId: string | undefined;
  /** The cancel link of a callback. */
  linkFor: (id: string) => string;
}

interface Loaded {
  status: QueueStatus;
  availability: Availability | undefined;
  captcha: CaptchaConfig;
}

interface Booked {
  id: string;
  phone: string;
  desiredTime: string | undefined;
}

type Phase =
  | { kind: 'loading' }
  | { kind: 'form'; data: Loaded }
  | { kind: 'done'; booked: Booked }
  | { kind: 'manage'; id: string; state: string; desiredTime: string; phone: string }
  | { kind: 'cancelled' }
  | { kind: 'broken' };

const visitorZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const zoneName = (zone: string) => zone.replace(/_/g, ' ');

function describeError(m: Messages, err: unknown): string {
  if (err instanceof ApiError) {
    const text = errorText(m, err.code);
    // The reference on a line of its own: what a visitor quotes to support.
    return err.corrId ? `${text}\n${m.reference(err.corrId)}` : text;
  }
  return m.errors.other;
}

function formatWhen(iso: string, lang: string, zone: string): string {
  return new Date(iso).toLocaleString(lang, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone,
    timeZoneName: 'short',
  });
}

/** The booking flow: wait and offers, time, phone, CAPTCHA, confirmation, cancel. */
export function Booking(props: BookingProps) {
  const { api, service, lang, m } = props;
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [error, setError] = useState('');

  const load = async () => {
    setError('');
    try {
      const [status, captcha] = await Promise.all([api.queueStatus(service), api.captchaConfig()]);
      // Full slots are asked for too (reportBusy) so the visitor sees them as taken.
      const availability = status.offerScheduledCallback
        ? await api.availability(service, 7)
        : undefined;
      setPhase({ kind: 'form', data: { status, availability, captcha } });
    } catch (err) {
      setPhase({ kind: 'broken' });
      setError(describeError(m, err));
    }
  };

  useEffect(() => {
    if (props.manageId === undefined) {
      void load();
      return;
    }
    const id = props.manageId;
    api.retrieve(id).then(
      (view) =>
        setPhase({
          kind: 'manage',
          id,
          state: view.callbackState,
          desiredTime: view.desiredTime,
          phone: view.phoneNumber,
        }),
      (err: unknown) => {
        setPhase({ kind: 'broken' });
        setError(describeError(m, err));
      },
    );
    // The element re-mounts this component whenever its attributes change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const cancel = async (id: string) => {
    setError('');
    try {
      await api.cancel(id);
      setPhase({ kind: 'cancelled' });
    } catch (err) {
      setError(describeError(m, err));
    }
  };

  let body: ComponentChildren;
  switch (phase.kind) {
    case 'loading':
      body = <p>{m.loading}</p>;
      break;
    case 'broken':
      body = null;
      break;
    case 'form':
      body = (
        <BookingForm
          {...props}
          data={phase.data}
          setError={setError}
          onBooked={(booked) => setPhase({ kind: 'done', booked })}
          reload={load}
        />
      );
      break;
    case 'done':
      body = (
        <Confirmation
          {...props}
          booked={phase.booked}
          onCancel={() => cancel(phase.booked.id)}
          onAnother={() => {
            setPhase({ kind: 'loading' });
            void load();
          }}
        />
      );
      break;
    case 'manage':
      body = (
        <section aria-labelledby="oc-manage">
          <h3 id="oc-manage">{m.manageTitle}</h3>
          <p>{m.state(phase.state)}</p>
          <p>{m.doneAt(phase.phone, formatWhen(phase.desiredTime, lang, visitorZone()))}</p>
          {phase.state !== 'COMPLETED' && (
            <button type="button" class="secondary" onClick={() => void cancel(phase.id)}>
              {m.cancel}
            </button>
          )}
        </section>
      );
      break;
    case 'cancelled':
      body = <Focused text={m.cancelled} />;
      break;
  }

  return (
    <div class="box" lang={lang}>
      <h2>{m.title}</h2>
      {body}
      <div role="alert" aria-atomic="true" class="error">
        {error}
      </div>
    </div>
  );
}

/** A message that takes the focus when it appears, so keyboard and reader users land on it. */
function Focused({ text }: { text: string }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <p tabIndex={-1} ref={ref}>
      {text}
    </p>
  );
}

interface FormProps extends BookingProps {
  data: Loaded;
  setError: (text: string) => void;
  onBooked: (booked: Booked) => void;
  reload: () => Promise<void>;
}

function waitText(m: Messages, ewt: number): string {
  if (ewt < 0) return m.waitUnknown;
  if (ewt < 60) return m.waitShort;
  return m.waitMinutes(Math.round(ewt / 60));
}

function BookingForm(props: FormProps) {
  const { api, service, lang, m, data, setError } = props;
  const { status, availability, captcha } = data;
  const zone = visitorZone();
  const canNow = status.offerImmediateCallback;
  const canLater = status.offerScheduledCallback && availability !== undefined;
  const [mode, setMode] = useState<'now' | 'later'>(canNow ? 'now' : 'later');
  const [slot, setSlot] = useState<string | undefined>(undefined);
  const [country, setCountry] = useState<CountryCode>(props.country);
  const [raw, setRaw] = useState('');
  const [touched, setTouched] = useState(false);
  const [token, setToken] = useState<string | undefined>(undefined);
  const [sending, setSending] = useState(false);
  const phoneRef = useRef<HTMLInputElement>(null);
  const captchaRef = useRef<{ api: CaptchaApi; id: string | number } | undefined>(undefined);

  const countries = useMemo(() => countryOptions(lang), [lang]);
  const check = checkPhone(raw, country);
  const digits = raw.replace(/\D/g, '').length;
  const showInvalid = check.e164 === undefined && (touched || digits >= 8);

  // Days (in the visitor's zone) that have slots, and the slots of the chosen day.
  const days = useMemo(() => {
    const byDay = new Map<string, { label: string; slots: Availability['slots'] }>();
    for (const s of availability?.slots ?? []) {
      const d = new Date(s.utcTime);
      const key = d.toLocaleDateString('en-CA', { timeZone: zone });
      const day = byDay.get(key) ?? {
        label: d.toLocaleDateString(lang, {
          weekday: 'long',
          day: 'numeric',
          month: 'long',
          timeZone: zone,
        }),
        slots: [],
      };
      day.slots.push(s);
      byDay.set(key, day);
    }
    return [...byDay.entries()];
  }, [availability, lang, zone]);
  const [day, setDay] = useState(days[0]?.[0] ?? '');
  const daySlots = days.find(([key]) => key === day)?.[1].slots ?? [];

  useEffect(() => {
    const { provider, siteKey } = captcha;
    if (!captcha.required || provider === undefined || siteKey === undefined) return;
    loadCaptcha(provider, props.captchaScript).then(
      (captchaApi) => {
        if (captchaRef.current !== undefined) return;
        // A fresh element each time: providers refuse to render twice into the same one.
        const el = document.createElement('div');
        props.captchaHost.replaceChildren(el);
        const id = captchaApi.render(el, renderOptions(provider, siteKey, lang, setToken));
        captchaRef.current = { api: captchaApi, id };
      },
      () => setError(m.errors.network),
    );
    // Rendered once per form: the provider owns the light-DOM container from then on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const resetCaptcha = () => {
    setToken(undefined);
    captchaRef.current?.api.reset(captchaRef.current.id);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    if (check.e164 === undefined) {
      setTouched(true);
      phoneRef.current?.focus();
      return;
    }
    if (mode === 'later' && slot === undefined) return setError(m.pickSlot);
    if (captcha.required && token === undefined) return setError(m.captchaMissing);
    setSending(true);
    try {
      const desiredTime = mode === 'later' ? slot : undefined;
      const { id } = await api.create({
        serviceName: service,
        phoneNumber: check.e164,
        language: lang,
        ...(desiredTime === undefined ? {} : { desiredTime, alwaysCheckCapacity: true }),
        ...(token === undefined ? {} : { captchaToken: token }),
      });
      props.onBooked({ id, phone: check.display ?? check.e164, desiredTime });
    } catch (err) {
      // A CAPTCHA token verifies once; the next attempt needs a fresh one.
      resetCaptcha();
      if (err instanceof ApiError && err.code === 42901) {
        // Someone else took the slot: show the slots as they are now.
        setSlot(undefined);
        await props.reload();
      }
      setError(describeError(m, err));
      if (err instanceof ApiError && (err.code === 40003 || err.code === 40004)) {
        phoneRef.current?.focus();
      }
    } finally {
      setSending(false);
    }
  };

  if (!canNow && !canLater) return <p>{m.noOffer}</p>;

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={m.title}>
      <p aria-live="polite" class="muted">
        {waitText(m, status.ewt)}
      </p>
      <fieldset>
        <legend>{m.when}</legend>
        <div class="choice">
          {canNow && (
            <label>
              <input
                type="radio"
                name="oc-mode"
                checked={mode === 'now'}
                onChange={() => setMode('now')}
              />
              {m.callNow}
            </label>
          )}
          {canLater && (
            <label>
              <input
                type="radio"
                name="oc-mode"
                checked={mode === 'later'}
                onChange={() => setMode('later')}
              />
              {m.pickTime}
            </label>
          )}
        </div>
      </fieldset>

      {mode === 'later' && availability !== undefined && (
        <fieldset>
          <legend>{m.slots}</legend>
          <p class="muted">{m.zoneNote(zoneName(zone), zoneName(availability.serviceTimezone))}</p>
          {days.length === 0 ? (
            <p>{m.noSlots}</p>
          ) : (
            <div>
              <div class="field">
                <label for="oc-day">{m.day}</label>
                <select
                  id="oc-day"
                  value={day}
                  onChange={(e) => setDay((e.target as HTMLSelectElement).value)}
                >
                  {days.map(([key, d]) => (
                    <option value={key} key={key}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </div>
              <div class="slots">
                {daySlots.map((s) => {
                  const full = s.capacity <= 0;
                  const time = new Date(s.utcTime).toLocaleTimeString(lang, {
                    hour: '2-digit',
                    minute: '2-digit',
                    timeZone: zone,
                  });
                  return (
                    <label key={s.utcTime} class={full ? 'full' : ''}>
                      <input
                        type="radio"
                        name="oc-slot"
                        value={s.utcTime}
                        disabled={full}
                        checked={slot === s.utcTime}
                        onChange={() => setSlot(s.utcTime)}
                      />
                      {full ? `${time} (${m.full})` : time}
                    </label>
                  );
                })}
              </div>
            </div>
          )}
        </fieldset>
      )}

      <div class="field">
        <label for="oc-country">{m.country}</label>
        <select
          id="oc-country"
          value={country}
          onChange={(e) => setCountry((e.target as HTMLSelectElement).value as CountryCode)}
        >
          {countries.map((c) => (
            <option value={c.code} key={c.code}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="oc-phone">{m.phone}</label>
        <input
          id="oc-phone"
          ref={phoneRef}
          type="tel"
          autoComplete="tel"
          inputMode="tel"
          value={raw}
          aria-invalid={showInvalid}
          aria-describedby="oc-phone-hint"
          onInput={(e) => {
            const value = (e.target as HTMLInputElement).value;
            setRaw(value);
            // A number typed with its "+" prefix picks its country itself.
            const typed = checkPhone(value, country).country;
            if (value.trim().startsWith('+') && typed !== undefined) setCountry(typed);
          }}
          onBlur={() => setTouched(raw !== '')}
        />
        <p
          id="oc-phone-hint"
          aria-live="polite"
          class={`hint ${check.display ? 'good' : showInvalid ? 'bad' : ''}`}
        >
          {check.display ? m.phoneValid(check.display) : showInvalid ? m.phoneIncomplete : ''}
        </p>
      </div>

      {captcha.required && (
        <div class="captcha">
          <p class="muted">{m.captcha}</p>
          <slot name="captcha" />
        </div>
      )}

      <button type="submit" disabled={sending}>
        {sending ? m.sending : m.submit}
      </button>
    </form>
  );
}

interface ConfirmationProps extends BookingProps {
  booked: Booked;
  onCancel: () => Promise<void>;
  onAnother: () => void;
}

function Confirmation({ m, lang, booked, linkFor, onCancel, onAnother }: ConfirmationProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => heading.current?.focus(), []);
  const when =
    booked.desiredTime === undefined
      ? m.doneNow(booked.phone)
      : m.doneAt(booked.phone, formatWhen(booked.desiredTime, lang, visitorZone()));
  return (
    <section aria-labelledby="oc-done">
      <h3 id="oc-done" tabIndex={-1} ref={heading}>
        {m.doneTitle}
      </h3>
      <p data-testid="oc-when">{when}</p>
      <p>
        {m.code}: <span class="code">{booked.id}</span>
      </p>
      <p>
        <a href={linkFor(booked.id)}>{m.link}</a>
      </p>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onCancel().finally(() => setBusy(false));
          }}
        >
          {busy ? m.cancelling : m.cancel}
        </button>
        <button type="button" class="secondary" onClick={onAnother}>
          {m.another}
        </button>
      </div>
    </section>
  );
}

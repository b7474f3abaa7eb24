/** @jsxImportSource preact */
// <opencallback-booking api-key service [base-url] [lang] [theme] [country] [captcha-script]>
import { render } from 'preact';
import { Api } from './api.js';
import { Booking } from './Booking.js';
import { LANGUAGES, pickLanguage } from './i18n/index.js';
import { guessCountry, isCountry } from './phone.js';
import { css } from './styles.js';

// The service that served this script is the default API origin, so one script tag suffices.
const SCRIPT_ORIGIN = (() => {
  const script = document.currentScript;
  return script instanceof HTMLScriptElement && script.src
    ? new URL(script.src).origin
    : location.origin;
})();

const CANCEL_HASH = /(?:^#|&)opencallback-cancel=([\w-]{1,64})/;

class OpenCallbackBooking extends HTMLElement {
  // Not `theme`: it is pure CSS (:host([theme=dark])) and needs no reload.
  static observedAttributes = [
    'api-key',
    'service',
    'base-url',
    'lang',
    'country',
    'captcha-script',
  ];
  private root: ShadowRoot | undefined;
  private captchaHost: HTMLDivElement | undefined;
  private generation = 0;

  connectedCallback() {
    if (this.root === undefined) {
      this.root = this.attachShadow({ mode: 'open' });
      // A constructed sheet is not subject to the page's style-src CSP, unlike a <style>.
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      this.root.adoptedStyleSheets = [sheet];
    }
    if (this.captchaHost === undefined) {
      // CAPTCHA providers render into the light DOM (their scripts look things up in document);
      // the shadow tree shows it through a named slot.
      this.captchaHost = document.createElement('div');
      this.captchaHost.slot = 'captcha';
      this.appendChild(this.captchaHost);
    }
    this.update();
  }

  attributeChangedCallback() {
    if (this.root !== undefined) this.update();
  }

  disconnectedCallback() {
    if (this.root !== undefined) render(null, this.root);
  }

  private update() {
    const { root, captchaHost } = this;
    if (root === undefined || captchaHost === undefined) return;
    const lang = pickLanguage(this.getAttribute('lang'), navigator.languages);
    const m = LANGUAGES[lang];
    const key = this.getAttribute('api-key') ?? '';
    const service = this.getAttribute('service') ?? '';
    if (key === '' || service === '') {
      render(<p role="alert">{m.errors.setup}</p>, root);
      return;
    }
    const attrCountry = (this.getAttribute('country') ?? '').toUpperCase();
    const country = isCountry(attrCountry)
      ? attrCountry
      : (guessCountry([navigator.language, ...navigator.languages]) ?? 'US');
    const manageId = CANCEL_HASH.exec(location.hash)?.[1];
    // A new key forces a fresh component: attributes changed, so does everything it loaded.
    this.generation += 1;
    render(
      <Booking
        key={this.generation}
        api={new Api(this.getAttribute('base-url') || SCRIPT_ORIGIN, key)}
        service={service}
        lang={lang}
        m={m}
        country={country}
        captchaHost={captchaHost}
        captchaScript={this.getAttribute('captcha-script')}
        manageId={manageId}
        linkFor={(id) => `${location.href.split('#')[0] ?? ''}#opencallback-cancel=${id}`}
      />,
      root,
    );
  }
}

if (customElements.get('opencallback-booking') === undefined) {
  customElements.define('opencallback-booking', OpenCallbackBooking);
}

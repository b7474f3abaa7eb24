/**
 * A stand-in for a CAPTCHA provider's browser script (reCAPTCHA's explicit-render API, which
 * hCaptcha and Turnstile share): `render` draws an "I'm not a robot" button that, once pressed,
 * hands the page the tokens `<prefix>1`, `<prefix>2`, … (one per solve; `reset` re-arms it), and
 * the `onload` callback named in the script URL is called as the real scripts do.
 */
export function fakeCaptchaScript(globalName: string, tokenPrefix: string): string {
  return `(function () {
  var solved = 0;
  var widgets = [];
  window[${JSON.stringify(globalName)}] = {
    render: function (el, opts) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = "I'm not a robot";
      button.setAttribute('data-sitekey', opts.sitekey);
      button.setAttribute('data-lang', opts.hl || opts.language || '');
      button.onclick = function () {
        solved += 1;
        button.textContent = 'Verified';
        button.disabled = true;
        opts.callback(${JSON.stringify(tokenPrefix)} + solved);
      };
      el.appendChild(button);
      widgets.push(button);
      return widgets.length - 1;
    },
    reset: function (id) {
      var button = widgets[id || 0];
      if (!button) return;
      button.textContent = "I'm not a robot";
      button.disabled = false;
    },
  };
  var onload = new URL(document.currentScript.src).searchParams.get('onload');
  if (onload && typeof window[onload] === 'function') window[onload]();
})();
`;
}

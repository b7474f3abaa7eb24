// Lives inside the shadow root, so nothing leaks out and the page's CSS does not leak in. Pages
// theme it with the --oc-* custom properties, which do cross the shadow boundary.
export const css = `
:host{--_accent:var(--oc-accent,#0b5cad);--_on-accent:var(--oc-on-accent,#fff);--_bg:var(--oc-bg,#fff);
--_fg:var(--oc-fg,#1a1a1a);--_muted:var(--oc-muted,#4d4d4d);--_border:var(--oc-border,#767676);
--_error:var(--oc-error,#b00020);--_ok:var(--oc-success,#1b6e20);--_radius:var(--oc-radius,8px);
display:block;max-width:var(--oc-max-width,30rem);font:var(--oc-font,16px/1.45 system-ui,sans-serif);color:var(--_fg)}
:host([theme=dark]){--_accent:var(--oc-accent,#8cc4ff);--_on-accent:var(--oc-on-accent,#000);--_bg:var(--oc-bg,#1c1c1c);
--_fg:var(--oc-fg,#f2f2f2);--_muted:var(--oc-muted,#cfcfcf);--_border:var(--oc-border,#9a9a9a);
--_error:var(--oc-error,#ff9e9e);--_ok:var(--oc-success,#9be29f);color-scheme:dark}
*{box-sizing:border-box}
.box{background:var(--_bg);border:1px solid var(--_border);border-radius:var(--_radius);padding:1rem 1.25rem}
h2{font-size:1.25em;margin:0 0 .5rem}
h3{font-size:1em;margin:.75rem 0 .25rem}
p{margin:.25rem 0 .75rem}
.muted{color:var(--_muted);font-size:.9em}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:600;padding:0;margin-bottom:.35rem}
.choice{display:flex;flex-wrap:wrap;gap:.5rem}
.choice label,.slots label{display:inline-flex;align-items:center;gap:.35rem;border:1px solid var(--_border);
border-radius:var(--_radius);padding:.4rem .7rem;cursor:pointer;min-height:44px}
.slots{display:flex;flex-wrap:wrap;gap:.4rem}
.slots label.full{cursor:not-allowed;text-decoration:line-through;color:var(--_muted)}
label:has(input:checked){border-color:var(--_accent);box-shadow:inset 0 0 0 1px var(--_accent)}
.field{display:grid;gap:.25rem;margin-bottom:.75rem}
.field label{font-weight:600}
select,input[type=tel]{font:inherit;color:var(--_fg);background:var(--_bg);border:1px solid var(--_border);
border-radius:var(--_radius);padding:.5rem;min-height:44px;width:100%}
input[aria-invalid=true]{border-color:var(--_error)}
.hint{min-height:1.4em;font-size:.9em;margin:0}
.hint.bad{color:var(--_error)}.hint.good{color:var(--_ok)}
button{font:inherit;min-height:44px;padding:.5rem 1rem;border-radius:var(--_radius);cursor:pointer;
border:1px solid var(--_accent);background:var(--_accent);color:var(--_on-accent)}
button.secondary{background:transparent;color:var(--_accent)}
button[disabled]{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}
.error{color:var(--_error);font-weight:600;white-space:pre-line}
.code{font-family:ui-monospace,monospace;word-break:break-all;user-select:all}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
.captcha{margin-bottom:.75rem}
`;

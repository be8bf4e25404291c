// The static texts of an extension page (the popup, the evidence page), filled before the Rust
// module draws the rest: every `data-i18n` element gets its message, every `data-i18n-href` link
// the page its message names (the privacy policy in the worker's language), and the page the
// messages' language (`locale`), so that a screen reader reads French with a French voice. Here
// rather than in the module: this much JavaScript costs the module's size budget nothing
// (docs/benchmarks.md).
export function fillStaticTexts(i18n) {
  document.documentElement.lang = i18n.getMessage('locale');
  for (const element of document.querySelectorAll('[data-i18n]')) {
    element.textContent = i18n.getMessage(element.dataset.i18n) || element.dataset.i18n;
    if (element.dataset.i18nHref) element.setAttribute('href', i18n.getMessage(element.dataset.i18nHref));
  }
}

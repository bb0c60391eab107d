// The device suite's measurements of one page (tests/browser/devices.py runs it through
// Playwright's page.evaluate): every problem found, as readable lists per kind.
({touch, checkTargets, screen, enumWords, organizerTexts, setWidth, setHeight, skip}) => {
  // Long lists are looked at through their first rows (not on screens, which must fit whole).
  if (!screen) for (const row of document.querySelectorAll(skip)) row.remove();
  const problems = {
    overflow: [], outside: [], targets: [], none: [], inputs: [], english: [], fit: [], squeezed: [],
  };
  const doc = document.scrollingElement || document.documentElement;
  const PROSE_WORDS = 4;
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40);
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].slice(0, 2).join('.') : '';
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && !el.closest('[hidden], [aria-hidden="true"], dialog:not([open])');
  };
  if (doc.scrollWidth > setWidth + 1) problems.overflow.push(`page is ${doc.scrollWidth} px wide`);
  if (screen && doc.scrollHeight > setHeight + 1) problems.fit.push(`screen is ${doc.scrollHeight} px tall`);
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])')];
  const scrollsX = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (['auto', 'scroll'].includes(style.overflowX) && node.scrollWidth > node.clientWidth) return node;
    }
    return null;
  };
  const inlineInText = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    if (!block) return false;
    const own = (el.textContent || '').trim().length;
    return (block.textContent || '').replace(/\s+/g, ' ').trim().length > own + 3;
  };
  const labelBox = (el) => {
    const label = el.closest('label') || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
    return label ? label.getBoundingClientRect() : null;
  };
  const parentScrolls = new Map();
  for (const el of controls) {
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    if (!parentScrolls.has(el.parentElement)) parentScrolls.set(el.parentElement, scrollsX(el));
    const scroller = parentScrolls.get(el.parentElement);
    if (!scroller && (rect.right > setWidth + 1 || rect.left < -1)) {
      problems.outside.push(`${describe(el)} at x=${Math.round(rect.left)}..${Math.round(rect.right)}`);
    }
    if (checkTargets && touch && !inlineInText(el)) {
      let box = rect;
      if (el.type === 'checkbox' || el.type === 'radio') box = labelBox(el) || rect;
      if (box.width < 43.5 || box.height < 43.5) {
        problems.targets.push(`${describe(el)} ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      if (attribute.value === 'None') problems.none.push(`${describe(el)} ${attribute.name}="None"`);
    }
  }
  for (const el of document.querySelectorAll('input:not([type=hidden])')) {
    const name = (el.name || '').toLowerCase();
    const mode = el.getAttribute('inputmode');
    // inputmode="none" hides the phone keyboard: only for a hardware scanner's field, which
    // gives the keyboard back when a finger taps it (static/js/checkin/wedge.js).
    if (mode !== null && mode.toLowerCase() === 'none' && !el.hasAttribute('data-keyboard-wedge')) {
      problems.inputs.push(`${describe(el)} inputmode=none hides the keyboard`);
    }
    if (/(^|_)email$/.test(name) && el.type !== 'email') problems.inputs.push(`${describe(el)} type=${el.type}, not email`);
    if (/(^|_)(phone|mobile|tel)$/.test(name) && el.type !== 'tel') problems.inputs.push(`${describe(el)} type=${el.type}, not tel`);
    if (el.type === 'password' && !['current-password', 'new-password', 'one-time-code'].includes(el.autocomplete)) {
      problems.inputs.push(`${describe(el)} password without autocomplete current-/new-password`);
    }
    if (/(^|_)email$/.test(name) && !el.autocomplete) problems.inputs.push(`${describe(el)} email without autocomplete`);
  }
  if (enumWords.length) {
    const words = new Set(enumWords);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    const look = (text, where) => {
      text = text.replace(/[\w.+-]+@[\w.-]+|https?:\/\/\S+/g, ' ');
      for (const written of organizerTexts) text = text.split(written).join(' ');
      const tokens = text.split(/[^A-Za-z_]+/).filter(Boolean);
      if (tokens.length >= PROSE_WORDS) return;  // English prose an organizer wrote, not a value
      for (const token of tokens) {
        if (words.has(token) && !seen.has(token + where)) {
          seen.add(token + where);
          problems.english.push(`"${token}" in ${where}`);
        }
      }
    };
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, code, pre, [translate="no"], [lang="en"]')) continue;
      if (!visible(parent)) continue;
      look(node.textContent, describe(parent));
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
      for (const name of ['title', 'aria-label', 'placeholder']) {
        if (el.hasAttribute(name)) look(el.getAttribute(name), `${describe(el)} @${name}`);
      }
    }
  }
  // A short word or label squeezed into a column so narrow that it stands one character per line
  // ("开/放", "状/态"): the column needs room or the value must not break.
  for (const cell of document.querySelectorAll('body *:not(script, style)')) {
    if (!visible(cell)) continue;
    for (const node of cell.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      const text = node.textContent.trim();
      if (text.length < 2 || text.length > 12 || /\s/.test(text)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      if (lines >= 2 && lines >= [...text].length) {
        problems.squeezed.push(`${describe(cell)} "${text}" stands one character per line`);
      }
    }
  }
  return problems;
}

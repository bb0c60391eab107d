// Keyboard-wedge scanners type the code into the focused field, usually followed by Enter;
// some send no Enter, so a short pause after the last keystroke also submits.
// The field takes the focus back whenever it loses it, except to the manual search panel.

export function attachWedge(input, { onCode, pauseMs = 300, canTakeFocus = () => true } = {}) {
  let timer = null;

  function submit() {
    clearTimeout(timer);
    timer = null;
    const code = input.value.trim();
    input.value = "";
    if (code) onCode(code);
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = input.value ? setTimeout(submit, pauseMs) : null;
  });

  // The field takes a hardware scanner's keystrokes without opening the on-screen keyboard
  // (inputmode="none", which would cover the camera); a finger that taps the field means to
  // type, so it gets the keyboard until the field loses the focus.
  const quietMode = input.getAttribute("inputmode");
  input.addEventListener("pointerdown", () => input.setAttribute("inputmode", "text"));
  input.addEventListener("blur", () => {
    if (quietMode) input.setAttribute("inputmode", quietMode);
  });

  function refocus() {
    if (!canTakeFocus()) return;
    if (document.activeElement !== input) input.focus({ preventScroll: true });
  }

  input.addEventListener("blur", () => {
    // Wait until the focus has landed to see where it went.
    setTimeout(() => {
      const active = document.activeElement;
      if (active && active !== document.body && active.closest("[data-keeps-focus]")) return;
      refocus();
    }, 0);
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refocus();
  });

  return { refocus, submitNow: submit };
}

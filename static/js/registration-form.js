// The participant's registration and edit forms.
const script = document.getElementById("registration-script");
const url = script && script.dataset.transliterateUrl;
const form = document.querySelector("#registration-form, #edit-form");

// Pre-fills the Latin-letter name from a Chinese name (the participant can still edit it).
const native = document.getElementById("native_name");
const latin = document.getElementById("latin_name");
const han = /[\u3400-\u9fff]/;
let userEdited = latin && latin.value !== "";

if (native && latin && url) {
  latin.addEventListener("input", () => { userEdited = latin.value !== ""; });
  native.addEventListener("change", async () => {
    if (userEdited || !han.test(native.value)) return;
    try {
      const response = await fetch(`${url}?name=${encodeURIComponent(native.value)}`);
      if (!response.ok) return;
      const body = await response.json();
      if (!userEdited) latin.value = body.latin_name;
      clearErrorIfCorrected(latin);
    } catch (_error) {
      // Offline or server busy: the server fills the name in on submit anyway.
    }
  });
}

// A field's error message goes as soon as the field is corrected, so that what is still red is
// what is still wrong. The server checks everything again on submit: this only tidies the page.
const rejected = new Map();
if (form) {
  for (const el of form.querySelectorAll('input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"]')) {
    if (el.type !== "radio" && el.type !== "checkbox") rejected.set(el, el.value);
  }
  form.addEventListener("input", (event) => clearErrorIfCorrected(event.target));
  form.addEventListener("change", (event) => clearErrorIfCorrected(event.target));
}

function clearErrorIfCorrected(el) {
  const group = el.closest("fieldset.choice-group");
  const owner = group || el;
  if (owner.getAttribute("aria-invalid") !== "true") return;
  if (!isCorrected(el, group)) return;
  for (const marked of [owner, ...owner.querySelectorAll('[aria-invalid="true"]')]) {
    marked.removeAttribute("aria-invalid");
  }
  const help = document.getElementById(`${owner.id}-help`);
  if (help && help.classList.contains("field-error")) {
    if (owner.dataset.description) {
      help.textContent = owner.dataset.description;
      help.className = "field-help";
    } else {
      help.remove();
      owner.removeAttribute("aria-describedby");
    }
  }
  const banner = document.getElementById("form-errors");
  if (banner && !form.querySelector('[aria-invalid="true"]')) banner.hidden = true;
}

function isCorrected(el, group) {
  if (group) {
    const ticked = group.querySelectorAll("input:checked").length > 0;
    return ticked || !group.hasAttribute("data-required");
  }
  if (el.type === "checkbox") return el.checked || !el.required;
  // Text, email and selects: changed from the refused value and passing the browser's own
  // checks (required, email format, length); rules only the server knows it checks on submit.
  return el.value !== rejected.get(el) && el.checkValidity();
}

// The submit button says what it does: "Join the waiting list" while a full category is chosen.
const submit = document.getElementById("register-submit");
if (submit && form) {
  const full = new Set((submit.dataset.fullCategories || "").split(",").filter(Boolean));
  form.addEventListener("change", (event) => {
    if (event.target.name !== "category_id") return;
    submit.textContent = full.has(event.target.value)
      ? submit.dataset.labelWaitlist
      : submit.dataset.labelRegister;
  });
}

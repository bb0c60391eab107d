// Pre-fills the Latin-letter name from a Chinese name (the participant can still edit it).
const script = document.getElementById("registration-script");
const url = script && script.dataset.transliterateUrl;
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
    } catch (_error) {
      // Offline or server busy: the server fills the name in on submit anyway.
    }
  });
}

// Round form: show the running sum of the criterion weights (the server checks it too).
const sum = document.getElementById("weight-sum");
const inputs = [...document.querySelectorAll("input.weight")];
function update() {
  const total = inputs.reduce((acc, input) => acc + (Number.parseInt(input.value, 10) || 0), 0);
  sum.textContent = String(total);
  sum.classList.toggle("field-error", total !== 100);
}
inputs.forEach((input) => input.addEventListener("input", update));
update();

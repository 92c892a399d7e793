// Behaviour every page may use, kept out of inline handlers so that the
// Content-Security-Policy can forbid inline script:
//   <form data-confirm="Question?">  asks before submitting;
//   <button data-print>              prints the page (or saves it as PDF).
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
}, true);
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

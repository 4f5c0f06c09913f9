// The live character count of a textarea with data-contador="<id of the count's element>".
// Without JavaScript the server-drawn count and the textarea's maxlength still hold.
(function () {
  "use strict";
  var format = new Intl.NumberFormat("pt-BR");
  function update(area) {
    var out = document.getElementById(area.getAttribute("data-contador"));
    if (!out) return;
    var used = area.value.replace(/\r\n/g, "\n").length;
    out.textContent = format.format(used) + " de " + format.format(area.maxLength) + " caracteres";
  }
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("textarea[data-contador]")) update(target);
  });
  function all() {
    document.querySelectorAll("textarea[data-contador]").forEach(update);
  }
  // A page restored by the back button keeps its typed text: count it again.
  window.addEventListener("pageshow", all);
  all();
})();

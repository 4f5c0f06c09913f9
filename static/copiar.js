// Copy buttons: each <span data-copiar="ID" data-rotulo="LABEL"> gets a button that copies the
// text of #ID. Without JavaScript there is no button, and the text stays selectable.
(function () {
  "use strict";
  function announce(button, text) {
    var status = document.querySelector(".copiado");
    if (status) { status.textContent = text; }
  }
  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copiar"));
    if (!source) { return; }
    var text = source.textContent.trim();
    var done = function () { announce(button, "Copiado."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { select(source); });
    } else {
      select(source);
      try { document.execCommand("copy"); done(); } catch (e) { /* text stays selected */ }
    }
  }
  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.querySelectorAll("span[data-copiar]").forEach(function (slot) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "botao secundario";
    button.textContent = slot.getAttribute("data-rotulo");
    button.setAttribute("data-copiar", slot.getAttribute("data-copiar"));
    button.addEventListener("click", function () { copy(button); });
    slot.appendChild(button);
  });
})();

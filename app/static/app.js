// Enhancement only: the form works the same with this file blocked or scripts turned off.
// Shows how many characters the pasted message has against the server's limit.
(function () {
  "use strict";
  var box = document.getElementById("message");
  var out = document.getElementById("message-count");
  if (!box || !out) {
    return;
  }
  var max = parseInt(box.getAttribute("data-max"), 10);
  var template = out.getAttribute("data-template") || "";
  function update() {
    // Code points with CRLF line breaks: what the browser sends and the server counts.
    var count = Array.from(box.value.replace(/\r?\n/g, "\r\n")).length;
    out.textContent = template.replace("%COUNT%", String(count));
    out.classList.toggle("over", count > max);
  }
  box.addEventListener("input", update);
  update();
})();

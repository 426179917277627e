// Enhancement only: the form works the same with this file blocked or scripts turned off.
// Shows how many characters the pasted message has against the server's limit, and lets
// a screenshot be pasted (Ctrl+V) or dropped onto the form as well as chosen.
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

(function () {
  "use strict";
  var input = document.getElementById("image");
  var zone = document.getElementById("image-drop");
  var form = document.getElementById("check-form");
  var chosen = document.getElementById("image-chosen");
  var dropHint = document.getElementById("image-drop-hint");
  if (!input || !zone || !form || !chosen || typeof DataTransfer === "undefined") {
    return;
  }
  var said = chosen.getAttribute("data-template") || "";
  function firstImage(files) {
    for (var i = 0; files && i < files.length; i++) {
      if (files[i].type.indexOf("image/") === 0) {
        return files[i];
      }
    }
    return null;
  }
  function show() {
    var file = input.files && input.files[0];
    chosen.textContent = file ? said.replace("%NAME%", file.name || "image") : "";
  }
  // A pasted or dropped image becomes the file input's file: the form then posts it
  // exactly as if it had been chosen, with its CSRF token, to the same address.
  function take(file) {
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    show();
  }
  input.addEventListener("change", show);
  document.addEventListener("paste", function (event) {
    var file = event.clipboardData && firstImage(event.clipboardData.files);
    if (file) {
      event.preventDefault();
      take(file);
    }
  });
  form.addEventListener("dragover", function (event) {
    event.preventDefault();
    zone.classList.add("dropping");
    if (dropHint) {
      dropHint.hidden = false;
    }
  });
  form.addEventListener("dragleave", function () {
    zone.classList.remove("dropping");
    if (dropHint) {
      dropHint.hidden = true;
    }
  });
  form.addEventListener("drop", function (event) {
    var file = event.dataTransfer && firstImage(event.dataTransfer.files);
    zone.classList.remove("dropping");
    if (dropHint) {
      dropHint.hidden = true;
    }
    if (file) {
      event.preventDefault();
      take(file);
    }
  });
})();

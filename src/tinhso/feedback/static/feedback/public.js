/* The report form (feedback/public/submit.html): show the chosen category's questions, hide the anonymous
 * option where the category refuses it, warn before more than five photos are sent, and stop a double click.
 * The page carries no inline script (Content-Security-Policy); the server checks everything again. */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("report-form");
    if (!form) { return; }
    var select = form.querySelector("#id_category");
    var anonymous = form.querySelector("#id_is_anonymous");
    var anonymousBox = anonymous && anonymous.closest(".field");
    var refusing = ((select && select.dataset.noAnonymous) || "").split(/\s+/).filter(Boolean);

    function sync() {
      var code = select ? select.value : "";
      form.querySelectorAll("[data-attributes-for]").forEach(function (box) {
        box.hidden = box.dataset.attributesFor !== code;
      });
      if (anonymousBox) {
        var refused = refusing.indexOf(code) >= 0;
        anonymousBox.hidden = refused;
        if (refused) { anonymous.checked = false; }
      }
    }
    if (select) { select.addEventListener("change", sync); }
    sync();

    var photos = form.querySelector("#id_photos");
    if (photos) {
      photos.addEventListener("change", function () {
        var max = parseInt(photos.dataset.max || "5", 10);
        photos.setCustomValidity(photos.files.length > max ? (photos.dataset.tooMany || "") : "");
        photos.reportValidity();
      });
    }

    form.addEventListener("submit", function (event) {
      if (photos && !photos.checkValidity()) { event.preventDefault(); photos.reportValidity(); return; }
      var button = form.querySelector('button[type="submit"]');
      // Disabled after the browser has collected the form; the one-time token covers any retry.
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

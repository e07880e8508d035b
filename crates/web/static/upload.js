// Shows an upload's progress on forms that ask for it (data-upload-progress="<progress id>").
// Without this script the form posts as usual; with it, the same request goes through
// XMLHttpRequest so that the bytes sent can be shown, then the browser goes where the server
// sent it (a redirect to the import's page) or shows the page it answered (a refusal).
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    var bar = document.getElementById(form.getAttribute("data-upload-progress"));
    if (!bar || !window.XMLHttpRequest || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = document.getElementById(bar.id + "-field");
      if (field) { field.hidden = false; }
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      request.addEventListener("load", function () {
        if (request.status < 400 && request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        if (button) { button.disabled = false; }
        form.submit();
      });
      request.send(new FormData(form));
    });
  });
})();

/* nscal: small progressive touches. Every page works without this file; it only adds
   - a "Copy" button beside calendar feed addresses (readonly inputs in .subscribe),
   - a suggestion to use the browser's time zone on the time-zone pickers. */
(function () {
  "use strict";

  function say(region, text) {
    region.textContent = "";
    // A fresh text node makes screen readers announce the same message twice in a row.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    return new Promise(function (resolve, reject) {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) { resolve(); } else { reject(new Error("copy refused")); }
      } catch (error) {
        reject(error);
      }
    });
  }

  function addCopyButtons() {
    document.querySelectorAll(".subscribe input[readonly]").forEach(function (input) {
      if (!input.id || input.dataset.copyReady) { return; }
      input.dataset.copyReady = "1";
      var row = document.createElement("div");
      row.className = "copy-row";
      input.parentNode.insertBefore(row, input);
      row.appendChild(input);

      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy address";
      button.setAttribute("aria-describedby", input.id);
      row.appendChild(button);

      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      row.appendChild(status);

      button.addEventListener("click", function () {
        copyText(input).then(
          function () { say(status, "Copied."); },
          function () {
            input.focus();
            input.select();
            say(status, "Press Ctrl+C (⌘C on a Mac) to copy.");
          }
        );
      });
      // One click selects the whole address, for copying by hand.
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function suggestZone() {
    var zone = browserZone();
    var inUse = document.querySelector(".zone-now[data-zone]");
    // Nothing to suggest when the page already shows times on this device's clock.
    if (!zone || (inUse && inUse.getAttribute("data-zone") === zone)) { return; }
    var selects = document.querySelectorAll("select[data-zone-suggest], select[name='timezone']");
    selects.forEach(function (select) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (!option || select.value === zone) { return; }
      var label = option.textContent.trim();
      var box = document.createElement("p");
      box.className = "zone-suggestion";
      var text = document.createElement("span");
      text.textContent = "Your device is set to " + label + " time.";
      var button = document.createElement("button");
      button.type = "button";
      // The zone page's form applies at once; a form with other fields waits for "Save".
      var applyNow = select.hasAttribute("data-zone-suggest");
      button.textContent = applyNow ? "Show times in " + label : "Use " + label;
      button.addEventListener("click", function () {
        select.value = zone;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        if (applyNow && select.form) {
          // A city typed in the search box would win over the list: clear it.
          var search = select.form.querySelector("input[name='search']");
          if (search) { search.value = ""; }
          select.form.submit();
        } else {
          text.textContent = label + " is selected; save to keep it.";
          box.removeChild(button);
          select.focus();
        }
      });
      box.appendChild(text);
      box.appendChild(button);
      // After the whole field (the picker's own field on the zone page).
      (select.closest(".field") || select.parentNode).appendChild(box);
    });
  }

  function ready() {
    addCopyButtons();
    suggestZone();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

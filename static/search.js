// Progressive enhancement of the catalogue search page; the page works fully without it.
(function () {
  "use strict";
  var form = document.querySelector("form.search-page");
  if (!form) return;

  // On a narrow screen the filters fold away under their heading unless some are active.
  var panel = form.querySelector("details.filter-panel");
  if (panel && !panel.hasAttribute("data-active") && window.matchMedia("(max-width: 59.99rem)").matches) {
    panel.open = false;
  }

  // Apply a filter or a sort order as soon as it changes.
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches('input[type="checkbox"], select[name="sort"]')) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // Title suggestions in a native datalist, fetched as the visitor types.
  var input = form.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  var list = document.createElement("datalist");
  list.id = "title-suggestions";
  form.appendChild(list);
  input.setAttribute("list", list.id);
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2) { list.replaceChildren(); return; }
    timer = setTimeout(function () {
      var ticket = ++latest;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (titles) {
          if (ticket !== latest) return;
          list.replaceChildren.apply(list, titles.map(function (item) {
            var option = document.createElement("option");
            option.value = item.title;
            return option;
          }));
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  });
})();

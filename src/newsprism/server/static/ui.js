// newsprism UI: submit the story filter form when a select or date changes (no other script).
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el.form && el.form.id === "filters" && (el.tagName === "SELECT" || el.type === "date")) {
    var page = el.form.querySelector("input[name=page]");
    if (page) page.remove();
    el.form.submit();
  }
});

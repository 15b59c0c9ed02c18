/* quizgen: the student's HTML exam as an answer sheet.
 *
 * Each answer blank's input is read with the grader's own rules (QZ.parse, answerkinds.js) as it is
 * typed, and says how it was read ("read as the vector [0.5, 0.2]") or why it cannot be
 * ("expected 2 numbers, got 3"). What is typed is kept in this browser (localStorage), so a reload
 * or a closed tab loses nothing; "Save my answers" writes answers-<exam>-<student>.csv in the answer
 * sheet's columns, with the student id, the paper's variant code and the time. Nothing is sent
 * anywhere, and the page holds no key: only how each blank is read.
 */
(function (global) {
  "use strict";
  var QZ = global.QZ;

  function number(x) {
    // as typed values are shown back: up to 10 significant digits, no float noise
    return String(Number(x.toPrecision(10)));
  }

  function describe(spec, value) {
    switch (spec.kind) {
      case "number": case "integer": return "read as " + number(value);
      case "vector": return "read as the vector [" + value.map(number).join(", ") + "]";
      case "matrix":
        return "read as a " + value.length + "\u00d7" + value[0].length + " matrix [" +
          value.map(function (row) { return row.map(number).join(", "); }).join("; ") + "]";
      case "shape": return "read as the shape (" + value.join(", ") + ")";
      case "choice": return "read as " + (value.length > 1 ? "options " : "option ") + value.join(", ");
      case "truefalse": return "read as " + (value ? "true" : "false");
      case "symbolic": return "read as a formula";
      default: return "read";
    }
  }

  function reading(entry) {
    var text = entry.value;
    if (!text.trim()) return {cls: "qz-empty", text: ""};
    if (!entry.qzSpec) {
      var words = text.trim().split(/\s+/).length;
      return {cls: "qz-ok", text: words + (words === 1 ? " word" : " words")};
    }
    var parsed = QZ.parse(entry.qzSpec, text);
    return parsed.ok ? {cls: "qz-ok", text: describe(entry.qzSpec, parsed.value)}
                     : {cls: "qz-invalid", text: "cannot be read: " + parsed.reason};
  }

  function csvField(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function init() {
    var paper = document.querySelector("[data-answer-sheet]");
    if (!paper) return;
    var meta = JSON.parse(paper.getAttribute("data-answer-sheet"));
    var storeKey = "quizgen:" + meta.exam_id + ":" + meta.student_id;
    var entries = Array.prototype.slice.call(document.querySelectorAll(".qz-entry"));
    var saved = {};
    try { saved = JSON.parse(global.localStorage.getItem(storeKey) || "{}"); } catch (e) { saved = {}; }
    var status = document.getElementById("qz-status");

    function keep() {
      var answers = {};
      entries.forEach(function (entry) { answers[entry.name] = entry.value; });
      try {
        global.localStorage.setItem(storeKey, JSON.stringify(answers));
        status.textContent = "Kept in this browser at " + new Date().toLocaleTimeString() +
          ". Save your answers to a file before you hand in.";
      } catch (e) {
        status.textContent = "This browser does not keep answers (" + e.name + "): save them to a file.";
      }
    }

    entries.forEach(function (entry) {
      var spec = entry.getAttribute("data-spec");
      entry.qzSpec = spec ? JSON.parse(spec) : null;
      var out = document.getElementById(entry.id + "-reading");
      if (Object.prototype.hasOwnProperty.call(saved, entry.name)) entry.value = saved[entry.name];
      function show() {
        var r = reading(entry);
        out.className = "qz-reading " + r.cls;
        out.textContent = r.text;
        entry.setAttribute("aria-invalid", String(r.cls === "qz-invalid"));
      }
      entry.addEventListener("input", function () { show(); keep(); });
      show();
    });

    document.getElementById("qz-save").addEventListener("click", function () {
      var header = ["student_id", "name", "variant_code", "submitted_at"];
      var row = [meta.student_id, meta.name, meta.variant_code, new Date().toISOString()];
      entries.forEach(function (entry) { header.push(entry.name); row.push(entry.value); });
      var text = "\ufeff" + header.map(csvField).join(",") + "\r\n" + row.map(csvField).join(",") + "\r\n";
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], {type: "text/csv;charset=utf-8"}));
      link.download = "answers-" + meta.exam_id + "-" + meta.student_id + ".csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
      var invalid = entries.filter(function (e) { return e.getAttribute("aria-invalid") === "true"; }).length;
      var empty = entries.filter(function (e) { return !e.value.trim(); }).length;
      status.textContent = "Saved " + link.download + " (" + (entries.length - empty) + " of " + entries.length +
        " answered" + (invalid ? ", " + invalid + " cannot be read" : "") + ").";
    });
    document.body.setAttribute("data-ready", "true");
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }
})(this);

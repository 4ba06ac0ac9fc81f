"use strict";
// Sortable tables: a click on a header sorts the body by that column
// (numbers by value, text alphabetically); a second click reverses.
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (r) { var c = r.cells[col]; return c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent; };
      var numeric = rows.every(function (r) { var k = key(r); return k === "" || !isNaN(parseFloat(k)); });
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), d;
        if (numeric) {
          if (x === "" || y === "") { return (x === "") - (y === ""); } // missing last
          d = parseFloat(x) - parseFloat(y);
        } else {
          d = x.localeCompare(y);
        }
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});

// The gallery: every panel shows the same crop of its image. The crop is
// its centre (cx, cy) and half width hw in image pixels; a viewport of
// width W shows it at W / (2 hw) screen pixels per image pixel.
(function () {
  var el = document.getElementById("gallery-data");
  if (!el) { return; }
  var G = JSON.parse(el.textContent);
  var root = document.getElementById("gallery");
  var pairSel = document.getElementById("pair");
  var flickA = document.getElementById("flick-a"), flickB = document.getElementById("flick-b");
  var cropText = document.getElementById("crop");
  var colours = {};
  G.methods.forEach(function (m) { colours[m.name] = m.color; });
  var P = null, view = null, vpW = 0, vpH = 0, flickOn = "a";
  var viewports = [];

  G.pairs.forEach(function (p, i) {
    var o = document.createElement("option");
    o.value = i; o.textContent = p.name;
    pairSel.appendChild(o);
  });

  function methodsOf(p) {
    var out = [];
    p.images.forEach(function (im) { if (im.kind === "fused") { out.push(im.method); } });
    return out;
  }

  function fill(sel, names, pick) {
    sel.innerHTML = "";
    names.forEach(function (n) { var o = document.createElement("option"); o.value = n; o.textContent = n; sel.appendChild(o); });
    if (names.length) { sel.value = names[Math.min(pick, names.length - 1)]; }
  }

  function panel(im, big) {
    var fig = document.createElement("figure");
    fig.className = "panel";
    var vp = document.createElement("div");
    vp.className = "vp" + (big ? " big" : "");
    var img = document.createElement("img");
    img.src = im.src; img.alt = im.label; img.draggable = false;
    img.width = P.w; img.height = P.h;
    vp.appendChild(img);
    var cap = document.createElement("figcaption");
    cap.textContent = im.label;
    if (im.method && colours[im.method]) { cap.style.borderTopColor = colours[im.method]; }
    fig.appendChild(vp); fig.appendChild(cap);
    vp.dataset.kind = im.kind;
    viewports.push(vp);
    attach(vp);
    return fig;
  }

  function showPair(i) {
    P = G.pairs[i];
    var fit = Math.min(1, 300 / Math.max(P.w, P.h));
    vpW = Math.max(120, Math.round(P.w * fit)); vpH = Math.max(90, Math.round(P.h * fit));
    root.style.setProperty("--vpw", vpW + "px");
    root.style.setProperty("--vph", vpH + "px");
    viewports = [];
    ["source", "fused", "diff", "map"].forEach(function (kind) {
      var row = document.getElementById("row-" + kind);
      row.innerHTML = "";
      P.images.forEach(function (im) {
        if (im.kind === kind || (kind === "source" && im.kind === "reference")) { row.appendChild(panel(im, false)); }
      });
    });
    var names = methodsOf(P);
    var a = names.indexOf(flickA.value), b = names.indexOf(flickB.value);
    fill(flickA, names, a < 0 ? 0 : a);
    fill(flickB, names, b < 0 ? 1 : b);
    var fr = document.getElementById("row-flick");
    fr.innerHTML = "";
    if (names.length) {
      var f = panel({ kind: "flick", label: "", src: srcOf(flickA.value) }, true);
      f.id = "flick";
      fr.appendChild(f);
    }
    flickOn = "a";
    reset();
  }

  function srcOf(method) {
    for (var k = 0; k < P.images.length; k++) {
      if (P.images[k].kind === "fused" && P.images[k].method === method) { return P.images[k].src; }
    }
    return "";
  }

  function flick(to) {
    var fig = document.getElementById("flick");
    if (!fig) { return; }
    flickOn = to || (flickOn === "a" ? "b" : "a");
    var m = flickOn === "a" ? flickA.value : flickB.value;
    fig.querySelector("img").src = srcOf(m);
    fig.querySelector("img").alt = m;
    var cap = fig.querySelector("figcaption");
    cap.textContent = "flick (" + flickOn.toUpperCase() + "): " + m;
    cap.style.borderTopColor = colours[m] || "#ccc";
    document.getElementById("flick-label").textContent = m;
  }

  function reset() {
    view = { cx: P.w / 2, cy: P.h / 2, hw: Math.max(P.w / 2, P.h / 2 * vpW / vpH) };
    render();
    flick(flickOn);
  }

  function clamp() {
    var maxHw = Math.max(P.w / 2, P.h / 2 * vpW / vpH), minHw = vpW / 2 / 16;
    view.hw = Math.min(maxHw, Math.max(minHw, view.hw));
    view.cx = Math.min(P.w, Math.max(0, view.cx));
    view.cy = Math.min(P.h, Math.max(0, view.cy));
  }

  function crop() {
    var hh = view.hw * vpH / vpW;
    return [view.cx - view.hw, view.cy - hh, view.cx + view.hw, view.cy + hh];
  }

  function render() {
    clamp();
    var c = crop();
    var text = c.map(function (v) { return v.toFixed(2); }).join(",");
    viewports.forEach(function (vp) {
      var W = vp.clientWidth || vpW, H = vp.clientHeight || vpH;
      var k = W / (2 * view.hw);
      var img = vp.querySelector("img");
      img.style.transform = "translate(" + (W / 2 - view.cx * k) + "px," + (H / 2 - view.cy * k) + "px) scale(" + k + ")";
      vp.classList.toggle("pixels", k >= 3);
      vp.dataset.crop = text;
    });
    cropText.textContent = "x " + c[0].toFixed(0) + "–" + c[2].toFixed(0) + ", y " + c[1].toFixed(0) + "–" + c[3].toFixed(0) +
      " (" + (vpW / (2 * view.hw)).toFixed(2) + "×)";
  }

  // zoom by factor around the image point under (mx, my) of viewport vp.
  function zoom(vp, factor, mx, my) {
    var W = vp.clientWidth, H = vp.clientHeight, k = W / (2 * view.hw);
    var px = view.cx + (mx - W / 2) / k, py = view.cy + (my - H / 2) / k;
    view.hw /= factor;
    clamp();
    k = W / (2 * view.hw);
    view.cx = px - (mx - W / 2) / k; view.cy = py - (my - H / 2) / k;
    render();
  }

  function attach(vp) {
    vp.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = vp.getBoundingClientRect();
      zoom(vp, Math.pow(1.0015, -e.deltaY), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    var drag = null;
    vp.addEventListener("pointerdown", function (e) { drag = { x: e.clientX, y: e.clientY }; vp.setPointerCapture(e.pointerId); vp.style.cursor = "grabbing"; });
    vp.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var k = vp.clientWidth / (2 * view.hw);
      view.cx -= (e.clientX - drag.x) / k; view.cy -= (e.clientY - drag.y) / k;
      drag = { x: e.clientX, y: e.clientY };
      render();
    });
    var end = function () { drag = null; vp.style.cursor = ""; };
    vp.addEventListener("pointerup", end);
    vp.addEventListener("pointercancel", end);
    vp.addEventListener("dblclick", reset);
  }

  document.addEventListener("keydown", function (e) {
    if (!P || e.target.tagName === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var vp = viewports[0], step = view.hw * 0.2;
    switch (e.key) {
      case "f": case "F": flick(); break;
      case "+": case "=": zoom(vp, 1.5, vp.clientWidth / 2, vp.clientHeight / 2); break;
      case "-": zoom(vp, 1 / 1.5, vp.clientWidth / 2, vp.clientHeight / 2); break;
      case "0": reset(); break;
      case "ArrowLeft": view.cx -= step; render(); break;
      case "ArrowRight": view.cx += step; render(); break;
      case "ArrowUp": view.cy -= step; render(); break;
      case "ArrowDown": view.cy += step; render(); break;
      default: return;
    }
    e.preventDefault();
  });

  pairSel.addEventListener("change", function () { showPair(+pairSel.value); });
  flickA.addEventListener("change", function () { flick("a"); });
  flickB.addEventListener("change", function () { flick("b"); });
  document.getElementById("flick-btn").addEventListener("click", function () { flick(); });
  document.getElementById("reset").addEventListener("click", reset);
  document.querySelectorAll("input[data-row]").forEach(function (cb) {
    cb.addEventListener("change", function () { document.getElementById("row-" + cb.dataset.row).hidden = !cb.checked; render(); });
  });

  // For scripts and tests: the current crop of every panel, and a way to
  // set the view.
  window.mfifGallery = {
    pairs: G.pairs.length,
    show: function (i) { pairSel.value = i; showPair(i); },
    crops: function () { return viewports.map(function (vp) { return vp.dataset.crop; }); },
    setView: function (cx, cy, hw) { view = { cx: cx, cy: cy, hw: hw }; render(); return crop(); },
    flicked: function () { return flickOn; }
  };
  if (G.pairs.length) { showPair(0); }
})();

// The counter's live prompt: asks the console what the visit is doing now and shows it, without a reload.
(function () {
  var step = document.getElementById('step');
  if (!step) return;
  var seen = -1;
  function show(v) {
    if (v.seq === seen) return;
    seen = v.seq;
    step.className = 'phase-' + v.phase + ' finger-' + v.finger + ' attempt-' + v.attempt;
    document.getElementById('prompt').textContent = v.prompt;
    document.getElementById('attempt').textContent = v.attemptText;
    var q = document.getElementById('quality');
    q.textContent = v.quality;
    q.className = 'quality poor-' + v.poor;
    if (v.over) {
      var r = document.getElementById('result');
      r.textContent = v.stateText;
      r.className = (v.issued ? 'ok' : 'error') + ' state ' + v.state;
      r.hidden = false;
      if (v.issued) document.getElementById('next').hidden = false;
      var t = document.getElementById('tech');
      t.textContent = v.detail;
    }
  }
  function poll() {
    fetch('/issue/visit.json', {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) { return r.json(); })
      .then(function (v) { show(v); if (!v.over) setTimeout(poll, 250); })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();

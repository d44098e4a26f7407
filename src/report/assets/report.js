(function () {
  'use strict';
  var table = document.getElementById('findings');
  var controls = document.getElementById('filters');
  if (!table || !controls) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var fields = ['status', 'severity', 'rule', 'account'];
  var selects = {};
  fields.forEach(function (name) { selects[name] = document.getElementById('filter-' + name); });
  var text = document.getElementById('filter-bucket');
  var count = document.getElementById('shown-count');
  // The bucket × rule matrix follows the account and bucket filters (its rows are buckets, not findings).
  var matrix = document.getElementById('bucket-matrix');
  var matrixGroups = matrix ? Array.prototype.slice.call(matrix.tBodies) : [];

  function apply() {
    var needle = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var data = row.dataset;
      var match = fields.every(function (name) {
        var wanted = selects[name].value;
        return wanted === '' || data[name] === wanted;
      }) && (needle === '' || data.bucket.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = shown + ' of ' + rows.length + ' findings shown';
    var account = selects.account.value;
    matrixGroups.forEach(function (group) {
      var any = false;
      Array.prototype.forEach.call(group.rows, function (row) {
        if (row.dataset.bucket === undefined) return;
        var match = (account === '' || row.dataset.account === account) && (needle === '' || row.dataset.bucket.toLowerCase().indexOf(needle) !== -1);
        row.hidden = !match;
        if (match) any = true;
      });
      group.hidden = !any;
    });
  }

  fields.forEach(function (name) { selects[name].addEventListener('change', apply); });
  text.addEventListener('input', apply);
  document.getElementById('filter-reset').addEventListener('click', function () {
    fields.forEach(function (name) { selects[name].value = ''; });
    text.value = '';
    apply();
  });

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th) {
    var button = th.querySelector('button[data-sort]');
    if (!button) return;
    button.disabled = false;
    button.addEventListener('click', function () {
      var key = button.dataset.sort;
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var numeric = /Rank$/.test(key);
      rows.sort(function (a, b) {
        var x = a.dataset[key];
        var y = b.dataset[key];
        var order = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
        return (ascending ? order : -order) || Number(a.dataset.i) - Number(b.dataset.i);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });

  controls.hidden = false;
  apply();
})();

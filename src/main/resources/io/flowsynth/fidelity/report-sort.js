(function () {
  var table = document.getElementById('column-table');
  if (!table) { return; }
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th) {
    var button = th.querySelector('button');
    button.addEventListener('click', function () {
      var col = Number(button.getAttribute('data-col'));
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (r1, r2) {
        var a = r1.cells[col].getAttribute('data-value'), b = r2.cells[col].getAttribute('data-value');
        var x = parseFloat(a), y = parseFloat(b), c;
        if (isNaN(x) || isNaN(y)) {
          if (a === '' || b === '') { return a === b ? 0 : (a === '' ? 1 : -1); }
          c = String(a).localeCompare(String(b));
        } else { c = x - y; }
        return ascending ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();

// The operator's theme choice (shell/theme.tsx keeps it), else the system's, set before the first paint.
(function () {
  var t = null;
  try {
    t = localStorage.getItem('beacon.theme');
  } catch {
    t = null;
  }
  if (t !== 'light' && t !== 'dark')
    t = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = t;
})();

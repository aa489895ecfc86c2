const app = document.getElementById('app');
if (app) {
  app.innerHTML = '<h1>Interlude</h1><p>The server is running.</p>';
}

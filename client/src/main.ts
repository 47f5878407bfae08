import { mount } from 'svelte'
import App from './App.svelte'
import { httpSource } from './lib/api.js'
import { Live } from './lib/live.svelte.js'
import { reportIndex, StaticSource } from './lib/static-source.js'
import './app.css'

const report = reportIndex()
if (report) {
  // A static report: its one run, from its files, nothing live.
  document.title = report.title
  if (!location.hash) history.replaceState(null, '', `#/runs/${report.run.id}`)
  mount(App, {
    target: document.getElementById('app')!,
    props: { source: new StaticSource(report), live: null },
  })
} else {
  const socket = new URL('ws', document.baseURI)
  socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:'
  mount(App, {
    target: document.getElementById('app')!,
    props: { source: httpSource, live: new Live(socket.href) },
  })
}

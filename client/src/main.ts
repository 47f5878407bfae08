import { mount } from 'svelte'
import App from './App.svelte'
import { httpSource } from './lib/api.js'
import { Live } from './lib/live.svelte.js'
import './app.css'

const socket = new URL('ws', document.baseURI)
socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:'

mount(App, {
  target: document.getElementById('app')!,
  props: { source: httpSource, live: new Live(socket.href) },
})

import gc
from smiley_tracer.values import Renderer
Renderer.render = lambda self, value: 1 / 0

"""An answer's live stream, in one place.

- ``keys``: the Redis names of an answer (its event stream, stop flag, writer heartbeat), the
  sync client and the stream's shape (the last event is ``end``).
- ``writer``: the worker's side: XADD the engine's events, the stop flag, the heartbeat.
- ``hub``: the web process's side: one shared XREAD per event loop fanned out to open streams.
- ``sse``: the view relaying a stream to the browser as Server-Sent Events.
"""

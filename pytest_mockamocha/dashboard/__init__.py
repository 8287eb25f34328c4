"""The dashboard: a web UI over the management API, served by ``mockamocha serve`` at ``/``.

Plain ES modules and one stylesheet under ``static/`` (package data: the wheel ships them,
nothing is fetched at run time), talking to ``/api`` through the JavaScript SDK the server
serves at ``/sdk/mockamocha.js``. ``pages`` answers ``/`` and ``/assets/...`` with a strict
Content-Security-Policy. The server imports it on the first such request only.
"""

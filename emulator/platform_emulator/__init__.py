"""Local AWS emulator for the payment platform: moto's server plus a few extensions.

The extensions are:

* :mod:`platform_emulator.xray_sampling` - X-Ray sampling rules, which moto lacks.
* :mod:`platform_emulator.calls` - a WSGI middleware that records every AWS call
  (service, operation, mutating or not) and serves ``/_emulator/*`` endpoints.

Run it with ``python -m platform_emulator {start,stop,status,serve}``.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

"""The config schema: one typed spec per YAML group, plan file and command.

Modules: :mod:`.fields` (field rules, :func:`~.fields.load` and the error format) and one
module per section (:mod:`.service`, ...). See ``docs/architecture.md``, "Configuration schema".
"""

"""The public functions' Python layer, shared by fastact and fastact.reference:
the ``Activation`` objects and their argument rules (activation.py), their
docstrings and signatures (docstrings.py) and operands that are not NumPy
arrays (duck.py)."""
